// ECA-Net (Wang et al., CVPR 2020), written in the DSL. Names follow timm `EcaModule` and the
// official `eca_layer` (both `conv.weight [1,1,k]`, no bias).

extension Catalog {
    /// `x · σ(conv1d_k(mean_HW(x)))`, the conv running along channels with zero padding.
    public static func eca(kernelSize: Int) -> [Layer] {
        build {
            GlobalPool(.mean)
            ChannelConv1D(kernelSize: kernelSize, param: "conv")
            Sigmoid()
            Multiply("x")
        }
    }
}

/// ECA hyperparameters as given. A missing `kernelSize` comes from the paper's formula.
public struct ECAOptions: Hashable, Sendable {
    /// k of the conv along C; odd; nil uses the paper's formula in C.
    public var kernelSize: Int?

    /// Options as given; nil takes the paper's formula.
    public init(kernelSize: Int? = nil) { self.kernelSize = kernelSize }
}

extension ECAOptions: CatalogBlock {
    package static let kind = "eca"
    package static let reference = "timm EcaModule"
    package static let hyperparameters = ["kernel_size=from C (gamma 2, b 1)"]
    package static var examples: [BlockSpec] {
        [
            EfficientChannelAttention("eca_g1", input: .nchw(2, 20, 3, 5), kernelSize: 5),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) { self.init(kernelSize: try r.int("kernel_size")) }

    package func encode(into f: inout [String: JSONValue]) { f["kernel_size"] = kernelSize.map { .int($0) } }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let k = kernelSize ?? ecaKernelSize(channels: input.c)
        try Rules.oddKernelSize(k, "kernel_size")
        return Catalog.eca(kernelSize: k)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        ECAOptions(kernelSize: try w.kernel("conv.weight", given: kernelSize, field: "kernel_size"))
    }
}

/// An Efficient Channel Attention block (`kind: "eca"`).
public func EfficientChannelAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, kernelSize: Int? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input, body: .block(ECAOptions(kernelSize: kernelSize)), weights: weights,
        weightsPrefix: weightsPrefix)
}
