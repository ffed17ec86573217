// Line splitting by UTF-8 bytes for template text.

extension String {
    /// The text between each `\n` (empty lines kept, as `split(separator: "\n",
    /// omittingEmptySubsequences: false)` gives them), found in the UTF-8 bytes: the Character-wise
    /// `split` runs grapheme breaking over every byte, and splitting the helper templates that way
    /// was most of a process's first spec → callable. Templates hold no `\r`, so no line break
    /// falls inside a `\r\n` grapheme.
    package var lines: [Substring] {
        // The `\n` offsets found in the contiguous bytes, then turned into indices (O(1) for a
        // native string): advancing a UTF8View index byte by byte was a tenth of the first
        // spec → callable of a block calling the GEMM forms.
        var breaks: [Int] = []
        let scanned: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") { breaks.append(i) }
        }
        var result: [Substring] = []
        if scanned == nil {
            let bytes = utf8
            var start = bytes.startIndex
            var i = start
            while i != bytes.endIndex {
                if bytes[i] == UInt8(ascii: "\n") {
                    result.append(self[start..<i])
                    start = bytes.index(after: i)
                }
                i = bytes.index(after: i)
            }
            result.append(self[start...])
            return result
        }
        result.reserveCapacity(breaks.count + 1)
        var start = startIndex
        for offset in breaks {
            let end = utf8.index(utf8.startIndex, offsetBy: offset)
            result.append(self[start..<end])
            start = utf8.index(after: end)
        }
        result.append(self[start...])
        return result
    }
}

extension StringProtocol {
    /// Whether `text` occurs in these UTF-8 bytes: what `contains` means for template text,
    /// without Foundation's locale-aware search (`contains` on the tcc forms, once per form,
    /// cost more than expanding them), on a copy of the bytes (walking a String's UTF-8 view
    /// index by index cost as much again).
    package func containsBytes(_ text: String) -> Bool {
        let bytes = Array(utf8), needle = Array(text.utf8)
        guard let first = needle.first else { return true }
        guard needle.count <= bytes.count else { return false }
        for i in 0...(bytes.count - needle.count) where bytes[i] == first {
            if needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) { return true }
        }
        return false
    }
}
