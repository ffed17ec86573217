// A block's view of a checkpoint (safetensors or torch.save): the tensors under the block's prefix, renamed
// from whichever reference implementation wrote them to the catalog's (timm's) names.

import AttnSpec
import AttnWeights

/// The tensors of one block, under catalog names, with a way back to the file's names.
struct Checkpoint {
    let file: TensorFile
    /// Catalog name → name in the file.
    let fileName: [String: String]
    /// Which naming the file uses (for messages), e.g. "timm" or "official CBAM".
    let scheme: NameScheme
    /// The block's prefix in the file ("" for the whole file).
    let prefix: String

    init(weights: WeightsFile, prefix: String?, body: BlockSpec.Body) throws(SpecError) {
        let file = weights.file
        self.file = file
        let prefix = prefix ?? ""
        self.prefix = prefix
        let local = weights.tensorNames.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        guard !local.isEmpty else {
            guard !prefix.isEmpty else { throw SpecError("weights", "\(file.source) holds no tensors") }
            let sample = weights.tensorNames.prefix(5).joined(separator: ", ")
            throw SpecError("weights_prefix", "no tensor in \(file.source) starts with \"\(prefix)\" (it has: \(sample)…)")
        }
        let scheme = try NameScheme.detect(body, local, source: file.source, prefix: prefix)
        var map: [String: String] = [:]
        for name in local { map[scheme.catalogName(name)] = prefix + name }
        self.fileName = map
        self.scheme = scheme
    }

    func has(_ catalogName: String) -> Bool { fileName[catalogName] != nil }

    /// Refuses a tensor of the block's that none of `read` (catalog names) is: a bias the spec
    /// left off, a layer it lacks. Only the block's own tensors count — those under its prefix,
    /// or the whole file without one; BatchNorm's `num_batches_tracked` is bookkeeping, not a
    /// weight.
    func refuseUnread(_ read: Set<String>, block: String) throws(SpecError) {
        let unread = fileName.filter { !read.contains($0.key) && !Self.isBatchCounter($0.key) }.values.sorted()
        guard let first = unread.first else { return }
        let more = unread.count > 1 ? " and \(unread.count - 1) more" : ""
        let reads = read.map(displayName).sorted()
        let listed = reads.prefix(6).map { "\"\($0)\"" }.joined(separator: ", ") + (reads.count > 6 ? ", …" : "")
        let rule = prefix.isEmpty ? "without weights_prefix every tensor of the file" : "every tensor under \"\(prefix)\""
        throw SpecError(
            "weights",
            "\(file.source): tensor \"\(first)\"\(more) is not read by any layer of block \"\(block)\" (\(scheme.label) names; \(rule) must be read; the block reads \(reads.isEmpty ? "none" : listed))")
    }

    private static func isBatchCounter(_ name: String) -> Bool {
        name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked")
    }

    /// Dims of a tensor, if present.
    func dims(_ catalogName: String) -> [Int]? {
        fileName[catalogName].flatMap { file.shape($0) }
    }

    /// Float values of a present tensor, checked finite; errors name the file's tensor.
    func values(_ catalogName: String) throws(SpecError) -> [Float] {
        guard let name = fileName[catalogName] else { throw missing(catalogName, expected: nil) }
        let values: [Float]
        do {
            values = try file.floats(name)
        } catch {
            throw SpecError("weights", error.description)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw SpecError("weights", "\(file.source): tensor \"\(name)\": element \(bad) is \(values[bad]); weights must be finite")
        }
        return values
    }

    func missing(_ catalogName: String, expected: [Int]?) -> SpecError {
        let theirs = scheme.fileName(catalogName)
        let shape = expected.map { " of shape \($0)" } ?? ""
        return SpecError("weights", "\(file.source): missing tensor \"\(theirs)\"\(shape) (\(scheme.label) names)")
    }

    /// The file's own name for a catalog tensor, for messages.
    func displayName(_ catalogName: String) -> String { fileName[catalogName] ?? scheme.fileName(catalogName) }
}
