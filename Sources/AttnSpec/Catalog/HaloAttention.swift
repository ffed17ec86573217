// HaloNet's blocked local self-attention (Vaswani et al., 2021), written in the DSL. Follows
// timm's `layers/halo_attn.py::HaloAttn`: a 1×1 `q` conv (stride 2 when the blocks are strided)
// and a 1×1 `kv` conv whose channels are per head `dim_head` keys then `dim_out / num_heads`
// values (timm reshapes kv to [B·heads, dim_head + dim_v, …] before splitting: the two are
// interleaved by head, not one after the other as BottleneckAttn's qkv). The plane is cut into
// block_size × block_size query blocks; each attends to the (block_size + 2·halo_size)² window
// around it in the kv plane zero-padded by halo_size (the padded keys and values are zeros that
// still take part in the softmax, as in timm), with `pos_embed`'s relative-position logits on
// the window grid inside the fused attention op's row loop. Stride 2 strides the query blocks
// (block_size even) or, with avg_down or an odd block_size, average-pools 2×2 at the end.

/// HaloAttn hyperparameters (timm's constructor arguments).
public struct HaloOptions: Hashable, Sendable {
    /// Output channels; default C. num_heads must divide it.
    public var dimOut: Int?
    /// timm's `feat_size`: accepted and unused, as timm's HaloAttn takes it only for argument
    /// compatibility with BottleneckAttn and LambdaLayer (the blocks fit any plane they divide).
    public var featSize: [Int]?
    /// 1, or 2: strided query blocks (an even block_size), or a 2×2 average pool at the end (an
    /// odd block_size, or avg_down); default 1.
    public var stride: Int?
    /// Heads; default 8.
    public var numHeads: Int?
    /// Width of each query and key head; default `make_divisible(dim_out · qk_ratio, 8) // num_heads`.
    public var dimHead: Int?
    /// Side of the query blocks; must divide H and W; default 8.
    public var blockSize: Int?
    /// Rows and columns of neighbours around each block; default 3.
    public var haloSize: Int?
    /// The q/k width relative to dim_out when dim_head is not given; default 1.
    public var qkRatio: Double?
    /// Biases on the q and kv convs; default false.
    public var qkvBias: Bool?
    /// With stride 2, pool 2×2 at the end instead of striding the query blocks; default false.
    public var avgDown: Bool?
    /// Position logits scaled with qᵀk; default false.
    public var scalePosEmbed: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        dimOut: Int? = nil, featSize: [Int]? = nil, stride: Int? = nil, numHeads: Int? = nil, dimHead: Int? = nil,
        blockSize: Int? = nil, haloSize: Int? = nil, qkRatio: Double? = nil, qkvBias: Bool? = nil, avgDown: Bool? = nil,
        scalePosEmbed: Bool? = nil
    ) {
        self.dimOut = dimOut
        self.featSize = featSize
        self.stride = stride
        self.numHeads = numHeads
        self.dimHead = dimHead
        self.blockSize = blockSize
        self.haloSize = haloSize
        self.qkRatio = qkRatio
        self.qkvBias = qkvBias
        self.avgDown = avgDown
        self.scalePosEmbed = scalePosEmbed
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let out = dimOut ?? input.c
        try Rules.atLeast(1, out, "dim_out")
        try Rules.fits([out], "dim_out", "the output channels")
        let heads = numHeads ?? 8
        try Rules.heads(heads, dimOut: out, given: dimOut != nil)
        if let feat = featSize {
            for (i, v) in feat.enumerated() { try Rules.atLeast(1, v, "feat_size[\(i)]") }
        }
        let bs = blockSize ?? 8
        try Rules.atLeast(1, bs, "block_size")
        // timm asserts it in forward: the blocks tile the plane exactly.
        guard input.h % bs == 0, input.w % bs == 0 else {
            throw SpecError("block_size", "must divide the input's H and W (\(input.h)×\(input.w)), got \(bs)")
        }
        let halo = haloSize ?? 3
        try Rules.atLeast(0, halo, "halo_size")
        guard halo <= maxKernelSize else { throw SpecError("halo_size", "must be at most \(maxKernelSize), got \(halo)") }
        let s = stride ?? 1
        guard s == 1 || s == 2 else {
            throw SpecError("stride", "must be 1 or 2 (strided query blocks, or a 2×2 average pool), got \(s)")
        }
        // timm pools when the block does not split into stride-sized steps, or when asked to.
        let pooled = s == 2 && ((avgDown ?? false) || bs % 2 != 0)
        if pooled { try Rules.poolStride(s, input) }
        let dqk = try Rules.headWidth(dimHead, dimOut: out, qkRatio: qkRatio, heads: heads)
        try Rules.fits([dqk], "dim_head", "the q/k head width")
        try Rules.fits([heads * dqk + out, input.c], "dim_head", "kv.weight")
        let win = bs + 2 * halo
        let blocks = (input.h / bs) * (input.w / bs)
        try Rules.fits([input.n, heads * (dqk + out / heads), blocks, win, win], "halo_size", "the unfolded key/value windows")
        return Catalog.halo(
            input, dimOut: out, heads: heads, dimHead: dqk, blockSize: bs, haloSize: halo,
            blockStride: s == 2 && !pooled ? 2 : 1, pool: pooled, qkvBias: qkvBias ?? false, scalePosEmbed: scalePosEmbed ?? false)
    }
}

extension Catalog {
    /// Per head and block: `attention(q_block, k_window, v_window; rel_pos)`, blocks folded back.
    public static func halo(
        _ input: InputShape, dimOut: Int, heads: Int, dimHead dqk: Int, blockSize bs: Int, haloSize halo: Int,
        blockStride: Int, pool: Bool, qkvBias: Bool, scalePosEmbed: Bool
    ) -> [Layer] {
        let n = input.n
        let dv = dimOut / heads
        let (nh, nw) = (input.h / bs, input.w / bs)
        let blocks = nh * nw
        let bsd = bs / blockStride
        let win = bs + 2 * halo
        let relPos = RelPosLayer(param: "pos_embed", queryWidth: bsd, keyHeight: win, keyWidth: win, scaled: scalePosEmbed)
        return build {
            // Query blocks: [N, heads·blocks, dim_head, bsd²].
            Conv2D(heads * dqk, kernelSize: 1, padding: 0, stride: blockStride, bias: qkvBias, param: "q", of: "x")
            Primitive(.blockUnfold(window: bsd, step: bsd, padding: 0))
            Primitive(.reshape([n * heads, dqk, blocks, bsd * bsd]))
            Primitive(.transpose([0, 2, 1, 3]))
            Primitive(.reshape([n, heads * blocks, dqk, bsd * bsd])).named("q_blocks")
            // Key and value windows: [N·heads, dim_head + dim_v, blocks, win²], then split.
            Conv2D(heads * (dqk + dv), kernelSize: 1, padding: 0, bias: qkvBias, param: "kv", of: "x")
            Primitive(.blockUnfold(window: win, step: bs, padding: halo))
            Primitive(.reshape([n * heads, dqk + dv, blocks, win * win])).named("kv_windows")
            Primitive(.slice(start: 0, count: dqk), "kv_windows")
            Primitive(.transpose([0, 2, 1, 3]))
            Primitive(.reshape([n, heads * blocks, dqk, win * win])).named("k_blocks")
            Primitive(.slice(start: dqk, count: dv), "kv_windows")
            Primitive(.transpose([0, 2, 1, 3]))
            Primitive(.reshape([n, heads * blocks, dv, win * win])).named("v_blocks")
            Primitive(
                .attention(scale: 1 / Double(dqk).squareRoot(), relPos: relPos), "q_blocks", "k_blocks", "v_blocks")
            // Fold: [N·heads, blocks, dim_v, bsd²] → [N·heads·dim_v·nh, nw, bsd, bsd] → [N, dim_out, H', W'].
            Primitive(.reshape([n * heads, blocks, dv, bsd * bsd]))
            Primitive(.transpose([0, 2, 1, 3]))
            Primitive(.reshape([n * heads * dv * nh, nw, bsd, bsd]))
            Primitive(.transpose([0, 2, 1, 3]))
            Primitive(.reshape([n, dimOut, nh * bsd, nw * bsd]))
            if pool {
                Primitive(.pool2d(.mean, kernelSize: 2, stride: 2))
            }
        }
    }
}

extension HaloOptions: CatalogBlock {
    package static let kind = "halo"
    package static let reference = "timm HaloAttn"
    package static let hyperparameters = [
        "dim_out=C", "feat_size", "stride=1", "num_heads=8", "dim_head", "block_size=8", "halo_size=3", "qk_ratio=1.0",
        "qkv_bias=false", "avg_down=false", "scale_pos_embed=false",
    ]
    package static var examples: [BlockSpec] {
        [
            Halo("halo_g1", input: .nchw(2, 16, 6, 9), HaloOptions(numHeads: 2, dimHead: 3, blockSize: 3, haloSize: 1, qkvBias: true)),
            Halo("halo_g2", input: .nchw(1, 12, 8, 4), HaloOptions(stride: 2, numHeads: 3, blockSize: 4, haloSize: 2, scalePosEmbed: true)),
            Halo("halo_g3", input: .nchw(1, 8, 6, 6), HaloOptions(dimOut: 4, stride: 2, numHeads: 1, dimHead: 5, blockSize: 3, haloSize: 2)),
            Halo("halo_g4", input: .nchw(2, 8, 5, 10), HaloOptions(numHeads: 4, blockSize: 5, haloSize: 0)),
            // One-pixel blocks on an odd plane, each in a 5×5 window; one-channel q/k heads.
            Halo("halo_g5", input: .nchw(3, 10, 7, 3), HaloOptions(numHeads: 5, blockSize: 1, haloSize: 2, qkRatio: 0.5)),
            // Windows larger than the plane (10×10 around 4×4 blocks of a 4×8 plane), avg_down with an even block.
            Halo("halo_g6", input: .nchw(1, 16, 4, 8), HaloOptions(stride: 2, numHeads: 2, blockSize: 4, haloSize: 3, avgDown: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            dimOut: try r.int("dim_out"), featSize: try BottleneckOptions.pair(&r, "feat_size"), stride: try r.int("stride"),
            numHeads: try r.int("num_heads"), dimHead: try r.int("dim_head"), blockSize: try r.int("block_size"),
            haloSize: try r.int("halo_size"), qkRatio: try r.double("qk_ratio"), qkvBias: try r.bool("qkv_bias"),
            avgDown: try r.bool("avg_down"), scalePosEmbed: try r.bool("scale_pos_embed"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["dim_out"] = dimOut.map { .int($0) }
        f["feat_size"] = featSize.map { .array($0.map { .int($0) }) }
        f["stride"] = stride.map { .int($0) }
        f["num_heads"] = numHeads.map { .int($0) }
        f["dim_head"] = dimHead.map { .int($0) }
        f["block_size"] = blockSize.map { .int($0) }
        f["halo_size"] = haloSize.map { .int($0) }
        f["qk_ratio"] = qkRatio.map { .double($0) }
        f["qkv_bias"] = qkvBias.map { .bool($0) }
        f["avg_down"] = avgDown.map { .bool($0) }
        f["scale_pos_embed"] = scalePosEmbed.map { .bool($0) }
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.qkvBias = try w.bias("q.bias", given: qkvBias, field: "qkv_bias")
        if o.dimHead == nil, let d = w.dims("pos_embed.height_rel"), d.count == 2 { o.dimHead = d[1] }
        return o
    }
}

/// timm's HaloNet blocked self-attention with relative positions (`kind: "halo"`).
public func Halo(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: HaloOptions = HaloOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
