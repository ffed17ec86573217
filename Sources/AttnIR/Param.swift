// Parameter tensors: their names, shapes and what they are for.

/// What a parameter tensor is for; decides how seeded random weights are drawn for checking.
public enum ParamRole: String, Hashable, Sendable {
    /// A weight; `fanIn` sets the scale of random values so activations stay O(1).
    case weight
    case bias
    /// Multiplier of a folded BatchNorm.
    case scale
    /// Offset of a folded BatchNorm.
    case shift
}

/// One parameter tensor of a program. Tensors are packed into one flat array in declaration order.
public struct ParamDecl: Hashable, Sendable {
    /// Dotted name in the PyTorch style of the catalog (`fc1.weight`, `spatial.conv.bn.scale`).
    public let name: String
    public let dims: [Int]
    public let role: ParamRole

    public init(name: String, dims: [Int], role: ParamRole) {
        self.name = name
        self.dims = dims
        self.role = role
    }

    public var count: Int { dims.reduce(1, *) }
    /// Inputs feeding one output element; used to scale random weights.
    public var fanIn: Int { dims.count > 1 ? max(1, count / dims[0]) : 1 }
}
