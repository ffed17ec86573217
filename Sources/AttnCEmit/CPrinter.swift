// Indented C text. Emit code calls `line` and `block`; it never writes indentation or newlines
// itself, so the output's layout is uniform.

/// Accumulates C source lines with four-space indentation.
package struct CPrinter {
    private(set) var lines: [String] = []
    private var depth = 0

    package init() {}

    /// One line at the current indentation (empty text gives an empty line).
    package mutating func line(_ text: String) {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    package mutating func blank() {
        if let last = lines.last, !last.isEmpty { lines.append("") }
    }

    /// `header {`, the body one level in, then `}` with an optional `// comment`.
    package mutating func block(_ header: String, closing comment: String? = nil, _ body: (inout CPrinter) -> Void) {
        line(header.isEmpty ? "{" : header + " {")
        depth += 1
        body(&self)
        depth -= 1
        precondition(depth >= 0, "CPrinter outdented past column 0")
        line(comment.map { "} /* \($0) */" } ?? "}")
    }

    /// The text, one trailing newline.
    package var text: String { lines.joined(separator: "\n") + "\n" }
}
