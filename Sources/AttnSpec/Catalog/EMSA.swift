// EMSA, the efficient multi-head self-attention of ResT (Zhang & Yang, NeurIPS 2021), written in
// the DSL. Follows the official wofmanaf/ResT `models/rest.py::Attention`, on NCHW: its tokens are
// the H·W pixels, so each Linear on tokens is a 1×1 conv and no transpose is needed. As in the
// code: scale = (C/h)^-0.5; `proj` always has a bias (qkv_bias covers q and kv only); the kv
// outputs hold K then V, head-major; the transform (1×1 conv across heads, softmax, then
// InstanceNorm2d with instance statistics even in eval) runs only when h > 1. Without it the
// fused attention op streams the softmax and never stores the L×L' map; with it the map is
// needed whole (the InstanceNorm spans it).

/// EMSA hyperparameters (official constructor arguments).
public struct EMSAOptions: Hashable, Sendable {
    /// Heads h; default 8. Must divide C.
    public var numHeads: Int?
    /// Spatial reduction s of the keys and values (depthwise conv k = s+1, stride s); default 1.
    public var srRatio: Int?
    /// Biases on q and kv; default false.
    public var qkvBias: Bool?
    /// The head-mixing transform; default false, and ignored when h = 1.
    public var applyTransform: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(numHeads: Int? = nil, srRatio: Int? = nil, qkvBias: Bool? = nil, applyTransform: Bool? = nil) {
        self.numHeads = numHeads
        self.srRatio = srRatio
        self.qkvBias = qkvBias
        self.applyTransform = applyTransform
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let heads = numHeads ?? 8, s = srRatio ?? 1
        try Rules.divides(heads, input.c, "C", "num_heads")
        try Rules.atLeast(1, s, "sr_ratio")
        try Rules.fits([2 * input.c, input.c], "input.c", "kv.weight")
        // The spatial reduction is a conv with kernel sr_ratio + 1.
        guard s < maxKernelSize else { throw SpecError("sr_ratio", "must be below \(maxKernelSize) (its conv's kernel is sr_ratio + 1), got \(s)") }
        if s > 1 {
            _ = try Rules.convExtent(min(input.h, input.w), kernel: s + 1, padding: s / 2, dilation: 1, stride: s, "sr_ratio")
        }
        let transform = (applyTransform ?? false) && heads > 1
        if transform {
            let keys = s > 1 ? try Rules.convExtent(input.h, kernel: s + 1, padding: s / 2, dilation: 1, stride: s, "sr_ratio")
                * Rules.convExtent(input.w, kernel: s + 1, padding: s / 2, dilation: 1, stride: s, "sr_ratio") : input.h * input.w
            try Rules.fits([input.n, heads, input.h * input.w, keys], "apply_transform", "the [N, heads, H·W, keys] attention map")
        }
        return Catalog.emsa(
            input, heads: heads, srRatio: s, qkvBias: qkvBias ?? false, transform: (applyTransform ?? false) && heads > 1)
    }
}

extension Catalog {
    /// `proj(attention_h(q(x), k(x'), v(x')))` with `x' = LN(sr(x))` when s > 1, else x.
    public static func emsa(_ input: InputShape, heads: Int, srRatio s: Int, qkvBias: Bool, transform: Bool) -> [Layer] {
        let (n, c) = (input.n, input.c)
        let d = c / heads
        let l = input.h * input.w
        // The reduced key/value grid: PyTorch's conv extent for k = s+1, stride s, padding s/2.
        let reduced = s > 1 ? ((input.h + 2 * (s / 2) - s - 1) / s + 1) * ((input.w + 2 * (s / 2) - s - 1) / s + 1) : l
        let scale = 1 / Double(d).squareRoot()
        return build {
            Conv2D(c, kernelSize: 1, padding: 0, bias: qkvBias, param: "q", of: "x")
            Primitive(.reshape([n, heads, d, l])).named("q_heads")
            if s > 1 {
                Conv2D(c, kernelSize: s + 1, padding: s / 2, stride: s, groups: c, bias: true, param: "sr", of: "x")
                Primitive(.layerNorm(param: "sr_norm", eps: 1e-5))
                Conv2D(2 * c, kernelSize: 1, padding: 0, bias: qkvBias, param: "kv").named("kv_all")
            } else {
                Conv2D(2 * c, kernelSize: 1, padding: 0, bias: qkvBias, param: "kv", of: "x").named("kv_all")
            }
            Primitive(.slice(start: 0, count: c), "kv_all")
            Primitive(.reshape([n, heads, d, reduced])).named("k_heads")
            Primitive(.slice(start: c, count: c), "kv_all")
            Primitive(.reshape([n, heads, d, reduced])).named("v_heads")
            if transform {
                // [N, h, L, L'] = scale · qᵀk per head, then mixed across heads as channels.
                Primitive(.matmul(transposeA: true, transposeB: false, alpha: scale), "q_heads", "k_heads")
                Conv2D(heads, kernelSize: 1, padding: 0, bias: true, param: "transform_conv")
                Softmax(.w)
                Primitive(.instanceNorm(eps: 1e-5))
                Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "v_heads", "_")
            } else {
                Primitive(.attention(scale: scale), "q_heads", "k_heads", "v_heads")
            }
            Primitive(.reshape([n, c, input.h, input.w]))
            Conv2D(c, kernelSize: 1, padding: 0, bias: true, param: "proj")
        }
    }
}

extension EMSAOptions: CatalogBlock {
    package static let kind = "emsa"
    package static let reference = "ResT Attention"
    package static let hyperparameters = ["num_heads=8", "sr_ratio=1", "qkv_bias=false", "apply_transform=false"]
    package static var examples: [BlockSpec] {
        [
            EMSA("emsa_g1", input: .nchw(1, 32, 8, 8), EMSAOptions(numHeads: 4, srRatio: 2, qkvBias: true, applyTransform: true)),
            EMSA("emsa_g2", input: .nchw(2, 16, 7, 5), EMSAOptions(numHeads: 2, qkvBias: true, applyTransform: true)),
            EMSA("emsa_g3", input: .nchw(1, 32, 9, 9), EMSAOptions(numHeads: 2, srRatio: 3)),
            EMSA("emsa_g4", input: .nchw(2, 16, 6, 5), EMSAOptions(numHeads: 1, srRatio: 2, applyTransform: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            numHeads: try r.int("num_heads"), srRatio: try r.int("sr_ratio"), qkvBias: try r.bool("qkv_bias"),
            applyTransform: try r.bool("apply_transform"))
    }
    package func encode(into f: inout [String: JSONValue]) {
        f["num_heads"] = numHeads.map { .int($0) }
        f["sr_ratio"] = srRatio.map { .int($0) }
        f["qkv_bias"] = qkvBias.map { .bool($0) }
        f["apply_transform"] = applyTransform.map { .bool($0) }
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.qkvBias = try w.bias("q.bias", given: qkvBias)
        return o
    }
}

/// ResT's efficient multi-head self-attention (`kind: "emsa"`).
public func EMSA(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: EMSAOptions = EMSAOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
