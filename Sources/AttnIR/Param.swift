// Parameter tensors: their names, shapes and what they are for.

/// What a parameter tensor is for; decides how seeded random weights are drawn for checking.
public enum ParamRole: String, Hashable, Sendable {
    /// A weight; `fanIn` sets the scale of random values so activations stay O(1).
    case weight
    /// An additive bias, drawn small so it does not swamp the weighted sum.
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
    /// Its shape as PyTorch stores it (`[out, in/groups, k, k]` for a conv weight).
    public let dims: [Int]
    /// What it is for, which decides how random weights are drawn.
    public let role: ParamRole

    /// A tensor `name` of shape `dims`; the builder declares each name once.
    public init(name: String, dims: [Int], role: ParamRole) {
        self.name = name
        self.dims = dims
        self.role = role
    }

    /// The C name: `fc1.weight` → `fc1_weight`.
    public var cName: String { Self.cName(name) }

    /// `.` → `_` byte by byte (names are checked ASCII identifiers): the emitter asks for C names
    /// hundreds of times per kernel, and Foundation's `replacingOccurrences` was a tenth of
    /// spec → C time.
    public static func cName(_ dotted: String) -> String {
        String(decoding: dotted.utf8.map { $0 == UInt8(ascii: ".") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    /// Floats it takes in the flat parameter array.
    public var count: Int { dims.reduce(1, *) }
    /// Inputs feeding one output element; used to scale random weights.
    public var fanIn: Int { dims.count > 1 ? max(1, count / dims[0]) : 1 }
}
