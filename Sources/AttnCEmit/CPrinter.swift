// Indented C text. Emit code calls `line` and `block`; it never writes indentation or newlines
// itself, so the output's layout is uniform. The printer also knows which compilers read the
// lines it is printing (`split` narrows them), and records which helper each of them calls.

/// Accumulates C source lines with four-space indentation.
package struct CPrinter {
    /// Each line's text and indentation level, joined once by `text` (indenting every line as it
    /// was printed, and again each time a printer was embedded, was a visible part of emitting).
    private var lines: [(depth: Int, text: String)] = []
    private var depth = 0
    /// The compilers that read the next line.
    package private(set) var compilers: Set<Compiler>
    /// Each helper the printed code calls, with the compilers whose branch calls it.
    package private(set) var uses: [Helper: Set<Compiler>] = [:]
    /// What an MCU compiler reads of the printed code; nil when no MCU reads it.
    package private(set) var mcuCount: CodeCount?

    package init(compilers: Set<Compiler> = Set(Compiler.allCases)) {
        self.compilers = compilers
        mcuCount = compilers.contains(.other) ? CodeCount() : nil
    }

    /// A printer for text that is not code (a weight table): nothing is counted.
    package static func data() -> CPrinter {
        var p = CPrinter()
        p.mcuCount = nil
        return p
    }

    /// Another printer's lines, one level in from here, with what it recorded.
    package mutating func embed(_ other: CPrinter) {
        lines.reserveCapacity(lines.count + other.lines.count)
        for line in other.lines { lines.append((depth + line.depth, line.text)) }
        for (helper, set) in other.uses { uses[helper, default: []].formUnion(set) }
        if let count = other.mcuCount { mcuCount = (mcuCount ?? CodeCount()) + count }
    }

    /// A line that is data, not code (a constant table the model counts in bytes).
    package mutating func data(_ text: String, bytes: Int) {
        lines.append((depth, text))
        if compilers.contains(.other) { mcuCount?.constantBytes += bytes }
    }

    /// Records that the code being printed calls `helper`.
    package mutating func use(_ helper: Helper) { uses[helper, default: []].formUnion(compilers) }

    /// `then` for the compilers in `subset`, `other` for the rest: under `#if`/`#else` when
    /// both are read by someone, else the one that is, without any `#if`.
    package mutating func split(
        _ subset: Set<Compiler>, _ then: (inout CPrinter) -> Void, else other: (inout CPrinter) -> Void
    ) {
        let outer = compilers
        let (a, b) = (outer.intersection(subset), outer.subtracting(subset))
        if b.isEmpty { return then(&self) }
        if a.isEmpty { return other(&self) }
        guard let condition = Compiler.condition(subset) else { preconditionFailure("a split of every compiler") }
        line("#if \(condition)")
        compilers = a
        then(&self)
        line("#else")
        compilers = b
        other(&self)
        line("#endif")
        compilers = outer
    }

    /// `then` under `condition`, read by `thenSet` of the current compilers, `other` under `#else`,
    /// read by `elseSet`: for a fork one compiler takes on some machines and not on others (tcc
    /// takes the GEMM form on x86-64 only), so the two sets may share it. Without `#if` when the
    /// current compilers fall in one set only.
    package mutating func split(
        _ condition: String, then thenSet: Set<Compiler>, _ then: (inout CPrinter) -> Void, else elseSet: Set<Compiler>,
        _ other: (inout CPrinter) -> Void
    ) {
        let outer = compilers
        let (a, b) = (outer.intersection(thenSet), outer.intersection(elseSet))
        precondition(a.union(b) == outer, "a split that leaves out a compiler")
        if b.isEmpty { return then(&self) }
        if a.isEmpty { return other(&self) }
        line("#if \(condition)")
        compilers = a
        then(&self)
        line("#else")
        compilers = b
        other(&self)
        line("#endif")
        compilers = outer
    }

    /// One line at the current indentation (empty text gives an empty line).
    package mutating func line(_ text: String) {
        lines.append((depth, text))
        if compilers.contains(.other) { mcuCount?.add(line: text) }
    }

    package mutating func blank() {
        if let last = lines.last, !last.text.isEmpty { lines.append((0, "")) }
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

    /// Blocks nested in the order of `headers` (outermost first), `body` in the innermost.
    package mutating func blocks(_ headers: [String], _ body: (inout CPrinter) -> Void) {
        guard let first = headers.first else { return body(&self) }
        block(first) { p in p.blocks(Array(headers.dropFirst()), body) }
    }

    /// The text, one trailing newline.
    package var text: String {
        var size = 0
        for line in lines { size += line.text.utf8.count + 1 + (line.text.isEmpty ? 0 : 4 * line.depth) }
        var out = ""
        out.reserveCapacity(size)
        for line in lines {
            if !line.text.isEmpty {
                for _ in 0..<line.depth { out += "    " }
                out += line.text
            }
            out += "\n"
        }
        return out
    }
}
