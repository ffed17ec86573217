// The closed set of primitive ops. Every consumer (verifier, interpreter, emitter) switches over
// `Op` exhaustively, so a new case does not compile until each of them handles it.

/// How a pooling op combines the elements it reduces.
public enum PoolMode: String, Sendable, Codable, CaseIterable {
    /// The arithmetic mean (sum over the count).
    case mean
    /// The largest element; NaN elements are skipped, in the C and the interpreter alike.
    case max
}

/// Pointwise functions of one operand, each as PyTorch defines it.
public enum UnaryOp: Hashable, Sendable {
    /// `max(x, 0)`.
    case relu
    /// `1 / (1 + e^−x)`.
    case sigmoid
    /// PyTorch's `relu6(x + 3) / 6` (not Keras' `0.2x + 0.5`).
    case hardSigmoid
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x · sigmoid(x)` (`nn.SiLU`, swish).
    case silu
    /// `x · relu6(x + 3) / 6` (`nn.Hardswish`).
    case hardSwish
    /// `x/2 · (1 + erf(x/√2))` (`nn.GELU()`).
    case gelu
    /// `x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³)))` (`nn.GELU(approximate='tanh')`).
    case geluTanh
    /// `tanh(x)` (`nn.Tanh`).
    case tanh
    /// `√x` (`torch.sqrt`; NaN below 0).
    case sqrt
    /// `x` for `x ≥ 0`, `slope · x` below (`nn.LeakyReLU(negative_slope)`).
    case leakyRelu(slope: Float)
    /// `x · value`, a multiplication by a constant.
    case mulScalar(Float)
    /// `x + value`, an addition of a constant.
    case addScalar(Float)

    /// The name printed in the IR and used by `explain`: the JSON op's name.
    public var name: String {
        switch self {
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .hardSigmoid: return "hard_sigmoid"
        case .relu6: return "relu6"
        case .silu: return "silu"
        case .hardSwish: return "hard_swish"
        case .gelu: return "gelu"
        case .geluTanh: return "gelu_tanh"
        case .tanh: return "tanh"
        case .sqrt: return "sqrt"
        case .leakyRelu: return "leaky_relu"
        case .mulScalar: return "mul_scalar"
        case .addScalar: return "add_scalar"
        }
    }

    /// The constant an op carries (a slope or an operand), which must be a finite float.
    public var constant: Float? {
        switch self {
        case .leakyRelu(let v), .mulScalar(let v), .addScalar(let v): return v
        case .relu, .sigmoid, .hardSigmoid, .relu6, .silu, .hardSwish, .gelu, .geluTanh, .tanh, .sqrt: return nil
        }
    }

    /// One of each case (the constant ones with a sample value), for tests that cover them all.
    public static let allCases: [UnaryOp] = [
        .relu, .sigmoid, .hardSigmoid, .relu6, .silu, .hardSwish, .gelu, .geluTanh, .tanh, .sqrt, .leakyRelu(slope: 0.01),
        .mulScalar(0.5), .addScalar(3),
    ]
}

/// Pointwise functions of two operands, broadcasting numpy style.
public enum BinaryOp: String, Sendable, Codable, CaseIterable {
    /// `a + b`.
    case add
    /// `a − b`.
    case sub
    /// `a · b`.
    case mul
}

/// An axis (or the flattened H·W pair) that an op normalises or reduces along.
public enum Axis: String, Sendable, Codable, CaseIterable {
    /// Channels.
    case c
    /// Height.
    case h
    /// Width.
    case w
    /// H and W together, as one axis of H·W elements (a pixel index).
    case hw
}

/// How a channel conv1d fills the taps that fall outside the C channels (PyTorch's `padding_mode`).
public enum ChannelPadding: String, Sendable, Codable, CaseIterable {
    /// Taps outside read 0 (ECA).
    case zeros
    /// Channel `c` reads `(c + shift) mod C`: the channels form a ring (timm's CECA).
    case circular
}

/// Which side of a value's H×W planes a block matrix multiplies (`Op.blockMatmul`).
public enum MatrixSide: String, Sendable, Codable, CaseIterable {
    /// `(M ⊗ I)·X`: mixes rows, H = b·t.
    case left
    /// `X·(M ⊗ I)`: mixes columns, W = b·t.
    case right
}

/// Index of a parameter tensor in `Program.params`.
public typealias ParamID = Int

/// Attributes of a 2-D convolution (PyTorch cross-correlation, zero padding, square kernel).
/// Output size per axis is `floor((in + 2·padding − dilation·(kernel−1) − 1) / stride) + 1`.
public struct Conv2dAttrs: Hashable, Sendable {
    /// The `[out, in/groups, k, k]` weight tensor.
    public let weight: ParamID
    /// The per-output-channel bias, if the conv has one.
    public let bias: ParamID?
    /// Output channels.
    public let outChannels: Int
    /// Side of the square kernel.
    public let kernel: Int
    /// Zeros added on every side of each plane.
    public let padding: Int
    /// Spacing between kernel taps (1 = dense).
    public let dilation: Int
    /// Step between output positions on both axes.
    public let stride: Int
    /// Input and output channels split into this many independent groups (C for depthwise).
    public let groups: Int

    /// Attributes of one conv; shape inference checks them against the operand.
    public init(
        weight: ParamID, bias: ParamID?, outChannels: Int, kernel: Int, padding: Int, dilation: Int,
        stride: Int = 1, groups: Int = 1
    ) {
        self.weight = weight
        self.bias = bias
        self.outChannels = outChannels
        self.kernel = kernel
        self.padding = padding
        self.dilation = dilation
        self.stride = stride
        self.groups = groups
    }

    /// Output extent along one spatial axis of input extent `n`, or a value < 1 when it does not fit.
    public func outputExtent(_ n: Int) -> Int {
        let span = n + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }
}

/// The relative-position logits of timm's `PosEmbedRel` (BoTNet, HaloNet), added to attention's
/// scores: query `i` sits at `(i / queryWidth, i % queryWidth)` of its grid, key `j` at
/// `(j / keyWidth, j % keyWidth)` of a `keyHeight`×`keyWidth` grid, and the score gains
/// `scale · q_i · (heightRel[kh − qh + keyHeight − 1] + widthRel[kw − qw + keyWidth − 1])`.
/// That is the index `rel_logits_1d`'s pad-and-reshape trick reaches; it needs the query grid no
/// larger than the key grid on either axis.
public struct RelPosLogits: Hashable, Sendable {
    /// The `[2·keyHeight − 1, D]` table along H.
    public let heightRel: ParamID
    /// The `[2·keyWidth − 1, D]` table along W.
    public let widthRel: ParamID
    /// Columns of the query grid (its rows are L / queryWidth).
    public let queryWidth: Int
    /// Rows of the key grid.
    public let keyHeight: Int
    /// Columns of the key grid.
    public let keyWidth: Int
    /// The factor on the position logits: 1, or attention's scale (timm's `scale_pos_embed`).
    public let scale: Float

    /// Relative-position logits over the given grids; shape inference checks them.
    public init(heightRel: ParamID, widthRel: ParamID, queryWidth: Int, keyHeight: Int, keyWidth: Int, scale: Float) {
        self.heightRel = heightRel
        self.widthRel = widthRel
        self.queryWidth = queryWidth
        self.keyHeight = keyHeight
        self.keyWidth = keyWidth
        self.scale = scale
    }
}

/// One primitive op. Operands are given by the instruction; shapes follow `Op.resultShape`.
public enum Op: Hashable, Sendable {
    // MARK: reductions
    /// Reduce over H×W: `[N,C,H,W] → [N,C,1,1]`.
    case globalPool(PoolMode)
    /// Reduce over C: `[N,C,H,W] → [N,1,H,W]`.
    case channelPool(PoolMode)
    /// Reduce over H only (`[N,C,1,W]`) or W only (`[N,C,H,1]`): coordinate attention's strips.
    case axisPool(PoolMode, Axis)
    /// Pooling windows of `kernel`×`kernel` moved by `stride`, floor mode, over the input padded
    /// by `padding` on each side (PyTorch `AvgPool2d(k, s, p, count_include_pad=)` /
    /// `MaxPool2d(k, s, p)`): the padding never wins a max, and a mean divides by k² when
    /// `countIncludePad`, else by the window's elements inside the input (timm's GatherExcite).
    case pool2d(PoolMode, kernel: Int, stride: Int, padding: Int = 0, countIncludePad: Bool = true)
    /// `y[n,c] = Σ_hw F[c,h,w]·x[n,c,h,w]`: a learned weighting of each channel's pixels.
    case weightedPool(weight: ParamID)
    /// The variance over H×W: `[N,C,H,W] → [N,C,1,1]`, `Σ(x − mean)²` divided by H·W − 1 when
    /// `unbiased` (`torch.var`'s default) or by H·W; two passes over each plane.
    case variance(unbiased: Bool)

    // MARK: dense
    /// `y[n,o] = Σ_i W[o,i]·x[n,i] (+ b[o])` on vectors `[N,I,1,1] → [N,O,1,1]`.
    case linear(weight: ParamID, bias: ParamID?, outFeatures: Int)
    /// Cross-correlation along the channel axis of a vector, padding `(k-1)/2` (zeros, or
    /// circular: then at most C), no bias.
    case channelConv1d(weight: ParamID, kernel: Int, padding: ChannelPadding = .zeros)
    /// k×k convolution with zero padding, dilation, stride and groups (`Conv2dAttrs`).
    case conv2d(Conv2dAttrs)
    /// Depthwise convolution along H (a `(k, 1)` kernel) or W (`(1, k)`): per channel
    /// `y[n,c,t] = Σ_j w[c,j]·x[n,c,t + j − (k−1)/2] (+ b[c])` along the axis, zeros outside,
    /// stride 1, odd k. Weight `[C,1,k,1]` (H) or `[C,1,1,k]` (W), as PyTorch stores it.
    case axisConv1d(weight: ParamID, bias: ParamID?, kernel: Int, axis: Axis)

    /// Batched matrix product. Each operand is a stack of matrices indexed by (n, c), each matrix
    /// H rows × W columns; `op(A)·op(B)·alpha` per (n, c), with n and c broadcast when 1.
    case matmul(transposeA: Bool, transposeB: Bool, alpha: Float)
    /// Fused `V · softmax(scale · Qᵀ K)ᵀ` per (n, c): Q is [N,B,D,L], K [N,B,D,L'], V [N,B,Dv,L'];
    /// the result is [N,B,Dv,L] and softmax runs over the L' keys. The C never stores the
    /// L×L' matrix: it works one query row at a time. With `relPos`, each score also gets a
    /// relative-position logit (BoTNet's and HaloNet's `rel_logits_1d`), added in the same row.
    case attention(scale: Float, relPos: RelPosLogits? = nil)
    /// A product with a block matrix per (n, c), operands X [N,C,H,W] and M [N or 1,G,b,b]
    /// (G divides C; channel c takes M's plane c / (C/G), as an `expand` over groups).
    /// `left`: `(M ⊗ I_t)·X` with t = H/b, i.e. `y[h,w] = Σ_i M[h/t, i]·X[i·t + h%t, w]`;
    /// `right`: `X·(M ⊗ I_t)` with t = W/b, i.e. `y[h,w] = Σ_j X[h, j·t + w%t]·M[j, w/t]`.
    /// BAT's `resize_mat` then `matmul`, without the H×H (or W×W) Kronecker matrix.
    case blockMatmul(MatrixSide)
    /// The lambda layer's relative-position weights (timm's `LambdaLayer` with `feat_size`),
    /// the position lambdas reassociated onto the queries: operand Q [N, G·K, H, W] (G heads of K
    /// channels), `table` [K, 1, s, s] (s odd, (s − 1)/2 = r ≥ H − 1 and ≥ W − 1: the position
    /// conv's kernel), result [N, G, H·W, H·W] with `y[n, g, i, j] = Σ_k Q[n, g·K + k, i] ·
    /// table[k, 0, hj − hi + r, wj − wi + r]` for query pixel i = (hi, wi) and key pixel j = (hj, wj).
    /// `Σ_j v[j]·y[g, i, j]` is then query i's head g met with the position lambda of v, without
    /// forming the position lambdas (K per value channel and pixel).
    case relPosWeights(table: ParamID)

    // MARK: per-channel
    /// `y = scale[c]·x + shift[c]`: an eval-mode BatchNorm after folding its statistics.
    case affine(scale: ParamID, shift: ParamID)

    // MARK: normalisation
    /// Softmax along an axis, max-subtracted as PyTorch does.
    case softmax(Axis)
    /// `x / (eps + Σ|x|)` along an axis (EANet's double normalisation; its input is ≥ 0).
    case l1Normalize(Axis, eps: Float)
    /// LayerNorm over C at each pixel (biased variance), optionally with a per-channel affine.
    case layerNorm(scale: ParamID?, shift: ParamID?, eps: Float)
    /// InstanceNorm over H·W of each (n, c) with the sample's own statistics, no affine.
    case instanceNorm(eps: Float)
    /// GroupNorm (`nn.GroupNorm`): per sample, the C channels split into `groups` runs of C/groups,
    /// each standardised over its channels × H·W with the biased variance, then the optional
    /// per-channel affine.
    case groupNorm(groups: Int, scale: ParamID?, shift: ParamID?, eps: Float)

    // MARK: values from parameters
    /// A parameter tensor used as a value of the given shape (a learnable scalar, a per-channel
    /// weight); binary ops broadcast it.
    case constant(ParamID, Shape)

    // MARK: elementwise
    /// A pointwise function of one operand; fusible into its readers.
    case unary(UnaryOp)
    /// A pointwise function of two operands, broadcasting axes of extent 1.
    case binary(BinaryOp)

    // MARK: layout
    /// Concatenation of the operands along C, in operand order.
    case concat
    /// Channels `[start, start + count)`.
    case slice(start: Int, count: Int)
    /// The same elements in the same NCHW order, viewed with another shape of equal size.
    case reshape(Shape)
    /// Axes permuted: result axis `i` is operand axis `perm[i]` (0 = N, 1 = C, 2 = H, 3 = W).
    case transpose([Int])
    /// Blocks of each plane as rows (HaloNet's unfold): `[N,C,H,W] → [N,C,B,window²]`, block
    /// `b = bh·nw + bw` holding the `window`×`window` patch at `(bh·step − padding, bw·step −
    /// padding)` in row-major order, zeros outside the plane; `nh = (H + 2·padding − window) /
    /// step + 1` blocks down (likewise across), PyTorch's `F.pad` then `unfold(2, …).unfold(3, …)`.
    case blockUnfold(window: Int, step: Int, padding: Int)
    /// PyTorch's legacy `nearest` resize to H×W (`src = min(floor(dst · (float)in/out), in − 1)`).
    case upsampleNearest(h: Int, w: Int)
}
