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

/// An SE variant of the ECA-Net ablation (`kind: "se_var1"`, `"se_var2"`, `"se_var3"`, `"se_gc"`).
public func SEVariant(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ variant: SEVariantKind, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    let body: BlockSpec.Body
    switch variant {
    case .var1: body = .seVar1
    case .var2: body = .seVar2
    case .var3: body = .seVar3
    case .gc(let groups): body = .seGC(SEGCOptions(groups: groups))
    }
    return BlockSpec(name: name, input: input, body: body, weights: weights, weightsPrefix: weightsPrefix)
}

/// Which SE variant: no parameters, depthwise, dense, or grouped 1×1 conv on the pooled vector.
public enum SEVariantKind: Hashable, Sendable {
    case var1, var2, var3
    case gc(groups: Int?)
}

/// A Bottleneck Attention Module (`kind: "bam"`).
public func BAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: BAMOptions = BAMOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .bam(options), weights: weights, weightsPrefix: weightsPrefix)
}

/// A Selective Kernel convolution, timm's `SelectiveKernel` (`kind: "sk"`).
public func SelectiveKernel(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SKOptions = SKOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .sk(options), weights: weights, weightsPrefix: weightsPrefix)
}

/// DANet's position attention module (`kind: "danet_pam"`).
public func DANetPAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .danetPAM, weights: weights, weightsPrefix: weightsPrefix)
}

/// DANet's channel attention module (`kind: "danet_cam"`).
public func DANetCAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .danetCAM, weights: weights, weightsPrefix: weightsPrefix)
}

/// A self-calibrated convolution (`kind: "scconv"`).
public func SCConv(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SCConvOptions = SCConvOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .scconv(options), weights: weights, weightsPrefix: weightsPrefix)
}

/// EPSANet's pyramid split attention module (`kind: "psa"`).
public func PSA(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: PSAOptions = PSAOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .psa(options), weights: weights, weightsPrefix: weightsPrefix)
}

/// ResT's efficient multi-head self-attention (`kind: "emsa"`).
public func EMSA(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: EMSAOptions = EMSAOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .emsa(options), weights: weights, weightsPrefix: weightsPrefix)
}

/// EANet's external attention (`kind: "external_attention"`), with `slots` memory units (S).
public func ExternalAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, slots: Int? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input, body: .externalAttention(ExternalAttentionOptions(s: slots)), weights: weights,
        weightsPrefix: weightsPrefix)
}

/// Seed 000's multi-input fusion (`kind: "fusion"`); `input.c` is each input's C, the kernel's
/// input array holds the M inputs one after another along C.
public func Fusion(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: FusionOptions = FusionOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .fusion(options), weights: weights, weightsPrefix: weightsPrefix)
}
