// The closed set of primitive ops. Every consumer (verifier, interpreter, emitter) switches over
// `Op` exhaustively, so a new case does not compile until each of them handles it.

/// How a pooling op combines the elements it reduces.
public enum PoolMode: String, Sendable, Codable, CaseIterable {
    case mean
    case max
}

/// Pointwise functions of one operand.
public enum UnaryOp: String, Sendable, Codable, CaseIterable {
    case relu
    case sigmoid
    /// PyTorch's `relu6(x + 3) / 6` (not Keras' `0.2x + 0.5`).
    case hardSigmoid = "hard_sigmoid"
}

/// Pointwise functions of two operands, broadcasting numpy style.
public enum BinaryOp: String, Sendable, Codable, CaseIterable {
    case add
    case mul
}

/// Index of a parameter tensor in `Program.params`.
public typealias ParamID = Int

/// Attributes of a 2-D convolution (PyTorch cross-correlation, zero padding).
public struct Conv2dAttrs: Hashable, Sendable {
    public let weight: ParamID
    public let bias: ParamID?
    public let outChannels: Int
    public let kernel: Int
    public let padding: Int
    public let dilation: Int

    public init(weight: ParamID, bias: ParamID?, outChannels: Int, kernel: Int, padding: Int, dilation: Int) {
        self.weight = weight
        self.bias = bias
        self.outChannels = outChannels
        self.kernel = kernel
        self.padding = padding
        self.dilation = dilation
    }
}

/// One primitive op. Operands are given by the instruction; shapes follow `Op.resultShape`.
public enum Op: Hashable, Sendable {
    // MARK: reductions
    /// Reduce over H×W: `[N,C,H,W] → [N,C,1,1]`.
    case globalPool(PoolMode)
    /// Reduce over C: `[N,C,H,W] → [N,1,H,W]`.
    case channelPool(PoolMode)

    // MARK: dense
    /// `y[n,o] = Σ_i W[o,i]·x[n,i] (+ b[o])` on vectors `[N,I,1,1] → [N,O,1,1]`.
    case linear(weight: ParamID, bias: ParamID?, outFeatures: Int)
    /// Cross-correlation along the channel axis of a vector, zero padding `(k-1)/2`, no bias.
    case channelConv1d(weight: ParamID, kernel: Int)
    /// k×k convolution with zero padding and dilation, stride 1, one group.
    case conv2d(Conv2dAttrs)

    // MARK: per-channel
    /// `y = scale[c]·x + shift[c]`: an eval-mode BatchNorm after folding its statistics.
    case affine(scale: ParamID, shift: ParamID)

    // MARK: elementwise
    case unary(UnaryOp)
    case binary(BinaryOp)

    // MARK: layout
    /// Concatenation of the operands along C, in operand order.
    case concat
}
