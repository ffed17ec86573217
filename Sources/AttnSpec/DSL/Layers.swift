// One DSL word per primitive layer. Each only builds a `Layer` value.

/// Mean or max over H×W per channel: `[N,C,H,W] → [N,C,1,1]`.
public struct GlobalPool: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// Pools `input` (the previous result when nil) by `mode`.
    public init(_ mode: PoolKind, of input: String? = nil) {
        layer = Layer(.globalPool(mode), inputs: input.map { [$0] } ?? [])
    }
}

/// Mean or max over C per pixel: `[N,C,H,W] → [N,1,H,W]`.
public struct ChannelPool: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// Pools `input` (the previous result when nil) over channels by `mode`.
    public init(_ mode: PoolKind, of input: String? = nil) {
        layer = Layer(.channelPool(mode), inputs: input.map { [$0] } ?? [])
    }
}

/// Fully connected layer on a pooled vector; `param` names its tensors.
public struct Linear: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `outFeatures` outputs from `<param>.weight` `[out, in]` (and `<param>.bias` unless `bias` is false).
    public init(_ outFeatures: Int, bias: Bool = true, param: String, of input: String? = nil) {
        layer = Layer(.linear(outFeatures: outFeatures, bias: bias, param: param), inputs: input.map { [$0] } ?? [])
    }
}

/// 1-D cross-correlation along the channel axis of a vector, zero padded, no bias (ECA).
public struct ChannelConv1D: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// A conv of odd width `kernelSize` along C with weight `<param>.weight` `[1, 1, k]`, zero or
    /// circular padded.
    public init(kernelSize: Int, param: String = "conv", padding: ChannelPaddingKind = .zeros, of input: String? = nil) {
        layer = Layer(.channelConv1d(kernelSize: kernelSize, param: param, padding: padding), inputs: input.map { [$0] } ?? [])
    }
}

/// k×k convolution, zero padding, optional dilation, stride and groups; with a bias unless
/// `bias: false`, as PyTorch's `nn.Conv2d`.
public struct Conv2D: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// A conv with `outChannels` outputs; `padding` nil keeps H and W for stride 1 (`dilation · (k − 1) / 2`).
    public init(
        _ outChannels: Int, kernelSize: Int, padding: Int? = nil, dilation: Int = 1, stride: Int = 1, groups: Int = 1,
        bias: Bool = true, param: String, of input: String? = nil
    ) {
        // Default padding keeps H and W ("same"), as timm's get_padding does for stride 1.
        let pad = padding ?? samePadding(kernelSize, dilation)
        let op = LayerOp.conv2d(
            Conv2DLayer(
                outChannels: outChannels, kernelSize: kernelSize, padding: pad, dilation: dilation, stride: stride,
                groups: groups, bias: bias, param: param))
        layer = Layer(op, inputs: input.map { [$0] } ?? [])
    }
}

/// Eval-mode BatchNorm, folded to `scale·x + shift` per channel.
public struct BatchNorm: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// Reads `<param>.{weight,bias,running_mean,running_var}` and folds them at generation time.
    public init(param: String, eps: Double = 1e-5, of input: String? = nil) {
        layer = Layer(.batchNorm(param: param, eps: eps), inputs: input.map { [$0] } ?? [])
    }
}

/// Depthwise conv along H (`(k, 1)` kernel) or W (`(1, k)`), padding `k // 2`, as timm's ELA and
/// strip attention write it with `nn.Conv2d(C, C, (k, 1), groups=C)`.
public struct AxisConv1D: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// An odd-width conv along `axis` with `<param>.weight` (and `<param>.bias` unless `bias` is false).
    public init(kernelSize: Int, axis: LayerAxis, bias: Bool = true, param: String, of input: String? = nil) {
        layer = Layer(.axisConv1d(kernelSize: kernelSize, axis: axis, bias: bias, param: param), inputs: input.map { [$0] } ?? [])
    }
}

/// `nn.GroupNorm(groups, C, eps)`: per sample, each group of channels standardised over its
/// channels and pixels, then the per-channel affine when `param` is given.
public struct GroupNorm: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// A GroupNorm of `groups` groups reading `<param>.weight` and `<param>.bias` (no affine when nil).
    public init(groups: Int, param: String?, eps: Double = 1e-5, of input: String? = nil) {
        layer = Layer(.groupNorm(groups: groups, param: param, eps: eps), inputs: input.map { [$0] } ?? [])
    }
}

/// `max(x, 0)`, elementwise.
public struct ReLU: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `max(x, 0)` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.relu, inputs: input.map { [$0] } ?? []) }
}

/// The logistic function, elementwise: the usual gate.
public struct Sigmoid: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `1 / (1 + e^−x)` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.sigmoid, inputs: input.map { [$0] } ?? []) }
}

/// PyTorch's hard sigmoid, `relu6(x + 3) / 6`.
public struct HardSigmoid: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `relu6(x + 3) / 6` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.hardSigmoid, inputs: input.map { [$0] } ?? []) }
}

/// `min(max(x, 0), 6)`.
public struct ReLU6: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `min(max(x, 0), 6)` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.relu6, inputs: input.map { [$0] } ?? []) }
}

/// `x · sigmoid(x)`, PyTorch's `nn.SiLU` (swish).
public struct SiLU: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `x · sigmoid(x)` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.silu, inputs: input.map { [$0] } ?? []) }
}

/// PyTorch's hard swish, `x · relu6(x + 3) / 6`.
public struct HardSwish: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `x · relu6(x + 3) / 6` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.hardSwish, inputs: input.map { [$0] } ?? []) }
}

/// PyTorch's `nn.GELU`: the erf form by default, `approximate: .tanh` for its tanh form.
public struct GELU: LayerConvertible {
    /// Which of PyTorch's two GELU formulas to compute.
    public enum Approximation: Sendable {
        /// `x/2 · (1 + erf(x/√2))`, PyTorch's default.
        case none
        /// `x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³)))`, PyTorch's `approximate='tanh'`.
        case tanh
    }
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// GELU of `input` (the previous result when nil), in the erf form unless `approximate` is `.tanh`.
    public init(approximate: Approximation = .none, of input: String? = nil) {
        layer = Layer(.gelu(approximateTanh: approximate == .tanh), inputs: input.map { [$0] } ?? [])
    }
}

/// The hyperbolic tangent, elementwise (`nn.Tanh`).
public struct Tanh: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `tanh(x)` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.tanh, inputs: input.map { [$0] } ?? []) }
}

/// `torch.var` over H·W of each channel → [N,C,1,1] (unbiased unless told otherwise).
public struct Variance: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// The variance of `input` (the previous result when nil) over H·W, divided by H·W − 1
    /// when `unbiased` (PyTorch's default), else by H·W.
    public init(unbiased: Bool = true, of input: String? = nil) { layer = Layer(.variance(unbiased: unbiased), inputs: input.map { [$0] } ?? []) }
}

/// The square root, elementwise (`torch.sqrt`: NaN below 0).
public struct Sqrt: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `√x` of `input` (the previous result when nil).
    public init(of input: String? = nil) { layer = Layer(.sqrt, inputs: input.map { [$0] } ?? []) }
}

/// PyTorch's `nn.LeakyReLU(negative_slope)`, default slope 0.01.
public struct LeakyReLU: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `x` for `x ≥ 0` and `negativeSlope · x` below, of `input` (the previous result when nil).
    public init(negativeSlope: Double = 0.01, of input: String? = nil) {
        layer = Layer(.leakyRelu(negativeSlope: negativeSlope), inputs: input.map { [$0] } ?? [])
    }
}

/// `x · value`: a multiplication by a constant.
public struct MultiplyScalar: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `input` (the previous result when nil) times `value`.
    public init(_ value: Double, of input: String? = nil) { layer = Layer(.mulScalar(value), inputs: input.map { [$0] } ?? []) }
}

/// `x + value`: an addition of a constant.
public struct AddScalar: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `input` (the previous result when nil) plus `value`.
    public init(_ value: Double, of input: String? = nil) { layer = Layer(.addScalar(value), inputs: input.map { [$0] } ?? []) }
}

/// Broadcasting product of the previous result and `other` (or of two named values).
public struct Multiply: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// The previous result times the value named `other`.
    public init(_ other: String) { layer = Layer(.mul, inputs: [other]) }
    /// `a · b` of two named values.
    public init(_ a: String, _ b: String) { layer = Layer(.mul, inputs: [a, b]) }
}

/// Broadcasting difference `a − b` of the previous result and `other` (or of two named values).
public struct Subtract: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// The previous result minus the value named `other`.
    public init(_ other: String) { layer = Layer(.sub, inputs: [other]) }
    /// `a − b` of two named values.
    public init(_ a: String, _ b: String) { layer = Layer(.sub, inputs: [a, b]) }
}

/// Broadcasting sum of the previous result and `other` (or of two named values).
public struct Add: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// The previous result plus the value named `other`.
    public init(_ other: String) { layer = Layer(.add, inputs: [other]) }
    /// `a + b` of two named values.
    public init(_ a: String, _ b: String) { layer = Layer(.add, inputs: [a, b]) }
}

/// Concatenation of named values along C, in the order given.
public struct Concat: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// The named values stacked along C, first name first.
    public init(_ inputs: String...) { layer = Layer(.concat, inputs: inputs) }
}

/// `dilation · (k − 1) / 2`, the padding that keeps H and W; 0 when that overflows, which only
/// sizes lowering rejects can cause (it must not trap while the spec is still being read).
func samePadding(_ kernelSize: Int, _ dilation: Int) -> Int {
    let (span, overflow) = dilation.multipliedReportingOverflow(by: kernelSize &- 1)
    return overflow ? 0 : span / 2
}

/// Any primitive layer, for the ops without a word of their own (`Primitive(.matmul(...), "q", "k")`),
/// reading the named inputs (the previous result first when fewer are named than the op takes).
public struct Primitive: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// `op` applied to the named `inputs`.
    public init(_ op: LayerOp, _ inputs: String...) { layer = Layer(op, inputs: inputs) }
}

/// Softmax along an axis (max-subtracted, as PyTorch).
public struct Softmax: LayerConvertible {
    /// The layer this word stands for in a block body.
    public let layer: Layer
    /// Softmax of `input` (the previous result when nil) along `axis`.
    public init(_ axis: LayerAxis, of input: String? = nil) { layer = Layer(.softmax(axis), inputs: input.map { [$0] } ?? []) }
}
