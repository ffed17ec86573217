// What a catalog kind is: one type per kind, in one file of Catalog/, listed once in
// `CatalogRegistry`. Decoding, encoding, validation, `list`, name-scheme detection and weight
// inference all go through this protocol, so a new kind touches no switch.

/// One catalog kind: its hyperparameters as given (optional fields stay optional, so a JSON round
/// trip is exact), how they read and write as JSON, and the layers they resolve to.
package protocol CatalogBlock: Hashable, Sendable {
    /// The JSON `kind`.
    static var kind: String { get }
    /// The code whose numbers and state_dict names the kind reproduces (shown by `list`).
    static var reference: String { get }
    /// `field=default` (or `field` when it has no default), in the reference's argument names.
    static var hyperparameters: [String] { get }
    /// Fields `list` must fill in because the kind has no default for them.
    static var listingFields: [String: JSONValue] { get }
    /// The state_dict naming schemes a block's files may follow; the first is the catalog's own.
    static var nameSchemes: [NameScheme] { get }
    /// Blocks of this kind the catalog test grid cross-checks against the interpreter: N 1 and
    /// 2, odd and non-square planes, and each option that changes the layers.
    static var examples: [BlockSpec] { get }

    /// Reads the kind's fields of a block object.
    init(fields r: inout FieldReader) throws(SpecError)
    /// Writes the fields the user gave.
    func encode(into f: inout [String: JSONValue])
    /// Checks the hyperparameters on `input`, applies the defaults, and returns the primitive layers.
    func layers(_ input: InputShape) throws(SpecError) -> [Layer]
    /// The hyperparameters a checkpoint's tensor shapes say, filled in; stated ones must agree.
    func completed(from checkpoint: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self
    /// The program's input for a block whose user-facing `input` is `input`.
    func programInput(_ input: InputShape) -> InputShape
    /// Parameters not read as a checkpoint tensor of their own name, by parameter name.
    func derivedTensors(_ input: InputShape) throws(SpecError) -> [String: DerivedTensor]
}

extension CatalogBlock {
    package static var listingFields: [String: JSONValue] { [:] }
    package static var nameSchemes: [NameScheme] { [.timm] }
    // Kinds whose hyperparameters the weights cannot say (or that state every one the weights
    // could) keep them; a tensor that disagrees is reported by import, naming it and both shapes.
    package func completed(from checkpoint: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self { self }
    package func programInput(_ input: InputShape) -> InputShape { input }
    package func derivedTensors(_ input: InputShape) throws(SpecError) -> [String: DerivedTensor] { [:] }
}

/// A kind with no hyperparameters (SE-Var1/2/3, DANet PAM/CAM): nothing to read or write in
/// JSON, and nothing for `list` to show.
package protocol FieldlessCatalogBlock: CatalogBlock {
    init()
}

extension FieldlessCatalogBlock {
    package static var hyperparameters: [String] { [] }
    package init(fields r: inout FieldReader) throws(SpecError) { self.init() }
    package func encode(into f: inout [String: JSONValue]) {}
}

/// A catalog block of any kind, compared and hashed as its own type does.
public struct AnyCatalogBlock: Hashable, Sendable {
    package let block: any CatalogBlock

    package init(_ block: any CatalogBlock) { self.block = block }

    /// The JSON `kind`.
    public var kind: String { type(of: block).kind }

    /// Equal when both hold the same kind with equal hyperparameters.
    public static func == (a: AnyCatalogBlock, b: AnyCatalogBlock) -> Bool { AnyHashable(a.block) == AnyHashable(b.block) }
    /// Hashes the wrapped options, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(AnyHashable(block)) }
}

extension BlockSpec.Body {
    /// A catalog block's body.
    package static func block(_ block: some CatalogBlock) -> Self { .catalog(AnyCatalogBlock(block)) }

    /// The catalog block, if it is of kind `type`.
    package func block<T: CatalogBlock>(as type: T.Type) -> T? {
        guard case .catalog(let b) = self else { return nil }
        return b.block as? T
    }
}

/// The catalog: each block defined from primitive layers in the DSL, one file per block.
public enum Catalog {
    static func build(@LayerBuilder _ body: () -> [Layer]) -> [Layer] { body() }
}

extension Catalog {
    /// `v1 + v2 + …` of two or more named values, left to right as PyTorch's `sum(dim=1)` of a stack.
    static func sum(_ names: [String]) -> [Layer] {
        precondition(names.count >= 2, "sum of \(names)")
        return [Layer(.add, inputs: [names[0], names[1]])] + names.dropFirst(2).map { Layer(.add, inputs: [$0]) }
    }
}
