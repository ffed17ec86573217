// The lambda layer of LambdaNetworks (Bello, 2021), written in the DSL. Follows timm's
// `layers/lambda_layer.py::LambdaLayer`, with its local position lambdas (`r` set, the default) or
// its relative-position embedding (`feat_size` given, timm's `r=None`):
// one 1×1 `qkv` conv split into q (num_heads · dim_head), k (dim_head) and v (dim_out / num_heads),
// eval-mode BatchNorms `norm_q` and `norm_v`, k softmaxed over the H·W pixels; the content lambda
// `k·vᵀ` (dim_head × dim_v) is shared by every pixel, and each pixel's position lambda is the
// `conv_lambda` Conv3d (1 → dim_head, kernel r×r×1, padding r/2, with bias) run over each value
// channel's plane — here a Conv2d on the value channels taken as a batch of one-channel planes.
// Every pixel's query heads then meet the sum of both lambdas in one batched product, per pixel;
// for one sample that product is written in the conv's layout (see `lambda`), so nothing of the
// position lambdas' size is transposed.
// The relative-position variant's lambda at query i is Σ_j E[i,j]·v_j with E[i,j] = pos_emb[hj − hi +
// H − 1, wj − wi + W − 1] ([2H−1, 2W−1, K]): a correlation of each value plane with pos_emb, i.e.
// a conv with a (2H−1)×(2W−1) kernel, padding H−1 / W−1 and no bias, V·K·M² multiply-adds
// (M = H·W). Its products are reassociated instead: each query head meets pos_emb first
// (`rel_pos_weights`, heads·K·M²), then the values (heads·V·M²), and the position lambdas are
// never formed. pos_emb is read at import as that conv's kernel, square (zero taps where H ≠ W,
// which no query meets); timm gathers it into an M×M×K tensor, which is never formed here either:
// the constant stays pos_emb's (2H−1)(2W−1)·K floats. timm makes the table for
// feat_size and (without asserting) indexes it with the input's pixels, so the input's plane must
// be feat_size. timm reshapes the output to the input's channel count, so dim_out must be C. The
// intra-depth u is 1, as in timm.

/// LambdaLayer hyperparameters (timm's constructor arguments).
public struct LambdaOptions: Hashable, Sendable {
    /// Output channels; default C, and only C works (timm reshapes to C).
    public var dimOut: Int?
    /// 1, or 2 for a 2×2 average pool after the layer; default 1.
    public var stride: Int?
    /// Query heads; default 4. Must divide dim_out.
    public var numHeads: Int?
    /// Width of the queries and keys; default 16 (timm's default; its qk_ratio rule is not used).
    public var dimHead: Int?
    /// Side of the local position-lambda window (odd); default 9, unless `featSize` is given.
    public var r: Int?
    /// [H, W] of the relative-position variant (timm's `r=None`): `pos_emb` is made for this
    /// plane, which must be the input's. Given, `r` must not be.
    public var featSize: [Int]?
    /// A bias on the qkv conv; default false.
    public var qkvBias: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        dimOut: Int? = nil, stride: Int? = nil, numHeads: Int? = nil, dimHead: Int? = nil, r: Int? = nil, featSize: [Int]? = nil,
        qkvBias: Bool? = nil
    ) {
        self.dimOut = dimOut
        self.stride = stride
        self.numHeads = numHeads
        self.dimHead = dimHead
        self.r = r
        self.featSize = featSize
        self.qkvBias = qkvBias
    }

    /// The position lambdas: local (`r`) or relative to `feat_size`, checked on `input`.
    func position(_ input: InputShape) throws(SpecError) -> Catalog.LambdaPosition {
        guard let feat = featSize else {
            let window = r ?? 9
            try Rules.oddKernelSize(window, "r")
            try Rules.paddedPlane(channels: 1, h: input.h, w: input.w, padding: window / 2, "r", "r = \(window)")
            return .local(r: window)
        }
        if let r {
            throw SpecError("r", "is \(r) but feat_size is given: timm uses the relative-position embedding only with r=None (leave r out)")
        }
        guard feat.count == 2, feat.allSatisfy({ $0 >= 1 }) else {
            throw SpecError("feat_size", "must be an integer or [h, w] of positive integers, got \(feat)")
        }
        guard feat == [input.h, input.w] else {
            throw SpecError(
                "feat_size",
                "is \(feat[0])×\(feat[1]) but the input's plane is \(input.h)×\(input.w): timm's pos_emb is made for feat_size and indexes "
                    + "every pixel pair of the plane, so the input must be feat_size")
        }
        let side = max(feat[0], feat[1])
        guard side <= (maxKernelSize + 1) / 2 else {
            throw SpecError("feat_size", "makes a \(2 * side - 1)-wide position kernel, past the \(maxKernelSize) a kernel may have")
        }
        try Rules.paddedPlane(channels: 1, h: input.h, w: input.w, padding: side - 1, "feat_size", "feat_size \(feat)")
        return .relative(h: feat[0], w: feat[1])
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let out = dimOut ?? input.c
        guard out == input.c else {
            throw SpecError("dim_out", "must be the input's C (\(input.c)): timm's LambdaLayer reshapes its output to C channels, got \(out)")
        }
        let heads = numHeads ?? 4
        try Rules.heads(heads, dimOut: out, given: dimOut != nil)
        let s = stride ?? 1
        try Rules.poolStride(s, input)
        let k = dimHead ?? 16
        try Rules.atLeast(1, k, "dim_head")
        let position = try position(input)
        try Rules.fits([heads * k + k + out / heads, input.c], "dim_head", "qkv.weight")
        // The position lambdas: dim_head × dim_v per pixel.
        try Rules.fits([input.n, input.h * input.w, out / heads, k], "dim_head", "the position lambdas")
        if case .relative(let h, let w) = position {
            let side = 2 * max(h, w) - 1
            try Rules.fits([k, 1, side, side], "dim_head", "the position kernel")
        }
        return Catalog.lambda(input, heads: heads, dimHead: k, position: position, stride: s, qkvBias: qkvBias ?? false)
    }

    /// The relative-position variant's conv kernel is `pos_emb`, laid out at import.
    package func derivedTensors(_ input: InputShape) throws(SpecError) -> [String: DerivedTensor] {
        guard case .relative(let h, let w) = try position(input) else { return [:] }
        return ["pos_emb.weight": .relativePositionKernel(tensor: "pos_emb", height: h, width: w)]
    }
}

extension Catalog {
    /// Where a lambda layer's position lambdas come from.
    public enum LambdaPosition: Hashable, Sendable {
        /// `conv_lambda`, an r×r window with a bias.
        case local(r: Int)
        /// `pos_emb` for an h×w plane, as a conv kernel over the whole plane (no bias).
        case relative(h: Int, w: Int)
    }

    /// `pool(q_m · (k vᵀ + P(v)_m))` per pixel m and query head, P the position lambdas.
    public static func lambda(
        _ input: InputShape, heads: Int, dimHead k: Int, position: LambdaPosition, stride: Int, qkvBias: Bool
    ) -> [Layer] {
        let (n, c, m) = (input.n, input.c, input.h * input.w)
        let v = c / heads
        guard case .local(let r) = position else {
            return relativeLambda(input, heads: heads, dimHead: k, stride: stride, qkvBias: qkvBias)
        }
        return build {
            Conv2D(heads * k + k + v, kernelSize: 1, padding: 0, bias: qkvBias, param: "qkv", of: "x").named("qkv_all")
            // Queries: [N, M, heads, K], one small matrix per pixel.
            Primitive(.slice(start: 0, count: heads * k), "qkv_all")
            BatchNorm(param: "norm_q").named("q_all")
            if n > 1 {
                Primitive(.reshape([n, heads, k, m]))
                Primitive(.transpose([0, 3, 1, 2])).named("q_px")
            }
            // Keys softmaxed over the pixels: [N, 1, K, M].
            Primitive(.slice(start: heads * k, count: k), "qkv_all")
            Primitive(.reshape([n, 1, k, m]))
            Softmax(.w).named("k_soft")
            Primitive(.slice(start: heads * k + k, count: v), "qkv_all")
            BatchNorm(param: "norm_v").named("v_norm")
            // The content lambda kᵀ-by-v, [N, 1, V, K] so it adds to each pixel's position lambda.
            Primitive(.reshape([n, 1, v, m]), "v_norm").named("v_rows")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "v_rows", "k_soft").named("content")
            if n == 1 {
                // The content lambda as [V, K, 1, 1], one entry per plane of the position lambdas.
                Primitive(.reshape([v, k, 1, 1]), "content").named("content_col")
            }
            // Position lambdas: each value channel's plane through the r×r conv, [N, M, V, K].
            Primitive(.reshape([n * v, 1, input.h, input.w]), "v_norm")
            Conv2D(k, kernelSize: r, padding: r / 2, bias: true, param: "conv_lambda")
            if n == 1 {
                // One sample: the per-pixel products in the conv's own layout, [V, K, H, W] (no
                // transposes). Each head's output is the mean over K (the conv's channels) of
                // K·q_head·(P + content): one pass of the lambdas per head, the product computed
                // where the mean reads it, each pixel's row of sums vectorised along the plane.
                Add("content_col").named("lambdas")
                for head in 0..<heads {
                    Primitive(.slice(start: head * k, count: k), "q_all")
                    MultiplyScalar(Double(k))
                    Multiply("lambdas")
                    ChannelPool(.mean)
                    Primitive(.reshape([1, v, input.h, input.w])).named("y\(head)")
                }
                if heads > 1 {
                    Layer(.concat, inputs: (0..<heads).map { "y\($0)" })
                }
            } else {
                Primitive(.reshape([n, v, k, m]))
                Primitive(.transpose([0, 3, 1, 2]))
                Add("content")
                // Per pixel: [heads, K] · [V, K]ᵀ, then back to [N, heads·V, H, W].
                Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "q_px", "_")
                Primitive(.transpose([0, 2, 3, 1]))
                Primitive(.reshape([n, c, input.h, input.w]))
            }
            if stride == 2 {
                Primitive(.pool2d(.mean, kernelSize: 2, stride: 2))
            }
        }
    }
}

extension Catalog {
    /// The relative-position variant with its products reassociated: its position lambdas
    /// (V·K per pixel, a correlation of each value plane with pos_emb) are never formed. Query
    /// i's head g meets them as `Σ_k q[g,k,i]·Σ_j E[i,j,k]·v[j] = Σ_j v[j]·Y[g,i,j]` with
    /// `Y[g,i,j] = Σ_k q[g,k,i]·E[i,j,k]` (`relPosWeights`, heads·K·M² multiply-adds) and the
    /// heads·V·M² of `v·Yᵀ`, in place of the correlation's V·K·M². The content lambda
    /// meets the queries in its own small product, and the heads' outputs land in timm's
    /// channel order (head-major) as they are computed.
    fileprivate static func relativeLambda(_ input: InputShape, heads: Int, dimHead k: Int, stride: Int, qkvBias: Bool) -> [Layer] {
        let (n, c, m) = (input.n, input.c, input.h * input.w)
        let v = c / heads
        return build {
            Conv2D(heads * k + k + v, kernelSize: 1, padding: 0, bias: qkvBias, param: "qkv", of: "x").named("qkv_all")
            Primitive(.slice(start: 0, count: heads * k), "qkv_all")
            BatchNorm(param: "norm_q").named("q_all")
            // Keys softmaxed over the pixels: [N, 1, K, M].
            Primitive(.slice(start: heads * k, count: k), "qkv_all")
            Primitive(.reshape([n, 1, k, m]))
            Softmax(.w).named("k_soft")
            Primitive(.slice(start: heads * k + k, count: v), "qkv_all")
            BatchNorm(param: "norm_v")
            // The content lambda kᵀ-by-v, [N, 1, V, K].
            Primitive(.reshape([n, 1, v, m])).named("v_rows")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "v_rows", "k_soft").named("content")
            // Position part: [N, heads, M, M] weights, then Σ_j v[j]·Y[g,i,j] → [N, heads, V, M].
            Primitive(.relPosWeights(dimHead: k, param: "pos_emb"), "q_all")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "v_rows", "_")
            Primitive(.reshape([n, c, input.h, input.w])).named("y_pos")
            // Content part: [V, K] · [K, M] per head; the sum is the block's output.
            Primitive(.reshape([n, heads, k, m]), "q_all")
            Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "content", "_")
            Primitive(.reshape([n, c, input.h, input.w]))
            Add("y_pos")
            if stride == 2 {
                Primitive(.pool2d(.mean, kernelSize: 2, stride: 2))
            }
        }
    }
}

extension LambdaOptions: CatalogBlock {
    package static let kind = "lambda"
    package static let reference = "timm LambdaLayer"
    package static let hyperparameters = ["dim_out=C", "stride=1", "num_heads=4", "dim_head=16", "r=9", "feat_size", "qkv_bias=false"]
    package static var examples: [BlockSpec] {
        [
            Lambda("lambda_g1", input: .nchw(2, 16, 5, 7), LambdaOptions(numHeads: 2, dimHead: 3, r: 3, qkvBias: true)),
            Lambda("lambda_g2", input: .nchw(1, 12, 7, 3), LambdaOptions(stride: 2, numHeads: 3, dimHead: 4, r: 5)),
            Lambda("lambda_g3", input: .nchw(1, 8, 4, 4), LambdaOptions(numHeads: 1, dimHead: 5)),
            Lambda("lambda_g4", input: .nchw(2, 8, 1, 9), LambdaOptions(numHeads: 4, dimHead: 2, r: 7)),
            // The relative-position variant: square, non-square with stride 2, a single row.
            Lambda("lambda_g5", input: .nchw(2, 16, 5, 5), LambdaOptions(numHeads: 2, dimHead: 3, featSize: [5, 5], qkvBias: true)),
            Lambda("lambda_g6", input: .nchw(1, 12, 7, 4), LambdaOptions(stride: 2, numHeads: 3, dimHead: 4, featSize: [7, 4])),
            Lambda("lambda_g7", input: .nchw(1, 8, 1, 6), LambdaOptions(numHeads: 4, dimHead: 2, featSize: [1, 6])),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            dimOut: try r.int("dim_out"), stride: try r.int("stride"), numHeads: try r.int("num_heads"),
            dimHead: try r.int("dim_head"), r: try r.int("r"), featSize: try BottleneckOptions.pair(&r, "feat_size"),
            qkvBias: try r.bool("qkv_bias"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["dim_out"] = dimOut.map { .int($0) }
        f["stride"] = stride.map { .int($0) }
        f["num_heads"] = numHeads.map { .int($0) }
        f["dim_head"] = dimHead.map { .int($0) }
        f["r"] = r.map { .int($0) }
        f["feat_size"] = featSize.map { .array($0.map { .int($0) }) }
        f["qkv_bias"] = qkvBias.map { .bool($0) }
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.qkvBias = try w.bias("qkv.bias", given: qkvBias, field: "qkv_bias")
        // conv_lambda.weight is [dim_head, 1, r, r, 1].
        if let d = w.dims("conv_lambda.weight"), d.count >= 4 {
            o.dimHead = try w.kernel("conv_lambda.weight", given: dimHead, first: true, field: "dim_head")
            if o.r == nil { o.r = d[2] }
        }
        // pos_emb is [2H−1, 2W−1, dim_head]: the relative-position variant, and its feat_size.
        if let d = w.dims("pos_emb"), d.count == 3 {
            if let r { throw SpecError("r", "is \(r) but \(w.source) has \"\(w.displayName("pos_emb"))\" (timm's relative-position variant, r=None)") }
            o.dimHead = try w.kernel("pos_emb", given: dimHead, field: "dim_head")
            if d[0] % 2 == 1, d[1] % 2 == 1 {
                let feat = [(d[0] + 1) / 2, (d[1] + 1) / 2]
                if let featSize, featSize != feat {
                    throw SpecError("feat_size", "is \(featSize) but \(w.source) has \"\(w.displayName("pos_emb"))\" of shape \(d) (feat_size \(feat))")
                }
                o.featSize = feat
            }
        }
        return o
    }
}

/// timm's lambda layer, with local or relative position lambdas (`kind: "lambda"`).
public func Lambda(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: LambdaOptions = LambdaOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
