// ECA-Net (Wang et al., CVPR 2020), written in the DSL. Names follow timm `EcaModule` and the
// official `eca_layer` (both `conv.weight [1,1,k]`, no bias).
// `use_mlp` is timm's `ecam` (`EcaModule(use_mlp=True)`, no official code): the pooled vector,
// read as one sequence of length C, goes through `conv` = Conv1d(1, rd, 1) with bias (one scale
// and shift per hidden channel), `act_layer` (ReLU), then `conv2` = Conv1d(rd, 1, k, padding
// (k − 1)/2) with bias, back to one sequence; then the sigmoid gate. The C lays the sequence
// along H of a one-pixel-wide plane [N, rd, C, 1]: `conv` is a 1×1 conv on it and `conv2` a
// k×k conv whose middle column holds the Conv1d's taps (the other columns only ever meet the
// zero padding of the one-pixel width; the import places the `[1, rd, k]` weight there). With
// `use_mlp` the defaults are timm's: k from C clamped to at least 3, rd =
// make_divisible(C / 8, 8) with timm's default round_limit 0.9.

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

    /// timm's `ecam`: `x · σ(conv2(act(conv(mean_HW(x)))))` with the convs along C as one sequence.
    public static func ecaMLP(_ input: InputShape, kernelSize k: Int, reduced rd: Int, act: Activation) -> [Layer] {
        let (n, c) = (input.n, input.c)
        return build {
            GlobalPool(.mean)
            Primitive(.reshape([n, 1, c, 1]))
            Conv2D(rd, kernelSize: 1, padding: 0, bias: true, param: "conv")
            act.layer
            Conv2D(1, kernelSize: k, padding: (k - 1) / 2, bias: true, param: "conv2")
            Primitive(.reshape([n, c, 1, 1]))
            Sigmoid()
            Multiply("x")
        }
    }
}

/// ECA hyperparameters as given. A missing `kernelSize` comes from the paper's formula.
public struct ECAOptions: Hashable, Sendable {
    /// k of the conv along C; odd; nil uses the paper's formula in C (timm's, with `use_mlp`).
    public var kernelSize: Int?
    /// timm's `ecam`: a hidden layer of rd sequences between the pool and the conv; default false.
    public var useMLP: Bool?
    /// C / rd_ratio with `use_mlp`; default 8.
    public var reduction: Int?
    /// rd with `use_mlp`; wins over `reduction`.
    public var reducedChannels: Int?
    /// The multiple rd is rounded to with `use_mlp`; default 8.
    public var rdDivisor: Int?
    /// The activation between the two convs with `use_mlp`; default relu.
    public var actLayer: Activation?

    /// Options as given; nil takes the paper's formula (timm's defaults with `use_mlp`).
    public init(
        kernelSize: Int? = nil, useMLP: Bool? = nil, reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil,
        actLayer: Activation? = nil
    ) {
        self.kernelSize = kernelSize
        self.useMLP = useMLP
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.actLayer = actLayer
    }
}

extension ECAOptions: CatalogBlock {
    package static let kind = "eca"
    package static let reference = "timm EcaModule (use_mlp: timm's ecam)"
    package static let hyperparameters = [
        "kernel_size=from C (gamma 2, b 1)", "use_mlp=false", "reduction=8", "reduced_channels", "rd_divisor=8", "act_layer=relu",
    ]
    package static var examples: [BlockSpec] {
        [
            EfficientChannelAttention("eca_g1", input: .nchw(2, 20, 3, 5), kernelSize: 5),
            EfficientChannelAttention("eca_g2", input: .nchw(2, 13, 3, 5), ECAOptions(useMLP: true, reducedChannels: 3)),
            EfficientChannelAttention("eca_g3", input: .nchw(1, 40, 7, 1), ECAOptions(kernelSize: 7, useMLP: true, actLayer: .silu)),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timmECA] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            kernelSize: try r.int("kernel_size"), useMLP: try r.bool("use_mlp"), reduction: try r.int("reduction"),
            reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"), actLayer: try Activation.read(&r, "act_layer"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["kernel_size"] = kernelSize.map { .int($0) }
        f["use_mlp"] = useMLP.map { .bool($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        guard useMLP ?? false else {
            for (field, given) in [("reduction", reduction != nil), ("reduced_channels", reducedChannels != nil), ("rd_divisor", rdDivisor != nil), ("act_layer", actLayer != nil)] where given {
                throw SpecError(field, "is only read with use_mlp (timm's ecam)")
            }
            let k = kernelSize ?? ecaKernelSize(channels: input.c)
            try Rules.oddKernelSize(k, "kernel_size")
            return Catalog.eca(kernelSize: k)
        }
        let k = kernelSize ?? timmECAKernelSize(channels: input.c)
        try Rules.oddKernelSize(k, "kernel_size")
        guard k <= maxKernelSize else { throw SpecError("kernel_size", "must be at most \(maxKernelSize), got \(k)") }
        let rd: Int
        if let stated = reducedChannels {
            try Rules.atLeast(1, stated, "reduced_channels")
            rd = stated
        } else {
            let r = reduction ?? 8
            try Rules.atLeast(1, r, "reduction")
            let d = rdDivisor ?? 8
            try Rules.atLeast(1, d, "rd_divisor")
            guard d <= maxElements else { throw SpecError("rd_divisor", "must be at most \(maxElements) (32-bit indexing), got \(d)") }
            rd = Rules.makeDivisible(Double(input.c) / Double(r), divisor: d, roundLimit: 0.9)
        }
        try Rules.fits([rd, input.c], reducedChannels != nil ? "reduced_channels" : "rd_divisor", "the hidden sequences [rd, C]")
        try Rules.fits([rd, k, k], "kernel_size", "conv2's k×k weight")
        try Rules.paddedPlane(channels: rd, h: input.c, w: 1, padding: (k - 1) / 2, "kernel_size", "conv2's padding \((k - 1) / 2)")
        return Catalog.ecaMLP(input, kernelSize: k, reduced: rd, act: actLayer ?? .relu)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.useMLP = try w.bias("conv2.weight", given: useMLP, field: "use_mlp")
        if o.useMLP == true {
            o.kernelSize = try w.kernel("conv2.weight", given: kernelSize, field: "kernel_size")
            if let dims = w.dims("conv.weight"), let rd = dims.first {
                if let stated = reducedChannels, stated != rd {
                    throw SpecError("reduced_channels", "is \(stated) but \(w.source) has \"\(w.displayName("conv.weight"))\" of shape \(dims)")
                }
                o.reducedChannels = rd
            }
        } else {
            o.kernelSize = try w.kernel("conv.weight", given: kernelSize, field: "kernel_size")
        }
        return o
    }
}

extension NameScheme {
    /// timm's names; `ecam`'s `conv2.weight [1, rd, k]` is the middle column of a k×k kernel.
    static let timmECA = NameScheme(label: "timm", renames: [], swappedPlanes: [], conv1dColumns: ["conv2.weight"])
}

/// An Efficient Channel Attention block (`kind: "eca"`).
public func EfficientChannelAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, kernelSize: Int? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input, body: .block(ECAOptions(kernelSize: kernelSize)), weights: weights,
        weightsPrefix: weightsPrefix)
}

/// An Efficient Channel Attention block (`kind: "eca"`) with all of its options (`use_mlp`: timm's `ecam`).
public func EfficientChannelAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: ECAOptions, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
