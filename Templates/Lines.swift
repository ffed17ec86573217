// Line splitting by UTF-8 bytes for template text.

extension String {
    /// The text between each `\n` (empty lines kept, as `split(separator: "\n",
    /// omittingEmptySubsequences: false)` gives them), found in the UTF-8 bytes: the Character-wise
    /// `split` runs grapheme breaking over every byte, and splitting the helper templates that way
    /// was most of a process's first spec → callable. Templates hold no `\r`, so no line break
    /// falls inside a `\r\n` grapheme.
    package var lines: [Substring] {
        var result: [Substring] = []
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
}
