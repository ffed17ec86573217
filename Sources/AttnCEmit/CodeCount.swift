// What the code-size model reads, counted by the printer as it prints the lines an MCU compiler
// reads (and once per helper template): no pass over a finished file, no `#if` to evaluate, no
// comment or array to strip afterwards. Directive lines are not code and are not counted.

/// Counts over the code one MCU compile of a file sees.
package struct CodeCount: Hashable, Sendable {
    /// C tokens outside comments, directives and constant tables.
    package var tokens = 0
    /// `for` loops.
    package var loops = 0
    /// `if` statements (tap guards, padding checks).
    package var branches = 0
    /// Calls to the file's own helpers (`attn_row_dot(...)`), definitions not counted.
    package var helperCalls = 0
    /// Calls to libm's expf.
    package var expfCalls = 0
    /// Bytes of constant tables other than the weights (a self-test's expected values).
    package var constantBytes = 0
    /// Bytes of `<name>_params` when the weights are baked in.
    package var weightBytes = 0
    /// Inside a `/* */` comment that an earlier line opened.
    private var inComment = false

    package init() {}

    static func + (a: CodeCount, b: CodeCount) -> CodeCount {
        var s = a
        s.tokens += b.tokens
        s.loops += b.loops
        s.branches += b.branches
        s.helperCalls += b.helperCalls
        s.expfCalls += b.expfCalls
        s.constantBytes += b.constantBytes
        s.weightBytes += b.weightBytes
        return s
    }

    /// The identifiers whose call counts as a helper call.
    private static let helperNames: Set<[UInt8]> = Set(Helper.allCases.map { Array("attn_\($0.rawValue)".utf8) })
    private static let multiCharOperators: [[UInt8]] = [
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
        "&=", "^=", "|=",
    ].map { Array($0.utf8) }

    /// Counts one line of C as printed.
    package mutating func add(line: String) {
        let b = Array(line.utf8)
        var i = 0
        if !inComment {
            while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
            if i < b.count, b[i] == 35 { return }  // a directive
        }
        func isIdent(_ c: UInt8) -> Bool { c == 95 || (c | 32) >= 97 && (c | 32) <= 122 || (48...57).contains(c) }
        func isDigit(_ c: UInt8) -> Bool { (48...57).contains(c) }
        var previous: ArraySlice<UInt8> = []
        while i < b.count {
            if inComment {
                if b[i] == 42, i + 1 < b.count, b[i + 1] == 47 {
                    inComment = false
                    i += 2
                } else {
                    i += 1
                }
                continue
            }
            let c = b[i]
            if c == 32 || c == 9 {
                i += 1
            } else if c == 47, i + 1 < b.count, b[i + 1] == 42 {
                inComment = true
                i += 2
            } else if isDigit(c) || (c == 46 && i + 1 < b.count && isDigit(b[i + 1])) {
                var j = i + 1
                while j < b.count, isIdent(b[j]) || b[j] == 46 || ((b[j] == 43 || b[j] == 45) && (b[j - 1] | 32) == 101) { j += 1 }
                tokens += 1
                previous = b[i..<j]
                i = j
            } else if isIdent(c) {
                var j = i + 1
                while j < b.count, isIdent(b[j]) { j += 1 }
                tokens += 1
                previous = b[i..<j]
                i = j
            } else if c == 34 || c == 39 {
                var j = i + 1
                while j < b.count, b[j] != c { j += b[j] == 92 ? 2 : 1 }
                tokens += 1
                previous = []
                i = min(j + 1, b.count)
            } else {
                if c == 40 { countCall(previous) }
                let op = Self.multiCharOperators.first { i + $0.count <= b.count && b[i..<i + $0.count].elementsEqual($0) }
                tokens += 1
                previous = []
                i += op?.count ?? 1
            }
        }
    }

    private mutating func countCall(_ name: ArraySlice<UInt8>) {
        if name.elementsEqual("for".utf8) {
            loops += 1
        } else if name.elementsEqual("if".utf8) {
            branches += 1
        } else if name.elementsEqual("expf".utf8) {
            expfCalls += 1
        } else if name.count > 5, Self.helperNames.contains(Array(name)) {
            helperCalls += 1
        }
    }

    /// The counts of a whole text (a helper template), its definitions not counted as calls.
    /// The lines of a helper template a core with a scalar FPU compiles (the model's cores are
    /// fitted on the M4F): where a template forks by the core's float unit (`__ARM_FP`, Helium's
    /// `__ARM_FEATURE_MVE`, soft float under `#else` or `!defined(__ARM_FP)`), the FPU's branch
    /// alone. A condition holds when it names `__ARM_FP` (not negated), `__ARM_FEATURE_FMA` or
    /// `__GNUC__`, or is an `#ifndef`.
    static func scalarFPULines(_ text: String) -> String {
        guard text.contains("__ARM_FP") else { return text }
        // Per open #if: whether its current branch is read, and whether any branch was taken.
        var stack: [(live: Bool, taken: Bool)] = []
        var kept: [Substring] = []
        func holds(_ line: Substring) -> Bool {
            if line.contains("!defined(__ARM_FP)") { return false }
            return line.hasPrefix("#ifndef") || line.contains("__ARM_FP") || line.contains("__ARM_FEATURE_FMA") || line.contains("__GNUC__")
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let directive = line.drop { $0 == " " }
            let outer = stack.allSatisfy(\.live)
            if directive.hasPrefix("#if") {
                let live = outer && holds(directive)
                stack.append((live, live))
            } else if directive.hasPrefix("#elif"), let top = stack.popLast() {
                let enclosing = stack.allSatisfy(\.live)
                let live = enclosing && !top.taken && holds(directive)
                stack.append((live, top.taken || live))
            } else if directive.hasPrefix("#else"), let top = stack.popLast() {
                let enclosing = stack.allSatisfy(\.live)
                stack.append((enclosing && !top.taken, true))
            } else if directive.hasPrefix("#endif") {
                _ = stack.popLast()
            } else if outer {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n")
    }

    static func of(definitions text: String) -> CodeCount {
        var count = CodeCount()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { count.add(line: String(line)) }
        count.helperCalls = 0
        return count
    }
}
