// The SE family (Hu et al., CVPR 2018) as one kind, written in the DSL. Options and defaults follow
// timm's `SEModule` (`timm/layers/squeeze_excite.py`), each named by its constructor argument;
// parameter names are timm's (`fc1`, `bn`, `fc2`). The other SE modules of timm's zoo are the same
// math under other names or options:
// - EfficientNet/MobileNetV3 `SqueezeExcite` (`_efficientnet_blocks.py`): `conv_reduce`/
//   `conv_expand`, renamed on import; its rd comes from the block's input channels, so it is
//   stated (`reduced_channels`) or read from the weights. EfficientNet: `act_layer: silu`;
//   MobileNetV3: `gate_layer: hard_sigmoid` (act ReLU), rd = make_divisible(C/4, 8) with timm's
//   default round_limit 0.9.
// - RexNet's `SEWithNorm`: `norm_layer: batchnorm` (a `bn` after fc1), found from the keys.
// - GCViT's MbConvBlock SE: `reduction: 4`, `bias: false`, `act_layer: gelu`, `rd_divisor: 8`.
// - Legacy SENet (`timm/models/senet.py`, Cadene's): fc1/fc2 with bias, rd = C // reduction.
// - moskomule's `SELayer`: `fc.0`/`fc.2` Linear layers without bias, renamed on import.
// Where they differ from SEModule: timm's SEModule rounds rd with make_divisible(C/16, 8,
// round_limit=0); this kind keeps the paper's (and legacy SENet's, moskomule's) rd = C // reduction
// unless `rd_divisor` is given, so a spec written for the paper's rd keeps its meaning.

/// The norm a `norm_layer` field may name.
public enum SENorm: String, Hashable, Sendable, CaseIterable {
    /// Eval-mode BatchNorm2d on the reduced vector (`bn.*`).
    case batchnorm
}

/// Squeeze-and-Excitation hyperparameters as given (timm `SEModule` and the SE modules above).
public struct SEOptions: Hashable, Sendable {
    /// r = 1/rd_ratio: the hidden layer has C / r units (floor, or timm's make_divisible with `rd_divisor`); default 16.
    public var reduction: Int?
    /// Wins over `reduction`.
    public var reducedChannels: Int?
    /// rd = make_divisible(C / reduction, rd_divisor, round_limit) when given; else C // reduction.
    public var rdDivisor: Int?
    /// make_divisible's round_limit, with `rd_divisor` only. Default 0 (SEModule's).
    public var roundLimit: Double?
    /// Squeeze by `0.5·mean + 0.5·max`. Default false.
    public var addMaxpool: Bool?
    /// Biases on both FC layers (timm: yes, moskomule and GCViT: no). Default: yes.
    public var bias: Bool?
    /// Default relu.
    public var actLayer: Activation?
    /// Default sigmoid.
    public var gateLayer: Activation?
    /// Default none.
    public var normLayer: SENorm?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil, roundLimit: Double? = nil,
        addMaxpool: Bool? = nil, bias: Bool? = nil, actLayer: Activation? = nil, gateLayer: Activation? = nil,
        normLayer: SENorm? = nil
    ) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.roundLimit = roundLimit
        self.addMaxpool = addMaxpool
        self.bias = bias
        self.actLayer = actLayer
        self.gateLayer = gateLayer
        self.normLayer = normLayer
    }
}

extension SEOptions: CatalogBlock {
    package static let kind = "se"
    package static let reference =
        "timm SEModule (also EfficientNet/MobileNetV3 SqueezeExcite, RexNet SEWithNorm, GCViT, legacy SENet, moskomule SELayer); rd = C // reduction unless rd_divisor"
    package static let hyperparameters = [
        "reduction=16", "reduced_channels", "rd_divisor=none (C // reduction; timm SEModule: 8)", "round_limit=0",
        "add_maxpool=false", "bias=true", "act_layer=relu", "gate_layer=sigmoid", "norm_layer=none",
    ]
    package static var examples: [BlockSpec] {
        [
            SqueezeExcite("se_g1", input: .nchw(2, 24, 5, 3), reduction: 4, bias: false),
            SqueezeExcite("se_g_mnv3", input: .nchw(2, 40, 5, 7), reduction: 4, rdDivisor: 8, roundLimit: 0.9, gateLayer: .hardSigmoid),
            SqueezeExcite("se_g_effnet", input: .nchw(1, 36, 3, 5), reducedChannels: 3, actLayer: .silu),
            SqueezeExcite("se_g_gcvit", input: .nchw(2, 20, 4, 4), reduction: 4, rdDivisor: 8, bias: false, actLayer: .gelu),
            SqueezeExcite("se_g_norm_max", input: .nchw(2, 33, 7, 3), reduction: 8, addMaxpool: true, normLayer: .batchnorm),
            SqueezeExcite("se_g_tanh", input: .nchw(1, 12, 1, 9), reduction: 3, actLayer: .hardSwish, gateLayer: .tanh),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .moskomuleSE, .efficientNetSE] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        let norm: SENorm?
        if let name = try r.string("norm_layer") {
            guard let n = SENorm(rawValue: name) else {
                throw SpecError("norm_layer", "unknown norm \"\(name)\" (known: batchnorm; leave it out for none)")
            }
            norm = n
        } else {
            norm = nil
        }
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"),
            roundLimit: try r.double("round_limit"), addMaxpool: try r.bool("add_maxpool"), bias: try r.bool("bias"),
            actLayer: try Activation.read(&r, "act_layer"), gateLayer: try Activation.read(&r, "gate_layer"), normLayer: norm)
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["round_limit"] = roundLimit.map { .double($0) }
        f["add_maxpool"] = addMaxpool.map { .bool($0) }
        f["bias"] = bias.map { .bool($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["norm_layer"] = normLayer.map { .string($0.rawValue) }
    }

    /// rd from the options: `reduced_channels`, else timm's make_divisible when `rd_divisor` is
    /// given, else C // reduction.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        if roundLimit != nil && rdDivisor == nil {
            throw SpecError("round_limit", "applies to rd_divisor's rounding; give rd_divisor too, or leave round_limit out")
        }
        guard reducedChannels == nil, let divisor = rdDivisor else {
            return try Rules.reducedWidth(c, reduction: reduction, reduced: reducedChannels)
        }
        let r = reduction ?? 16
        try Rules.atLeast(1, r, "reduction")
        try Rules.atLeast(1, divisor, "rd_divisor")
        let limit = roundLimit ?? 0
        guard limit.isFinite, limit >= 0, limit <= 1 else { throw SpecError("round_limit", "must be a number in 0...1, got \(limit)") }
        let rd = Self.makeDivisible(Double(c) * (1 / Double(r)), divisor: divisor, roundLimit: limit)
        try Rules.fits([rd, c], "rd_divisor", "fc1.weight")
        return rd
    }

    /// timm's `make_divisible(v, divisor, round_limit=…)` with min_value = divisor: the nearest
    /// multiple of `divisor` (halves up), at least `divisor`, raised by one step when that lost more
    /// than 1 − round_limit of v. SEModule passes round_limit 0 (never raised).
    static func makeDivisible(_ v: Double, divisor: Int, roundLimit: Double) -> Int {
        var rounded = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < roundLimit * v { rounded += divisor }
        return rounded
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        return Catalog.squeezeExcite(
            channels: input.c, reduced: rd, bias: bias ?? true, act: actLayer ?? .relu, gate: gateLayer ?? .sigmoid,
            norm: normLayer, addMaxpool: addMaxpool ?? false)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        if let divisor = rdDivisor, reducedChannels == nil, let dims = w.dims("fc1.weight"), let rd = dims.first {
            // The stated rounding rule must give the file's rd.
            let expected = try reducedWidth(input.c)
            guard expected == rd else {
                throw SpecError(
                    "rd_divisor",
                    "is \(divisor) (rd = make_divisible(\(input.c)/\(reduction ?? 16), \(divisor)) = \(expected)) but \(w.source) has \"\(w.displayName("fc1.weight"))\" of shape \(dims)")
            }
            o.reducedChannels = rd
        } else {
            o.reducedChannels = try w.reduced("fc1.weight", input.c, reduction, reducedChannels)
        }
        o.bias = try w.bias("fc1.bias", given: bias)
        let hasNorm = w.has("bn.running_mean") || w.has("bn.weight")
        if let normLayer, normLayer == .batchnorm, !hasNorm {
            throw SpecError("norm_layer", "is batchnorm but \(w.source) has no \"\(w.displayName("bn.running_mean"))\" (\(w.schemeLabel) names)")
        }
        if hasNorm { o.normLayer = .batchnorm }
        return o
    }
}

extension NameScheme {
    /// moskomule/senet.pytorch `SELayer`: `fc.0`/`fc.2` Linear layers without bias.
    static let moskomuleSE = NameScheme(
        label: "moskomule SELayer", renames: [("fc.0.", "fc1."), ("fc.2.", "fc2.")], swappedPlanes: [])
    /// timm's EfficientNet/MobileNetV3 `SqueezeExcite`: `conv_reduce`/`conv_expand` 1×1 convs with bias.
    static let efficientNetSE = NameScheme(
        label: "timm EfficientNet SqueezeExcite", renames: [("conv_reduce.", "fc1."), ("conv_expand.", "fc2.")], swappedPlanes: [])
}

/// A Squeeze-and-Excitation block (`kind: "se"`).
public func SqueezeExcite(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil,
    roundLimit: Double? = nil, addMaxpool: Bool? = nil, bias: Bool? = nil, actLayer: Activation? = nil,
    gateLayer: Activation? = nil, normLayer: SENorm? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input,
        body: .block(
            SEOptions(
                reduction: reduction, reducedChannels: reducedChannels, rdDivisor: rdDivisor, roundLimit: roundLimit,
                addMaxpool: addMaxpool, bias: bias, actLayer: actLayer, gateLayer: gateLayer, normLayer: normLayer)),
        weights: weights, weightsPrefix: weightsPrefix)
}

extension Catalog {
    /// `x · σ(W2 · relu(W1 · mean_HW(x) + b1) + b2)`: the paper's SE with timm `SEModule`'s names.
    public static func squeezeExcite(channels: Int, reduced: Int, bias: Bool) -> [Layer] {
        squeezeExcite(channels: channels, reduced: reduced, bias: bias, act: .relu, gate: .sigmoid, norm: nil, addMaxpool: false)
    }

    /// timm `SEModule.forward`: `s = mean_HW(x)` (or `0.5·s + 0.5·max_HW(x)`), `fc1`, `bn`, act,
    /// `fc2`, gate, `x · gate`.
    public static func squeezeExcite(
        channels: Int, reduced: Int, bias: Bool, act: Activation, gate: Activation, norm: SENorm?, addMaxpool: Bool
    ) -> [Layer] {
        build {
            GlobalPool(.mean)
            if addMaxpool {
                MultiplyScalar(0.5).named("half_mean")
                GlobalPool(.max, of: "x")
                MultiplyScalar(0.5)
                Add("half_mean")
            }
            Linear(reduced, bias: bias, param: "fc1")
            if norm == .batchnorm { BatchNorm(param: "bn") }
            act.layer
            Linear(channels, bias: bias, param: "fc2")
            gate.layer
            Multiply("x")
        }
    }
}
