// The result builder behind `Block { ... }`: it only collects layers, in order. Shapes and
// semantics are checked later by `resolve()` and lowering, never here.

/// Anything that reads as a layer inside a `Block { ... }` body.
public protocol LayerConvertible {
    var layer: Layer { get }
}

extension Layer: LayerConvertible {
    public var layer: Layer { self }
}

extension LayerConvertible {
    /// Names this layer's result so later layers can read it (`Multiply("gate")`).
    public func named(_ name: String) -> Layer { layer.named(name) }
}

@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: some LayerConvertible) -> [Layer] { [layer.layer] }
    public static func buildExpression(_ layers: [Layer]) -> [Layer] { layers }
    public static func buildBlock(_ parts: [Layer]...) -> [Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Layer]?) -> [Layer] { part ?? [] }
    public static func buildEither(first part: [Layer]) -> [Layer] { part }
    public static func buildEither(second part: [Layer]) -> [Layer] { part }
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
