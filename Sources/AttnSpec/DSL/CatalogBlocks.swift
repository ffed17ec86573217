// DSL spellings of the catalog blocks. They build the same `BlockSpec` a JSON spec decodes to.

/// A Squeeze-and-Excitation block (`kind: "se"`).
public func SqueezeExcite(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, reduction: Int? = nil, reducedChannels: Int? = nil, bias: Bool? = nil,
    weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input,
        body: .se(SEOptions(reduction: reduction, reducedChannels: reducedChannels, bias: bias)),
        weights: weights, weightsPrefix: weightsPrefix)
}

/// An Efficient Channel Attention block (`kind: "eca"`).
public func EfficientChannelAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, kernelSize: Int? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input, body: .eca(ECAOptions(kernelSize: kernelSize)), weights: weights,
        weightsPrefix: weightsPrefix)
}

/// A Convolutional Block Attention Module (`kind: "cbam"`).
public func CBAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, reduction: Int? = nil, reducedChannels: Int? = nil,
    spatialKernelSize: Int? = nil, bias: Bool? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    let options = CBAMOptions(
        reduction: reduction, reducedChannels: reducedChannels, spatialKernelSize: spatialKernelSize, bias: bias)
    return BlockSpec(name: name, input: input, body: .cbam(options), weights: weights, weightsPrefix: weightsPrefix)
}
