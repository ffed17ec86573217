// Coordinate Attention (Hou, Zhou & Feng, CVPR 2021), written in the DSL. Two references, one
// kind, the same state_dict names (`conv1`, `bn1`, `conv_h`, `conv_w`):
// - the official `CoordAtt` (Andrew-Qibin/CoordAttention): `mip = max(8, C // reduction)` with
//   reduction 32, conv biases, BatchNorm, h_swish (`x·relu6(x + 3)/6`) and sigmoid gates;
// - timm's `CoordAttn` (timm/layers/coord_attn.py): `rd = make_divisible(C / reduction ·
//   se_factor, rd_divisor)` with reduction 16, se_factor 2/3, rd_divisor 8, no conv biases,
//   and its `norm_layer`, `act_layer`, `gate_layer` and `has_skip` options.
// `variant` picks whose defaults apply (official unless said; a file without `conv1.bias` is
// timm's). Both concatenate the H and W strips along H before conv1 + bn1 + act and split them
// after; those three act on each position alone, so here each strip goes through them by itself,
// which is the same sums in the same order.

/// Whose defaults a Coordinate Attention block takes.
public enum CoordVariant: String, Hashable, Sendable, CaseIterable {
    /// Hou et al.'s `CoordAtt`.
    case official
    /// timm's `CoordAttn`.
    case timm
}

extension Catalog {
    /// `y = x · gate(conv_w(a(W))) · gate(conv_h(a(H)))` (`+ x` with `hasSkip`), where `a` is
    /// conv1 → bn1 → act on the mean over W (an H strip) or over H (a W strip).
    public static func coordAttention(
        channels: Int, reduced: Int, bias: Bool, norm: Bool, act: Activation, gate: Activation, hasSkip: Bool
    ) -> [Layer] {
        func squeeze(_ strip: String) -> [Layer] {
            build {
                Conv2D(reduced, kernelSize: 1, bias: bias, param: "conv1", of: strip)
                if norm { BatchNorm(param: "bn1") }
                act.layer
            }
        }
        return build {
            Primitive(.axisPool(.mean, axis: .w), "x").named("x_h")
            Primitive(.axisPool(.mean, axis: .h), "x").named("x_w")
            squeeze("x_h")
            Conv2D(channels, kernelSize: 1, bias: bias, param: "conv_h")
            gate.layer.named("a_h")
            squeeze("x_w")
            Conv2D(channels, kernelSize: 1, bias: bias, param: "conv_w")
            gate.layer.named("a_w")
            Multiply("x", "a_w")
            Multiply("a_h")
            if hasSkip { Add("x") }
        }
    }
}

/// Coordinate Attention hyperparameters as given (official `CoordAtt`, timm `CoordAttn`).
public struct CoordOptions: Hashable, Sendable {
    /// Whose defaults apply; default official (timm for a file without `conv1.bias`).
    public var variant: CoordVariant?
    /// official: `mip = max(8, C // reduction)`, default 32; timm: `1 / rd_ratio`, default 16.
    public var reduction: Int?
    /// The hidden width (timm's `rd_channels`, the official `mip`); wins over `reduction`.
    public var reducedChannels: Int?
    /// timm only: `make_divisible`'s divisor, default 8.
    public var rdDivisor: Int?
    /// timm only: the factor on `C / reduction`, default 2/3.
    public var seFactor: Double?
    /// Biases on the three 1×1 convs: official yes, timm no.
    public var bias: Bool?
    /// `batchnorm` (default) or `none` (timm's `norm_layer=None`).
    public var normLayer: CoordNorm?
    /// Default hard_swish.
    public var actLayer: Activation?
    /// Default sigmoid.
    public var gateLayer: Activation?
    /// Adds the input to the output (timm); default false.
    public var hasSkip: Bool?

    /// Options as given; nil fields take the variant's defaults when the spec is resolved.
    public init(
        variant: CoordVariant? = nil, reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil,
        seFactor: Double? = nil, bias: Bool? = nil, normLayer: CoordNorm? = nil, actLayer: Activation? = nil,
        gateLayer: Activation? = nil, hasSkip: Bool? = nil
    ) {
        self.variant = variant
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.seFactor = seFactor
        self.bias = bias
        self.normLayer = normLayer
        self.actLayer = actLayer
        self.gateLayer = gateLayer
        self.hasSkip = hasSkip
    }

    /// The bottleneck width under the variant's rule.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        if let rd = reducedChannels {
            try Rules.atLeast(1, rd, "reduced_channels")
            try Rules.fits([rd, c], "reduced_channels", "conv1.weight")
            return rd
        }
        switch variant ?? .official {
        case .official:
            for (field, given) in [("rd_divisor", rdDivisor != nil), ("se_factor", seFactor != nil)] where given {
                throw SpecError(field, "is timm's CoordAttn argument; the official CoordAtt has none (set variant: \"timm\")")
            }
            let r = reduction ?? 32
            try Rules.atLeast(1, r, "reduction")
            return max(8, c / r)
        case .timm:
            let r = reduction ?? 16
            try Rules.atLeast(1, r, "reduction")
            let d = rdDivisor ?? 8
            try Rules.atLeast(1, d, "rd_divisor")
            let f = seFactor ?? 2.0 / 3.0
            try Rules.positiveFloat32(f, "se_factor")
            guard f <= 1e6 else { throw SpecError("se_factor", "must be at most 1e6, got \(f)") }
            let rd = Rules.makeDivisible(Double(c) * (1 / Double(r)) * f, divisor: d, roundLimit: 0)
            // A width past indexing comes from a huge divisor (rd = max(divisor, ...)) or factor.
            let field = rdDivisor != nil && rd <= d ? "rd_divisor" : (seFactor != nil ? "se_factor" : "reduction")
            try Rules.fits([rd, c], field, "the bottleneck's weight")
            return rd
        }
    }
}

/// The norm between conv1 and the activation.
public enum CoordNorm: String, Hashable, Sendable, CaseIterable {
    /// Eval-mode BatchNorm, folded into conv1 (both references' default).
    case batchnorm
    /// No norm (timm's `norm_layer=None`).
    case none
}

extension CoordOptions: CatalogBlock {
    package static let kind = "coord"
    package static let reference = "Hou et al. CoordAtt (variant official) / timm CoordAttn (variant timm)"
    package static let hyperparameters = [
        "variant=official (timm for files without conv1.bias)", "reduction=32 (timm 16)", "reduced_channels",
        "rd_divisor=8 (timm)", "se_factor=2/3 (timm)", "bias=true (timm false)", "norm_layer=batchnorm",
        "act_layer=hard_swish", "gate_layer=sigmoid", "has_skip=false",
    ]
    package static var examples: [BlockSpec] {
        [
            CoordAttention("coord_g1", input: .nchw(2, 24, 5, 7)),
            CoordAttention(
                "coord_g2", input: .nchw(1, 40, 9, 4),
                CoordOptions(variant: .timm, normLayer: CoordNorm.none, actLayer: .silu, gateLayer: .hardSigmoid, hasSkip: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        var variant: CoordVariant?
        if let text = try r.string("variant") {
            guard let v = CoordVariant(rawValue: text) else {
                throw SpecError("variant", "unknown variant \"\(text)\" (known: official, timm)")
            }
            variant = v
        }
        var norm: CoordNorm?
        if let text = try r.string("norm_layer") {
            guard let n = CoordNorm(rawValue: text) else {
                throw SpecError("norm_layer", "unknown norm \"\(text)\" (known: batchnorm, none)")
            }
            norm = n
        }
        self.init(
            variant: variant, reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), seFactor: try r.double("se_factor"), bias: try r.bool("bias"),
            normLayer: norm, actLayer: try Activation.read(&r, "act_layer"), gateLayer: try Activation.read(&r, "gate_layer"),
            hasSkip: try r.bool("has_skip"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["variant"] = variant.map { .string($0.rawValue) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["se_factor"] = seFactor.map { .double($0) }
        f["bias"] = bias.map { .bool($0) }
        f["norm_layer"] = normLayer.map { .string($0.rawValue) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["has_skip"] = hasSkip.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        try Rules.fits([input.c, rd], "input.c", "conv_h.weight")
        return Catalog.coordAttention(
            channels: input.c, reduced: rd, bias: bias ?? ((variant ?? .official) == .official),
            norm: (normLayer ?? .batchnorm) == .batchnorm, act: actLayer ?? .hardSwish, gate: gateLayer ?? .sigmoid,
            hasSkip: hasSkip ?? false)
    }

    /// The width, the biases and the norm are in the file; a file without conv biases is timm's.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        if o.variant == nil, w.has("conv1.weight") { o.variant = w.has("conv1.bias") ? .official : .timm }
        if let dims = w.dims("conv1.weight"), let rd = dims.first {
            let stated = try reducedWidth(input.c)
            let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil),
                         ("rd_divisor", rdDivisor != nil), ("se_factor", seFactor != nil)].first { $0.1 }
            if let given, stated != rd {
                throw SpecError(
                    given.0,
                    "gives \(stated) channels but \(w.source) has \"\(w.displayName("conv1.weight"))\" of shape \(dims)")
            }
            o.reducedChannels = rd
        }
        if w.has("conv1.weight") { o.bias = try w.bias("conv1.bias", given: bias) }
        if w.has("conv1.weight"), o.normLayer == nil { o.normLayer = w.has("bn1.weight") ? .batchnorm : CoordNorm.none }
        return o
    }
}

/// A Coordinate Attention block (`kind: "coord"`).
public func CoordAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: CoordOptions = CoordOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
