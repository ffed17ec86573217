// State_dict naming conventions of the reference implementations. The catalog uses timm's names
// (or the official code's, for blocks timm lacks); other codebases map onto them here, with any tensor transform their layout needs.

import AttnSpec

/// A naming convention: prefix renames from the file's names to the catalog's.
struct NameScheme {
    let label: String
    /// (file prefix, catalog prefix) pairs.
    let renames: [(theirs: String, ours: String)]
    /// Catalog tensors whose two input planes are stored the other way round.
    let swappedPlanes: Set<String>

    static let timm = NameScheme(label: "timm", renames: [], swappedPlanes: [])

    /// moskomule/senet.pytorch `SELayer`: `fc.0`/`fc.2` Linear layers without bias.
    static let moskomuleSE = NameScheme(
        label: "moskomule SELayer", renames: [("fc.0.", "fc1."), ("fc.2.", "fc2.")], swappedPlanes: [])

    /// Jongchan/attention-module `CBAM`: its ChannelPool stacks [max, mean], timm [mean, max].
    static let officialCBAM = NameScheme(
        label: "official CBAM",
        renames: [
            ("ChannelGate.mlp.1.", "channel.fc1."), ("ChannelGate.mlp.3.", "channel.fc2."),
            ("SpatialGate.spatial.conv.", "spatial.conv.conv."), ("SpatialGate.spatial.bn.", "spatial.conv.bn."),
        ],
        swappedPlanes: ["spatial.conv.conv.weight"])

    /// The schemes a block's files may follow; the first is the catalog's own.
    static func candidates(_ body: BlockSpec.Body) -> [NameScheme] {
        switch body {
        case .se: return [.timm, .moskomuleSE]
        case .cbam: return [.timm, .officialCBAM]
        // The newer kinds' catalogs use their reference code's names (timm's SK, the official
        // code elsewhere), so their files need no renaming.
        case .eca, .graph, .seVar1, .seVar2, .seVar3, .seGC, .bam, .sk, .danetPAM, .danetCAM, .scconv, .psa, .emsa,
            .externalAttention, .fusion:
            return [.timm]
        }
    }

    /// The scheme a block's tensors follow, told apart by names only one scheme uses. Tensors of
    /// two schemes in one block are refused: reading one set would silently drop the other.
    static func detect(_ body: BlockSpec.Body, _ names: [String], source: String, prefix: String) throws(SpecError) -> NameScheme {
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

    func catalogName(_ theirs: String) -> String {
        for r in renames where theirs.hasPrefix(r.theirs) { return r.ours + theirs.dropFirst(r.theirs.count) }
        return theirs
    }

    func fileName(_ ours: String) -> String {
        for r in renames where ours.hasPrefix(r.ours) { return r.theirs + ours.dropFirst(r.ours.count) }
        return ours
    }
}
