// CBAM (Woo et al., ECCV 2018), written in the DSL. Names follow timm `CbamModule`; the official
// Jongchan code is the same math with its planes in [max, mean] order, swapped at import.

extension Catalog {
    /// Channel gate `x1 = x · σ(MLP(avg) + MLP(max))` with one shared MLP, then spatial gate
    /// `y = x1 · σ(BN(conv_k([mean_C x1, max_C x1])))`, planes in timm's [mean, max] order.
    public static func cbam(channels: Int, reduced: Int, spatialKernel: Int, bias: Bool) -> [Layer] {
        build {
            GlobalPool(.mean, of: "x")
            Linear(reduced, bias: bias, param: "channel.fc1")
            ReLU()
            Linear(channels, bias: bias, param: "channel.fc2").named("avg_path")
            GlobalPool(.max, of: "x")
            Linear(reduced, bias: bias, param: "channel.fc1")
            ReLU()
            Linear(channels, bias: bias, param: "channel.fc2")
            Add("avg_path")
            Sigmoid()
            Multiply("x").named("x1")
            ChannelPool(.mean, of: "x1").named("mean_c")
            ChannelPool(.max, of: "x1").named("max_c")
            Concat("mean_c", "max_c")
            Conv2D(1, kernelSize: spatialKernel, bias: false, param: "spatial.conv.conv")
            BatchNorm(param: "spatial.conv.bn")
            Sigmoid()
            Multiply("x1")
        }
    }
}

/// CBAM hyperparameters as given (timm `CbamModule`, official Jongchan CBAM).
public struct CBAMOptions: Hashable, Sendable {
    /// r of the shared channel MLP: C / r hidden units; default 16.
    public var reduction: Int?
    /// Hidden units of the channel MLP; wins over `reduction`.
    public var reducedChannels: Int?
    /// Kernel of the spatial gate's conv; default 7.
    public var spatialKernelSize: Int?
    /// Biases on the shared MLP (official: yes, timm: no). Default: no.
    public var bias: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(reduction: Int? = nil, reducedChannels: Int? = nil, spatialKernelSize: Int? = nil, bias: Bool? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.spatialKernelSize = spatialKernelSize
        self.bias = bias
    }
}

extension CBAMOptions: CatalogBlock {
    package static let kind = "cbam"
    package static let reference = "timm CbamModule / Jongchan CBAM"
    package static let hyperparameters = ["reduction=16", "reduced_channels", "spatial_kernel_size=7", "bias=false"]
    package static var examples: [BlockSpec] {
        [
            CBAM("cbam_g1", input: .nchw(2, 16, 5, 7), reducedChannels: 3, spatialKernelSize: 3, bias: true),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .officialCBAM] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            spatialKernelSize: try r.int("spatial_kernel_size"), bias: try r.bool("bias"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["spatial_kernel_size"] = spatialKernelSize.map { .int($0) }
        f["bias"] = bias.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try Rules.reducedWidth(input.c, reduction: reduction, reduced: reducedChannels)
        let k = spatialKernelSize ?? 7
        try Rules.oddKernelSize(k, "spatial_kernel_size")
        return Catalog.cbam(channels: input.c, reduced: rd, spatialKernel: k, bias: bias ?? false)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.reducedChannels = try w.reduced("channel.fc1.weight", input.c, reduction, reducedChannels)
        o.bias = try w.bias("channel.fc1.bias", given: bias)
        o.spatialKernelSize = try w.kernel("spatial.conv.conv.weight", given: spatialKernelSize, field: "spatial_kernel_size")
        return o
    }
}

extension NameScheme {
    /// Jongchan/attention-module `CBAM`: its ChannelPool stacks [max, mean], timm [mean, max].
    static let officialCBAM = NameScheme(
        label: "official CBAM",
        renames: [
            ("ChannelGate.mlp.1.", "channel.fc1."), ("ChannelGate.mlp.3.", "channel.fc2."),
            ("SpatialGate.spatial.conv.", "spatial.conv.conv."), ("SpatialGate.spatial.bn.", "spatial.conv.bn."),
        ],
        swappedPlanes: ["spatial.conv.conv.weight"])
}

/// A Convolutional Block Attention Module (`kind: "cbam"`).
public func CBAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, reduction: Int? = nil, reducedChannels: Int? = nil,
    spatialKernelSize: Int? = nil, bias: Bool? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    let options = CBAMOptions(
        reduction: reduction, reducedChannels: reducedChannels, spatialKernelSize: spatialKernelSize, bias: bias)
    return BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
