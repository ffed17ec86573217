// The result builder behind `Block { ... }`: it only collects layers, in order. Shapes and
// semantics are checked later by `resolve()` and lowering, never here.

/// Anything that reads as a layer inside a `Block { ... }` body.
public protocol LayerConvertible {
    /// The layer this word stands for.
    var layer: Layer { get }
}

extension Layer: LayerConvertible {
    /// The layer itself, so a `Layer` value can be written inside a block body.
    public var layer: Layer { self }
}

extension LayerConvertible {
    /// Names this layer's result so later layers can read it (`Multiply("gate")`).
    public func named(_ name: String) -> Layer { layer.named(name) }
}

/// The result builder of `Block { ... }` and `Catalog` bodies: it flattens words, arrays,
/// `if` and `for` into one ordered list of layers.
@resultBuilder
public enum LayerBuilder {
    /// One word becomes one layer.
    public static func buildExpression(_ layer: some LayerConvertible) -> [Layer] { [layer.layer] }
    /// A list of layers (a helper's result) is spliced in as is.
    public static func buildExpression(_ layers: [Layer]) -> [Layer] { layers }
    /// Statements in order.
    public static func buildBlock(_ parts: [Layer]...) -> [Layer] { parts.flatMap { $0 } }
    /// An `if` without `else` adds nothing when false.
    public static func buildOptional(_ part: [Layer]?) -> [Layer] { part ?? [] }
    /// The taken branch of an `if`/`else`.
    public static func buildEither(first part: [Layer]) -> [Layer] { part }
    /// The taken branch of an `if`/`else`.
    public static func buildEither(second part: [Layer]) -> [Layer] { part }
    /// A `for` loop's layers, iteration after iteration (SK's and PSA's paths).
    public static func buildArray(_ parts: [[Layer]]) -> [Layer] { parts.flatMap { $0 } }
}

/// A user's own block: a name, an input shape and a body of layers.
///
/// ```swift
/// let maxECA = Block("max_eca", input: .nchw(1, 64, 32, 32)) {
///     GlobalPool(.max); ChannelConv1D(kernelSize: 5); Sigmoid(); Multiply("x")
/// }
/// ```
public func Block(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil,
    @LayerBuilder _ body: () -> [Layer]
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .graph(body()), weights: weights, weightsPrefix: weightsPrefix)
}
