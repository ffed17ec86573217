// Efficient Local Attention, written in the DSL. Follows timm `EfficientLocalAttn`
// (timm/layers/coord_attn.py, after Xu & Wan's ELA): coordinate attention's two strips without
// the channel reduction, each through its own depthwise 1-D conv, norm, act and gate:
//   a_h = gate(act(norm_h(conv_h(mean_W x))))   conv_h: (k, 1) kernel on [N,C,H,1]
//   a_w = gate(act(norm_w(conv_w(mean_H x))))   conv_w: (1, k) kernel on [N,C,1,W]
//   y   = x · a_h · a_w (+ x with has_skip)
// timm's default norm is `GroupNorm1` (one group: each sample's strip standardised over all C
// channels and positions together, eps 1e-5, affine). The paper's code is the same block with
// GroupNorm(16) and a sigmoid; an even kernel_size makes timm's strips one longer than the
// plane, so they no longer broadcast against x: the kind takes odd ones only.

/// The norm ELA's `norm_layer` may name: timm norm classes, each built as `norm_layer(C)`.
public enum ELANorm: String, Hashable, Sendable, CaseIterable {
    /// timm `GroupNorm1`: GroupNorm with one group (the default).
    case groupnorm1
    /// timm `GroupNorm(C)`: its default of 32 groups, so C must be a multiple of 32.
    case groupnorm
    /// Eval-mode `nn.BatchNorm2d` on each strip.
    case batchnorm
    /// `norm_layer=None`: `nn.Identity`.
    case none

    /// The norm's layer on a strip, reading `<param>.*`.
    func layer(param: String) -> Layer? {
        switch self {
        case .groupnorm1: return GroupNorm(groups: 1, param: param).layer
        case .groupnorm: return GroupNorm(groups: 32, param: param).layer
        case .batchnorm: return BatchNorm(param: param).layer
        case .none: return nil
        }
    }
}

extension Catalog {
    /// k of a `(k, 1)` conv's `[C, 1, k, 1]` weight; a stated k must match.
    static func axisKernel(_ dims: [Int], _ w: some CheckpointShapes, _ tensor: String, given: Int?) throws(SpecError) -> Int? {
        guard dims.count == 4 else { return given }
        if let given, given != dims[2] {
            throw SpecError("kernel_size", "is \(given) but \(w.source) has \"\(w.displayName(tensor))\" of shape \(dims)")
        }
        return dims[2]
    }

    /// The block above with odd `kernel`.
    public static func efficientLocalAttention(
        kernel: Int, bias: Bool, act: Activation, gate: Activation, norm: ELANorm, hasSkip: Bool
    ) -> [Layer] {
        build {
            Primitive(.axisPool(.mean, axis: .w), "x")
            AxisConv1D(kernelSize: kernel, axis: .h, bias: bias, param: "conv_h")
            if let n = norm.layer(param: "norm_h") { n }
            act.layer
            gate.layer.named("a_h")
            Primitive(.axisPool(.mean, axis: .h), "x")
            AxisConv1D(kernelSize: kernel, axis: .w, bias: bias, param: "conv_w")
            if let n = norm.layer(param: "norm_w") { n }
            act.layer
            gate.layer.named("a_w")
            Multiply("x", "a_h")
            Multiply("a_w")
            if hasSkip { Add("x") }
        }
    }
}

/// Efficient Local Attention hyperparameters as given (timm `EfficientLocalAttn`).
public struct ELAOptions: Hashable, Sendable {
    /// Odd width of the two depthwise 1-D convs; default 7.
    public var kernelSize: Int?
    /// Biases on the two convs; default false.
    public var bias: Bool?
    /// After the norm; default silu.
    public var actLayer: Activation?
    /// Default sigmoid.
    public var gateLayer: Activation?
    /// Default groupnorm1.
    public var normLayer: ELANorm?
    /// Adds the input to the output; default false.
    public var hasSkip: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        kernelSize: Int? = nil, bias: Bool? = nil, actLayer: Activation? = nil, gateLayer: Activation? = nil,
        normLayer: ELANorm? = nil, hasSkip: Bool? = nil
    ) {
        self.kernelSize = kernelSize
        self.bias = bias
        self.actLayer = actLayer
        self.gateLayer = gateLayer
        self.normLayer = normLayer
        self.hasSkip = hasSkip
    }
}

extension ELAOptions: CatalogBlock {
    package static let kind = "ela"
    package static let reference = "timm EfficientLocalAttn"
    package static let hyperparameters = [
        "kernel_size=7", "bias=false", "act_layer=silu", "gate_layer=sigmoid", "norm_layer=groupnorm1", "has_skip=false",
    ]
    package static var examples: [BlockSpec] {
        [
            EfficientLocalAttention("ela_g1", input: .nchw(2, 24, 5, 7)),
            EfficientLocalAttention(
                "ela_g2", input: .nchw(1, 20, 9, 4),
                ELAOptions(kernelSize: 5, bias: true, actLayer: .hardSwish, gateLayer: .hardSigmoid, normLayer: .batchnorm, hasSkip: true)),
            EfficientLocalAttention("ela_g3", input: .nchw(2, 64, 3, 6), ELAOptions(kernelSize: 3, normLayer: .groupnorm)),
            EfficientLocalAttention("ela_g4", input: .nchw(1, 12, 1, 5), ELAOptions(kernelSize: 9, actLayer: .gelu, normLayer: ELANorm.none)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        var norm: ELANorm?
        if let name = try r.string("norm_layer") {
            guard let n = ELANorm(rawValue: name) else {
                throw SpecError(
                    "norm_layer", "unknown norm \"\(name)\" (known: \(ELANorm.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            norm = n
        }
        self.init(
            kernelSize: try r.int("kernel_size"), bias: try r.bool("bias"), actLayer: try Activation.read(&r, "act_layer"),
            gateLayer: try Activation.read(&r, "gate_layer"), normLayer: norm, hasSkip: try r.bool("has_skip"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["kernel_size"] = kernelSize.map { .int($0) }
        f["bias"] = bias.map { .bool($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["norm_layer"] = normLayer.map { .string($0.rawValue) }
        f["has_skip"] = hasSkip.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let k = kernelSize ?? 7
        try Rules.oddKernelSize(k, "kernel_size")
        try Rules.fits([input.c, k], "kernel_size", "conv_h.weight")
        let norm = normLayer ?? .groupnorm1
        if norm == .groupnorm, input.c % 32 != 0 {
            throw SpecError("norm_layer", "groupnorm splits C into timm GroupNorm's 32 groups: \(input.c) channels do not divide")
        }
        return Catalog.efficientLocalAttention(
            kernel: k, bias: bias ?? false, act: actLayer ?? .silu, gate: gateLayer ?? .sigmoid, norm: norm,
            hasSkip: hasSkip ?? false)
    }

    /// The kernel and the biases are in the file, and whether the norm is a BatchNorm (it has
    /// running statistics) or absent; stated ones must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        guard let dims = w.dims("conv_h.weight") else { return o }
        o.kernelSize = try Catalog.axisKernel(dims, w, "conv_h.weight", given: kernelSize)
        o.bias = try w.bias("conv_h.bias", given: bias)
        if normLayer == nil {
            if w.has("norm_h.running_mean") {
                o.normLayer = .batchnorm
            } else if !w.has("norm_h.weight") {
                o.normLayer = ELANorm.none
            }
        }
        return o
    }
}

/// An Efficient Local Attention block (`kind: "ela"`).
public func EfficientLocalAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: ELAOptions = ELAOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
