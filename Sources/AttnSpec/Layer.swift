// One step of a block's op graph, at the level users write: PyTorch-like layers with named
// parameters. Lowering turns these into IR instructions.

/// A layer: an op, the values it reads, and optionally a name for its result.
///
/// Operands: `inputs` names earlier results (`"x"` is the block input); when fewer names are
/// given than the op takes, the previous layer's result comes first. A layer whose result is
/// named with `as` can be read again later: that is how branches (CBAM's avg and max paths)
/// are written.
public struct Layer: Hashable, Sendable {
    /// What the layer computes.
    public var op: LayerOp
    /// Names of the values it reads; empty means the previous result (`"x"` is the block input).
    public var inputs: [String]
    /// The name later layers read its result by (JSON `as`); nil leaves it unnamed.
    public var name: String?

    /// A layer applying `op` to `inputs` (the previous result when empty), named `name`.
    public init(_ op: LayerOp, inputs: [String] = [], name: String? = nil) {
        self.op = op
        self.inputs = inputs
        self.name = name
    }

    /// The same layer with its result named, to be read later by `inputs`.
    public func named(_ name: String) -> Layer {
        var copy = self
        copy.name = name
        return copy
    }
}

/// The primitive layers. `param` names the layer's tensors in the state_dict (`fc1` → `fc1.weight`,
/// `fc1.bias`); two layers with the same `param` share weights.
public enum LayerOp: Hashable, Sendable {
    /// Mean or max over H×W per channel: `[N,C,H,W] → [N,C,1,1]`.
    case globalPool(PoolKind)
    /// Mean or max over C per pixel: `[N,C,H,W] → [N,1,H,W]`.
    case channelPool(PoolKind)
    /// A fully connected layer on a pooled vector, `<param>.weight` `[out, in]`.
    case linear(outFeatures: Int, bias: Bool, param: String)
    /// ECA's conv along C: odd width, no bias, `<param>.weight` `[1, 1, k]`; `padding` is PyTorch's
    /// `padding_mode` (zeros, or circular as timm's CECA).
    case channelConv1d(kernelSize: Int, param: String, padding: ChannelPaddingKind = .zeros)
    /// A k×k convolution as PyTorch's `nn.Conv2d`.
    case conv2d(Conv2DLayer)
    /// A depthwise `nn.Conv2d` with a `(k, 1)` kernel (`axis: .h`) or `(1, k)` (`.w`), padding
    /// `k // 2` on that axis, odd k; `<param>.weight` `[C,1,k,1]` or `[C,1,1,k]`, `<param>.bias` when `bias`.
    case axisConv1d(kernelSize: Int, axis: LayerAxis, bias: Bool, param: String)
    /// Eval-mode BatchNorm: `weight`, `bias`, `running_mean`, `running_var` folded to an affine.
    case batchNorm(param: String, eps: Double)
    /// `max(x, 0)`.
    case relu
    /// `1 / (1 + e^−x)`.
    case sigmoid
    /// PyTorch's `relu6(x + 3) / 6`.
    case hardSigmoid
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x · sigmoid(x)` (`nn.SiLU`).
    case silu
    /// `x · relu6(x + 3) / 6` (`nn.Hardswish`).
    case hardSwish
    /// `nn.GELU`: the erf form, or with `approximateTanh` PyTorch's `approximate='tanh'`.
    case gelu(approximateTanh: Bool)
    /// `tanh(x)` (`nn.Tanh`).
    case tanh
    /// `√x` (`torch.sqrt`: NaN below 0).
    case sqrt
    /// `nn.LeakyReLU(negative_slope)`: `x` for `x ≥ 0`, `negativeSlope · x` below.
    case leakyRelu(negativeSlope: Double)
    /// `x · value`.
    case mulScalar(Double)
    /// `x + value`.
    case addScalar(Double)
    /// Broadcasting sum of two values.
    case add
    /// Broadcasting difference of two values (first minus second).
    case sub
    /// Broadcasting product of two values.
    case mul
    /// Its inputs stacked along C, in order.
    case concat
    /// Mean or max over H only (`axis: .h` → `[N,C,1,W]`) or W only (`[N,C,H,1]`).
    case axisPool(PoolKind, axis: LayerAxis)
    /// `AvgPool2d`/`MaxPool2d(kernel, stride, padding)`, floor mode; a mean counts the padding
    /// in its divisor when `countIncludePad` (PyTorch's default), else only the input's elements.
    case pool2d(PoolKind, kernelSize: Int, stride: Int, padding: Int = 0, countIncludePad: Bool = true)
    /// `Σ_hw F[c,h,w]·x[n,c,h,w]` with `<param>.weight` of shape [C,H,W].
    case weightedPool(param: String)
    /// `torch.var` over H·W → [N,C,1,1]: `Σ(x − mean)²` over H·W − 1 when `unbiased`, else H·W.
    case variance(unbiased: Bool)
    /// PyTorch's default (legacy nearest) `F.interpolate` to `h`×`w`.
    case upsampleNearest(h: Int, w: Int)
    /// HaloNet's blocked unfold: `[N,C,H,W] → [N,C,blocks,window²]`, each `window`×`window`
    /// patch `step` apart in a plane zero-padded by `padding`; see `Op.blockUnfold`.
    case blockUnfold(window: Int, step: Int, padding: Int)
    /// Max-subtracted softmax along an axis.
    case softmax(LayerAxis)
    /// `x / (eps + Σ|x|)` along an axis.
    case l1Normalize(LayerAxis, eps: Double)
    /// LayerNorm over C at each pixel; with `param`, affine `<param>.weight`, `<param>.bias`.
    case layerNorm(param: String?, eps: Double)
    /// InstanceNorm over H·W of each channel with the sample's statistics (no affine).
    case instanceNorm(eps: Double)
    /// `nn.GroupNorm(groups, C, eps)`: each group of C/groups channels standardised over its
    /// channels and pixels; with `param`, affine `<param>.weight`, `<param>.bias`.
    case groupNorm(groups: Int, param: String?, eps: Double)
    /// Per (n, c): `alpha · op(A) · op(B)` on the H×W planes (`op` transposes when asked).
    case matmul(transposeA: Bool, transposeB: Bool, alpha: Double)
    /// Fused `V · softmax(scale · Qᵀ K)ᵀ` on [N,B,D,L] planes; see `Op.attention`. With
    /// `relPos`, timm's relative-position logits join the scores (BoTNet, HaloNet).
    case attention(scale: Double, relPos: RelPosLayer? = nil)
    /// Inputs X [N,C,H,W] and M [N,G,b,b]: `(M ⊗ I)·X` (left) or `X·(M ⊗ I)` (right) per
    /// channel, channel c taking M's plane c / (C/G); see `Op.blockMatmul`.
    case blockMatmul(BlockSide)
    /// The lambda layer's relative-position weights: queries [N, G·dimHead, H, W] →
    /// [N, G, H·W, H·W], `y[g, i, j] = Σ_k q[g·dimHead + k, i]·<param>.weight[k, 0, hj − hi + r,
    /// wj − wi + r]` with `<param>.weight` [dimHead, 1, 2r + 1, 2r + 1], r = max(H, W) − 1 (the
    /// position conv's kernel); see `Op.relPosWeights`.
    case relPosWeights(dimHead: Int, param: String)
    /// A state_dict tensor named exactly `param`, used as a value of `shape` (a learnable γ).
    /// It must be named with `as` and read by that name: it does not become the previous result.
    case parameter(param: String, shape: [Int])
    /// Channels `[start, start + count)`.
    case slice(start: Int, count: Int)
    /// Same NCHW element order, another shape `[n, c, h, w]`.
    case reshape([Int])
    /// Result axis i is operand axis `perm[i]` (0 N, 1 C, 2 H, 3 W).
    case transpose([Int])

    /// JSON `op` name.
    public var jsonName: String {
        switch self {
        case .globalPool: return "global_pool"
        case .channelPool: return "channel_pool"
        case .linear: return "linear"
        case .channelConv1d: return "channel_conv1d"
        case .conv2d: return "conv2d"
        case .axisConv1d: return "axis_conv1d"
        case .batchNorm: return "batch_norm"
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .hardSigmoid: return "hard_sigmoid"
        case .relu6: return "relu6"
        case .silu: return "silu"
        case .hardSwish: return "hard_swish"
        case .gelu: return "gelu"
        case .tanh: return "tanh"
        case .sqrt: return "sqrt"
        case .leakyRelu: return "leaky_relu"
        case .mulScalar: return "mul_scalar"
        case .addScalar: return "add_scalar"
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .concat: return "concat"
        case .axisPool: return "axis_pool"
        case .pool2d: return "pool2d"
        case .weightedPool: return "weighted_pool"
        case .variance: return "variance"
        case .upsampleNearest: return "upsample_nearest"
        case .blockUnfold: return "block_unfold"
        case .softmax: return "softmax"
        case .l1Normalize: return "l1_normalize"
        case .layerNorm: return "layer_norm"
        case .instanceNorm: return "instance_norm"
        case .groupNorm: return "group_norm"
        case .matmul: return "matmul"
        case .attention: return "attention"
        case .blockMatmul: return "block_matmul"
        case .relPosWeights: return "rel_pos_weights"
        case .parameter: return "parameter"
        case .slice: return "slice"
        case .reshape: return "reshape"
        case .transpose: return "transpose"
        }
    }

    /// Every JSON op name, for error messages and `attn-gen list`.
    public static let jsonNames = [
        "global_pool", "channel_pool", "axis_pool", "pool2d", "weighted_pool", "variance", "linear", "channel_conv1d", "conv2d",
        "axis_conv1d", "batch_norm", "layer_norm", "instance_norm", "group_norm", "relu", "sigmoid", "hard_sigmoid", "relu6", "silu", "hard_swish",
        "gelu", "tanh", "leaky_relu", "sqrt", "softmax", "l1_normalize", "add", "sub", "mul", "mul_scalar", "add_scalar", "matmul", "attention", "block_matmul", "rel_pos_weights", "parameter", "concat", "slice", "reshape", "transpose",
        "upsample_nearest", "block_unfold",
    ]

    /// The dotted names of the tensors lowering declares for this layer (`fc1` → `fc1.weight`,
    /// `fc1.bias`): the header's offset macros, compared across the blocks of a file.
    public var tensorNames: [String] {
        switch self {
        case .linear(_, let bias, let p): return bias ? [p + ".weight", p + ".bias"] : [p + ".weight"]
        case .conv2d(let c): return c.bias ? [c.param + ".weight", c.param + ".bias"] : [c.param + ".weight"]
        case .channelConv1d(_, let p, _), .weightedPool(let p), .relPosWeights(_, let p): return [p + ".weight"]
        case .batchNorm(let p, _): return [p + ".scale", p + ".shift"]
        case .layerNorm(let p?, _), .groupNorm(_, let p?, _): return [p + ".weight", p + ".bias"]
        case .axisConv1d(_, _, let bias, let p): return bias ? [p + ".weight", p + ".bias"] : [p + ".weight"]
        case .parameter(let p, _): return [p]
        case .attention(_, let r?): return [r.param + ".height_rel", r.param + ".width_rel"]
        case .globalPool, .channelPool, .relu, .sigmoid, .hardSigmoid, .relu6, .silu, .hardSwish, .gelu, .tanh, .sqrt,
            .leakyRelu, .mulScalar, .addScalar, .add, .sub, .mul, .concat, .axisPool, .pool2d,
            .upsampleNearest, .blockUnfold, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .matmul, .attention(_, nil), .blockMatmul, .slice,
            .reshape, .transpose:
            return []
        }
    }

    /// Operands taken; nil for any number (concat).
    public var arity: Int? {
        switch self {
        case .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .batchNorm, .relu, .sigmoid, .hardSigmoid,
            .relu6, .silu, .hardSwish, .gelu, .tanh, .sqrt, .leakyRelu, .mulScalar, .addScalar,
            .axisPool, .pool2d, .weightedPool, .variance, .upsampleNearest, .blockUnfold, .softmax, .l1Normalize, .layerNorm, .instanceNorm,
            .axisConv1d, .groupNorm, .slice, .reshape, .transpose, .relPosWeights:
            return 1
        case .add, .sub, .mul, .matmul, .blockMatmul: return 2
        case .attention: return 3
        case .parameter: return 0
        case .concat: return nil
        }
    }
}

/// Relative-position logits added to attention's scores, as timm's `PosEmbedRel`: tables
/// `<param>.height_rel` `[2·keyHeight − 1, D]` and `<param>.width_rel` `[2·keyWidth − 1, D]`; query
/// `i` of a grid `queryWidth` wide gains `q_i · (height_rel[kh − qh + keyHeight − 1] +
/// width_rel[kw − qw + keyWidth − 1])` on key `(kh, kw)`, times the attention scale when `scaled`.
public struct RelPosLayer: Hashable, Sendable {
    /// Prefix of the two tables in the state_dict (`pos_embed`).
    public var param: String
    /// Columns of the query grid.
    public var queryWidth: Int
    /// Rows of the key grid.
    public var keyHeight: Int
    /// Columns of the key grid.
    public var keyWidth: Int
    /// Whether the position logits are scaled with Qᵀ K (timm's `scale_pos_embed`).
    public var scaled: Bool

    /// Relative positions over a `queryWidth`-wide query grid and a `keyHeight`×`keyWidth` key grid.
    public init(param: String, queryWidth: Int, keyHeight: Int, keyWidth: Int, scaled: Bool = false) {
        self.param = param
        self.queryWidth = queryWidth
        self.keyHeight = keyHeight
        self.keyWidth = keyWidth
        self.scaled = scaled
    }
}

/// A k×k convolution layer: PyTorch `Conv2d` with zero padding; weight `<param>.weight` of
/// shape [out, in/groups, k, k], bias `<param>.bias` when `bias` (on by default, as `nn.Conv2d`).
public struct Conv2DLayer: Hashable, Sendable {
    /// Output channels.
    public var outChannels: Int
    /// Side of the square kernel.
    public var kernelSize: Int
    /// Zeros on every side of each plane.
    public var padding: Int
    /// Spacing between kernel taps (1 = dense).
    public var dilation: Int
    /// Step between output positions.
    public var stride: Int
    /// Independent channel groups; C for a depthwise conv.
    public var groups: Int
    /// Whether `<param>.bias` is read and added.
    public var bias: Bool
    /// Prefix of its tensors in the state_dict (`conv` → `conv.weight`).
    public var param: String

    /// A conv layer; lowering checks the sizes against the input it meets.
    public init(
        outChannels: Int, kernelSize: Int, padding: Int, dilation: Int = 1, stride: Int = 1, groups: Int = 1,
        bias: Bool = true, param: String
    ) {
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.padding = padding
        self.dilation = dilation
        self.stride = stride
        self.groups = groups
        self.bias = bias
        self.param = param
    }
}

/// Axes a layer normalises or reduces along, mirrored from the IR.
public enum LayerAxis: String, Hashable, Sendable, CaseIterable {
    /// C, H, W, or H and W together as one axis of H·W pixels.
    case c, h, w, hw
}

/// The side a block matrix multiplies from, mirrored from the IR.
public enum BlockSide: String, Hashable, Sendable, CaseIterable {
    /// `(M ⊗ I)·X`, mixing rows.
    case left
    /// `X·(M ⊗ I)`, mixing columns.
    case right
}

/// Channel conv1d padding modes, mirrored from the IR.
public enum ChannelPaddingKind: String, Hashable, Sendable, CaseIterable {
    /// Taps outside [0, C) read 0.
    case zeros
    /// Taps outside [0, C) wrap around once, as `F.pad(mode="circular")`.
    case circular
}

/// Pool reductions, mirrored from the IR so the spec layer reads on its own.
public enum PoolKind: String, Hashable, Sendable, CaseIterable {
    /// The arithmetic mean.
    case mean
    /// The largest element.
    case max
}
