// One step of a block's op graph, at the level users write: PyTorch-like layers with named
// parameters. Lowering turns these into IR instructions.

/// A layer: an op, the values it reads, and optionally a name for its result.
///
/// Operands: `inputs` names earlier results (`"x"` is the block input); when fewer names are
/// given than the op takes, the previous layer's result comes first. A layer whose result is
/// named with `as` can be read again later: that is how branches (CBAM's avg and max paths)
/// are written.
public struct Layer: Hashable, Sendable {
    public var op: LayerOp
    public var inputs: [String]
    public var name: String?

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
    case globalPool(PoolKind)
    case channelPool(PoolKind)
    case linear(outFeatures: Int, bias: Bool, param: String)
    case channelConv1d(kernelSize: Int, param: String)
    case conv2d(outChannels: Int, kernelSize: Int, padding: Int, dilation: Int, bias: Bool, param: String)
    /// Eval-mode BatchNorm: `weight`, `bias`, `running_mean`, `running_var` folded to an affine.
    case batchNorm(param: String, eps: Double)
    case relu
    case sigmoid
    case hardSigmoid
    case add
    case mul
    case concat

    /// JSON `op` name.
    public var jsonName: String {
        switch self {
        case .globalPool: return "global_pool"
        case .channelPool: return "channel_pool"
        case .linear: return "linear"
        case .channelConv1d: return "channel_conv1d"
        case .conv2d: return "conv2d"
        case .batchNorm: return "batch_norm"
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .hardSigmoid: return "hard_sigmoid"
        case .add: return "add"
        case .mul: return "mul"
        case .concat: return "concat"
        }
    }

    /// Operands taken; nil for any number (concat).
    public var arity: Int? {
        switch self {
        case .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .batchNorm, .relu, .sigmoid, .hardSigmoid:
            return 1
        case .add, .mul: return 2
        case .concat: return nil
        }
    }
}

/// Pool reductions, mirrored from the IR so the spec layer reads on its own.
public enum PoolKind: String, Hashable, Sendable, CaseIterable {
    case mean
    case max
}
