// State_dict naming conventions of the reference implementations. The catalog uses timm's names
// (or the official code's, for blocks timm lacks); a kind whose files may follow another codebase
// declares that scheme in its own file (`CatalogBlock.nameSchemes`), with any tensor transform
// its layout needs.

/// A naming convention: prefix renames from the file's names to the catalog's.
package struct NameScheme: Sendable {
    package let label: String
    /// (file prefix, catalog prefix) pairs.
    package let renames: [(theirs: String, ours: String)]
    /// Catalog tensors whose two input planes are stored the other way round.
    package let swappedPlanes: Set<String>
    /// Catalog tensors stored as a Conv1d weight `[O, I, k]` that the block runs as the middle
    /// column of a k×k conv `[O, I, k, k]` over a one-pixel-wide plane (the other columns are 0).
    package var conv1dColumns: Set<String> = []

    package static let timm = NameScheme(label: "timm", renames: [], swappedPlanes: [])

    /// The schemes a block's files may follow; the first is the catalog's own. The kinds use
    /// their reference code's names (timm's, or the official code's), so a custom graph and most
    /// kinds need no renaming.
    static func candidates(_ body: BlockSpec.Body) -> [NameScheme] {
        switch body {
        case .catalog(let b): return type(of: b.block).nameSchemes
        case .graph: return [.timm]
        }
    }

    /// The scheme a block's tensors follow, told apart by names only one scheme uses. Tensors of
    /// two schemes in one block are refused: reading one set would silently drop the other.
    package static func detect(_ body: BlockSpec.Body, _ names: [String], source: String, prefix: String) throws(SpecError) -> NameScheme {
        let schemes = candidates(body)
        var found: [(scheme: NameScheme, tensor: String)] = []
        for scheme in schemes {
            let marks = scheme.marks(among: schemes)
            if let tensor = names.sorted().first(where: { name in marks.contains { name.hasPrefix($0) } }) {
                found.append((scheme, tensor))
            }
        }
        guard found.count <= 1 else {
            let a = found[0], b = found[1]
            throw SpecError(
                "weights",
                "\(source): holds tensors of two naming schemes, \"\(prefix + a.tensor)\" (\(a.scheme.label)) and \"\(prefix + b.tensor)\" (\(b.scheme.label)); a block's tensors must follow one")
        }
        return found.first?.scheme ?? schemes[0]
    }

    /// Name prefixes only this scheme uses among `schemes`: its own file prefixes, or, for a
    /// scheme without renames (the catalog's), the catalog prefixes the others rename to.
    private func marks(among schemes: [NameScheme]) -> [String] {
        guard renames.isEmpty else { return renames.map(\.theirs) }
        return schemes.flatMap { $0.renames.map(\.ours) }
    }

    package func catalogName(_ theirs: String) -> String {
        for r in renames where theirs.hasPrefix(r.theirs) { return r.ours + theirs.dropFirst(r.theirs.count) }
        return theirs
    }

    package func fileName(_ ours: String) -> String {
        for r in renames where ours.hasPrefix(r.ours) { return r.theirs + ours.dropFirst(r.ours.count) }
        return ours
    }
}
