/// Picks the names to suggest when a tensor name is not in the file.
///
/// Deliberately simple: a mistyped or mis-prefixed name usually keeps its last path
/// component ("weight", "bias") or its leading module path, so candidates sharing the
/// last component rank first, then by the length of the common prefix.
enum NameSuggestions {
    static let limit = 5

    static func nearest(to wanted: String, among names: [String]) -> [String] {
        let wantedLast = lastComponent(wanted)
        let wantedBytes = Array(wanted.utf8)
        let scored: [(name: String, sameLast: Bool, prefix: Int)] = names.map { name in
            (name, lastComponent(name) == wantedLast, commonPrefixLength(wantedBytes, name.utf8))
        }
        return scored
            .filter { $0.sameLast || $0.prefix > 0 }
            .sorted { a, b in
                if a.sameLast != b.sameLast { return a.sameLast }
                if a.prefix != b.prefix { return a.prefix > b.prefix }
                return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
            }
            .prefix(limit)
            .map(\.name)
    }

    /// The whole detail text of an `unknownTensor` error. When nothing is similar it still
    /// lists a few names, so the user sees what the file's naming scheme looks like.
    static func message(for wanted: String, among sortedNames: [String]) -> String {
        guard !sortedNames.isEmpty else { return "no such tensor; the file has no tensors" }
        let near = nearest(to: wanted, among: sortedNames)
        let total = "\(sortedNames.count) tensor\(sortedNames.count == 1 ? "" : "s") in the file"
        if near.isEmpty {
            let some = sortedNames.prefix(limit).map(JSONText.quoted).joined(separator: ", ")
            return "no such tensor; none is similar. Some of the \(total): \(some)"
        }
        return "no such tensor; nearest: \(near.map(JSONText.quoted).joined(separator: ", ")) (\(total))"
    }

    private static func lastComponent(_ name: String) -> Substring {
        name.split(separator: ".", omittingEmptySubsequences: false).last ?? Substring(name)
    }

    private static func commonPrefixLength(_ a: [UInt8], _ b: String.UTF8View) -> Int {
        var n = 0
        for (x, y) in zip(a, b) {
            guard x == y else { break }
            n += 1
        }
        return n
    }
}
