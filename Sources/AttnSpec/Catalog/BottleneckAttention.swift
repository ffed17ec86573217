// BoTNet's bottleneck self-attention (Srinivas et al., 2021), written in the DSL. Follows timm's
// `layers/bottleneck_attn.py::BottleneckAttn`: one bias-free (by default) 1×1 `qkv` conv split
// into q, k (num_heads · dim_head each) and v (dim_out); per head, softmax over all H·W keys of
// `scale · qᵀk` plus the relative-position logits of `pos_embed` (`height_rel`, `width_rel`,
// indexed as timm's `rel_logits_1d` pads and reshapes: key row minus query row plus H − 1), which
// `scale_pos_embed` puts inside the scale; then a 2×2 average pool when stride is 2. The position
// logits are added inside the fused attention op's row loop, so no H·W × H·W map is stored.
// dim_head defaults to `make_divisible(dim_out · qk_ratio, 8) // num_heads` as timm computes it.

/// BottleneckAttn hyperparameters (timm's constructor arguments).
public struct BottleneckOptions: Hashable, Sendable {
    /// Output channels; default C. num_heads must divide it.
    public var dimOut: Int?
    /// The `(H, W)` the position tables were made for; must be the input's plane (the default).
    public var featSize: [Int]?
    /// 1, or 2 for a 2×2 average pool after the attention; default 1.
    public var stride: Int?
    /// Heads; default 4.
    public var numHeads: Int?
    /// Width of each query and key head; default `make_divisible(dim_out · qk_ratio, 8) // num_heads`.
    public var dimHead: Int?
    /// The q/k width relative to dim_out when dim_head is not given; default 1.
    public var qkRatio: Double?
    /// A bias on the qkv conv; default false.
    public var qkvBias: Bool?
    /// Position logits scaled with qᵀk; default false.
    public var scalePosEmbed: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        dimOut: Int? = nil, featSize: [Int]? = nil, stride: Int? = nil, numHeads: Int? = nil, dimHead: Int? = nil,
        qkRatio: Double? = nil, qkvBias: Bool? = nil, scalePosEmbed: Bool? = nil
    ) {
        self.dimOut = dimOut
        self.featSize = featSize
        self.stride = stride
        self.numHeads = numHeads
        self.dimHead = dimHead
        self.qkRatio = qkRatio
        self.qkvBias = qkvBias
        self.scalePosEmbed = scalePosEmbed
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let out = dimOut ?? input.c
        try Rules.atLeast(1, out, "dim_out")
        let heads = numHeads ?? 4
        try Rules.heads(heads, dimOut: out, given: dimOut != nil)
        try Rules.featSize(featSize, input)
        let s = stride ?? 1
        try Rules.poolStride(s, input)
        let dqk = try Rules.headWidth(dimHead, dimOut: out, qkRatio: qkRatio, heads: heads)
        try Rules.fits([2 * heads * dqk + out, input.c], "dim_head", "qkv.weight")
        return Catalog.bottleneck(
            input, dimOut: out, heads: heads, dimHead: dqk, stride: s, qkvBias: qkvBias ?? false,
            scalePosEmbed: scalePosEmbed ?? false)
    }
}

extension Rules {
    /// num_heads divides dim_out; a stated dim_out that does not split is the field named.
    static func heads(_ heads: Int, dimOut: Int, given: Bool) throws(SpecError) {
        try atLeast(1, heads, "num_heads")
        guard dimOut % heads == 0 else {
            throw SpecError(given ? "dim_out" : "num_heads", "num_heads (\(heads)) must divide dim_out (\(dimOut))")
        }
    }

    /// timm's q/k head width: `dim_head`, or `make_divisible(dim_out · qk_ratio, 8) // num_heads`.
    static func headWidth(_ dimHead: Int?, dimOut: Int, qkRatio: Double?, heads: Int) throws(SpecError) -> Int {
        if let d = dimHead {
            try atLeast(1, d, "dim_head")
            return d
        }
        let ratio = qkRatio ?? 1
        try positiveFloat32(ratio, "qk_ratio")
        guard Double(dimOut) * ratio <= Double(maxElements) else {
            throw SpecError("qk_ratio", "makes the q/k width \(Double(dimOut) * ratio), past 32-bit indexing")
        }
        let d = makeDivisible(Double(dimOut) * ratio, divisor: 8, roundLimit: 0.9) / heads
        guard d >= 1 else {
            throw SpecError("qk_ratio", "leaves make_divisible(\(dimOut)·\(ratio), 8) // \(heads) = 0 channels per head; give dim_head")
        }
        return d
    }

    /// timm's `feat_size` must be the input's plane (it asserts so in forward); nil is the plane.
    static func featSize(_ feat: [Int]?, _ input: InputShape) throws(SpecError) {
        guard let feat else { return }
        guard feat == [input.h, input.w] else {
            throw SpecError("feat_size", "must be the input's [h, w] = [\(input.h), \(input.w)] (the position tables are made for it), got \(feat)")
        }
    }

    /// timm pools 2×2 after the attention when stride is 2 and does nothing when it is 1.
    static func poolStride(_ s: Int, _ input: InputShape) throws(SpecError) {
        guard s == 1 || s == 2 else { throw SpecError("stride", "must be 1 or 2 (a 2×2 average pool), got \(s)") }
        if s == 2, input.h < 2 || input.w < 2 {
            throw SpecError("stride", "2 pools 2×2, which does not fit the \(input.h)×\(input.w) input")
        }
    }
}

extension Catalog {
    /// `pool(attention_h(q, k, v; rel_pos))` with q, k, v the three parts of one 1×1 conv.
    public static func bottleneck(
        _ input: InputShape, dimOut: Int, heads: Int, dimHead: Int, stride: Int, qkvBias: Bool, scalePosEmbed: Bool
    ) -> [Layer] {
        let (n, l) = (input.n, input.h * input.w)
        let qk = heads * dimHead
        let relPos = RelPosLayer(param: "pos_embed", queryWidth: input.w, keyHeight: input.h, keyWidth: input.w, scaled: scalePosEmbed)
        return build {
            Conv2D(2 * qk + dimOut, kernelSize: 1, padding: 0, bias: qkvBias, param: "qkv", of: "x").named("qkv_all")
            Primitive(.slice(start: 0, count: qk), "qkv_all")
            Primitive(.reshape([n, heads, dimHead, l])).named("q_heads")
            Primitive(.slice(start: qk, count: qk), "qkv_all")
            Primitive(.reshape([n, heads, dimHead, l])).named("k_heads")
            Primitive(.slice(start: 2 * qk, count: dimOut), "qkv_all")
            Primitive(.reshape([n, heads, dimOut / heads, l])).named("v_heads")
            Primitive(.attention(scale: 1 / Double(dimHead).squareRoot(), relPos: relPos), "q_heads", "k_heads", "v_heads")
            Primitive(.reshape([n, dimOut, input.h, input.w]))
            if stride == 2 {
                Primitive(.pool2d(.mean, kernelSize: 2, stride: 2))
            }
        }
    }
}

extension BottleneckOptions: CatalogBlock {
    package static let kind = "bottleneck"
    package static let reference = "timm BottleneckAttn"
    package static let hyperparameters = [
        "dim_out=C", "feat_size=[H, W]", "stride=1", "num_heads=4", "dim_head", "qk_ratio=1.0", "qkv_bias=false",
        "scale_pos_embed=false",
    ]
    package static var examples: [BlockSpec] {
        [
            Bottleneck("bottleneck_g1", input: .nchw(2, 16, 5, 7), BottleneckOptions(numHeads: 2, dimHead: 3, qkvBias: true)),
            Bottleneck("bottleneck_g2", input: .nchw(1, 24, 7, 3), BottleneckOptions(dimOut: 12, stride: 2, numHeads: 3, scalePosEmbed: true)),
            Bottleneck("bottleneck_g3", input: .nchw(1, 8, 9, 9), BottleneckOptions(numHeads: 1, qkRatio: 0.5)),
            Bottleneck("bottleneck_g4", input: .nchw(2, 32, 1, 11), BottleneckOptions(dimOut: 16, numHeads: 4, dimHead: 5)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            dimOut: try r.int("dim_out"), featSize: try Self.pair(&r, "feat_size"), stride: try r.int("stride"),
            numHeads: try r.int("num_heads"), dimHead: try r.int("dim_head"), qkRatio: try r.double("qk_ratio"),
            qkvBias: try r.bool("qkv_bias"), scalePosEmbed: try r.bool("scale_pos_embed"))
    }

    /// timm's `to_2tuple`: `n` is `[n, n]`; otherwise two integers.
    static func pair(_ r: inout FieldReader, _ key: String) throws(SpecError) -> [Int]? {
        if case .int(let n)? = r.raw(key) { return [n, n] }
        guard let v = try r.ints(key) else { return nil }
        guard v.count == 2 else { throw SpecError(key, "must be an integer or [h, w], got \(v.count) numbers") }
        return v
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["dim_out"] = dimOut.map { .int($0) }
        f["feat_size"] = featSize.map { .array($0.map { .int($0) }) }
        f["stride"] = stride.map { .int($0) }
        f["num_heads"] = numHeads.map { .int($0) }
        f["dim_head"] = dimHead.map { .int($0) }
        f["qk_ratio"] = qkRatio.map { .double($0) }
        f["qkv_bias"] = qkvBias.map { .bool($0) }
        f["scale_pos_embed"] = scalePosEmbed.map { .bool($0) }
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.qkvBias = try w.bias("qkv.bias", given: qkvBias, field: "qkv_bias")
        // The tables' second dim is dim_head.
        if o.dimHead == nil, let d = w.dims("pos_embed.height_rel"), d.count == 2 { o.dimHead = d[1] }
        return o
    }
}

/// timm's BoTNet bottleneck self-attention with relative positions (`kind: "bottleneck"`).
public func Bottleneck(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: BottleneckOptions = BottleneckOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
