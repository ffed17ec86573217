// Light CBAM, written in the DSL. Follows timm `LightCbamModule` (timm/layers/cbam.py), an
// experimental CBAM that pools by `0.5·mean + 0.5·max` before one MLP pass instead of running
// the MLP on each pool, and likewise before its spatial conv:
//   x1 = x · σ(channel.fc2(act(channel.fc1(0.5·mean_HW x + 0.5·max_HW x))))
//   y  = x1 · σ(BN(conv_k(0.5·mean_C x1 + 0.5·max_C x1)))
// Both gates are sigmoids whatever `gate_layer` says: `LightChannelAttn.forward` calls
// `F.sigmoid`, and `LightCbamModule` never hands `gate_layer` to `LightSpatialAttn`. The kind
// therefore has no `gate_layer`. The spatial conv is timm's `ConvNormAct` without bias
// (`spatial.conv.conv`, `spatial.conv.bn`).

extension Catalog {
    /// The block above, `rd` wide, with `bias` on both MLP convs.
    public static func lightCBAM(channels: Int, reduced: Int, spatialKernel: Int, bias: Bool, act: Activation) -> [Layer] {
        build {
            GlobalPool(.mean, of: "x")
            MultiplyScalar(0.5).named("avg_half")
            GlobalPool(.max, of: "x")
            MultiplyScalar(0.5)
            Add("avg_half", "_")
            Linear(reduced, bias: bias, param: "channel.fc1")
            act.layer
            Linear(channels, bias: bias, param: "channel.fc2")
            Sigmoid()
            Multiply("x").named("x1")
            ChannelPool(.mean, of: "x1")
            MultiplyScalar(0.5).named("mean_half")
            ChannelPool(.max, of: "x1")
            MultiplyScalar(0.5)
            Add("mean_half", "_")
            Conv2D(1, kernelSize: spatialKernel, bias: false, param: "spatial.conv.conv")
            BatchNorm(param: "spatial.conv.bn")
            Sigmoid()
            Multiply("x1")
        }
    }
}

/// Light CBAM hyperparameters as given (timm `LightCbamModule`).
public struct LightCBAMOptions: Hashable, Sendable {
    /// `1 / rd_ratio`; default 16.
    public var reduction: Int?
    /// The channel MLP's hidden width; wins over `reduction`.
    public var reducedChannels: Int?
    /// `make_divisible`'s divisor; default 1.
    public var rdDivisor: Int?
    /// Kernel of the spatial conv; default 7.
    public var spatialKernelSize: Int?
    /// Default relu.
    public var actLayer: Activation?
    /// Biases on the MLP's two 1×1 convs; default false.
    public var mlpBias: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil, spatialKernelSize: Int? = nil,
        actLayer: Activation? = nil, mlpBias: Bool? = nil
    ) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.spatialKernelSize = spatialKernelSize
        self.actLayer = actLayer
        self.mlpBias = mlpBias
    }

    /// `reduced_channels`, else `make_divisible(C / reduction, rd_divisor)`.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        try Rules.timmReducedWidth(c, reduction: reduction, reduced: reducedChannels, divisor: rdDivisor, defaultReduction: 16)
    }
}

extension LightCBAMOptions: CatalogBlock {
    package static let kind = "lcbam"
    package static let reference = "timm LightCbamModule"
    package static let hyperparameters = [
        "reduction=16", "reduced_channels", "rd_divisor=1", "spatial_kernel_size=7", "act_layer=relu", "mlp_bias=false",
    ]
    package static var examples: [BlockSpec] {
        [
            LightCBAM("lcbam_g1", input: .nchw(2, 32, 5, 7)),
            LightCBAM(
                "lcbam_g2", input: .nchw(1, 20, 9, 4),
                LightCBAMOptions(reducedChannels: 3, spatialKernelSize: 3, actLayer: .silu, mlpBias: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), spatialKernelSize: try r.int("spatial_kernel_size"),
            actLayer: try Activation.read(&r, "act_layer"), mlpBias: try r.bool("mlp_bias"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["spatial_kernel_size"] = spatialKernelSize.map { .int($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["mlp_bias"] = mlpBias.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        try Rules.fits([input.c, rd], "input.c", "channel.fc2.weight")
        let k = spatialKernelSize ?? 7
        try Rules.oddKernelSize(k, "spatial_kernel_size")
        return Catalog.lightCBAM(channels: input.c, reduced: rd, spatialKernel: k, bias: mlpBias ?? false, act: actLayer ?? .relu)
    }

    /// The width, the biases and the spatial kernel are in the file; stated ones must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        if let dims = w.dims("channel.fc1.weight"), let rd = dims.first {
            let stated = try reducedWidth(input.c)
            let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil),
                         ("rd_divisor", rdDivisor != nil)].first { $0.1 }
            if let given, stated != rd {
                throw SpecError(
                    given.0,
                    "gives \(stated) channels but \(w.source) has \"\(w.displayName("channel.fc1.weight"))\" of shape \(dims)")
            }
            o.reducedChannels = rd
            o.mlpBias = try w.bias("channel.fc1.bias", given: mlpBias, field: "mlp_bias")
        }
        o.spatialKernelSize = try w.kernel("spatial.conv.conv.weight", given: spatialKernelSize, field: "spatial_kernel_size")
        return o
    }
}

/// A Light CBAM block (`kind: "lcbam"`).
public func LightCBAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: LightCBAMOptions = LightCBAMOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
