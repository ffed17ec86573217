// What the code-size model reads from an emitted .c: the C a Cortex-M compiler would see (branches
// for the host's tcc/x86 tier dropped), counted as tokens, loops, branches and calls, plus the
// constant arrays it defines (counted exactly, as data, not as code).

import Foundation

/// Counts over the MCU-visible text of one generated .c file.
package struct CodeFeatures: Hashable, Sendable {
    /// C tokens outside constant-array initialisers.
    package var tokens = 0
    /// `for` loops.
    package var loops = 0
    /// `if` statements (tap guards, padding checks).
    package var branches = 0
    /// Calls to the file's own static helpers (`attn_row_dot(...)`), definitions not counted.
    package var helperCalls = 0
    /// Calls to libm's expf, tanhf or erff (a call instruction, however long the C expression around it).
    package var expfCalls = 0
    /// Bytes of file-scope const arrays other than `<name>_params` (golden vectors, tables).
    package var constantBytes = 0
    /// Bytes of `<name>_params` when the weights are baked in.
    package var weightBytes = 0

    /// The feature vector the linear model multiplies, in `CodeSizeModel.Coefficients` order.
    package var vector: [Double] { [1, Double(tokens), Double(loops), Double(branches), Double(helperCalls), Double(expfCalls)] }

    package init() {}

    /// Reads an emitted .c. `name` is the block's C prefix (for `<name>_params`).
    package init(source: String, name: String) {
        let visible = Self.mcuVisible(Self.stripComments(source))
        let (code, arrays) = Self.extractConstArrays(visible)
        for a in arrays {
            if a.name == "\(name)_params" { weightBytes += a.bytes } else { constantBytes += a.bytes }
        }
        let toks = Self.tokenize(code)
        tokens = toks.count
        var helpers = Set<String>()
        var definitions = 0
        // `static <type> [*]name(` at file scope defines a helper.
        for line in code.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("static ") {
            let t = Self.tokenize(String(line))
            if let open = t.firstIndex(of: "("), open > 0, t[open - 1].first.map({ $0 == "_" || $0.isLetter }) == true,
                !t.contains("=")
            {
                helpers.insert(t[open - 1])
                definitions += 1
            }
        }
        for i in toks.indices.dropLast() where toks[i + 1] == "(" {
            switch toks[i] {
            case "for": loops += 1
            case "if": branches += 1
            case "expf", "tanhf", "erff": expfCalls += 1
            case let id where helpers.contains(id): helperCalls += 1
            default: break
            }
        }
        helperCalls = max(0, helperCalls - definitions)
    }

    // MARK: text passes

    static func stripComments(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let c = Array(s.unicodeScalars)
        var i = 0
        var inString = false
        while i < c.count {
            if inString {
                out.unicodeScalars.append(c[i])
                if c[i] == "\\" && i + 1 < c.count {
                    out.unicodeScalars.append(c[i + 1])
                    i += 2
                    continue
                }
                if c[i] == "\"" { inString = false }
                i += 1
            } else if c[i] == "\"" {
                inString = true
                out.unicodeScalars.append(c[i])
                i += 1
            } else if c[i] == "/" && i + 1 < c.count && c[i + 1] == "*" {
                i += 2
                while i + 1 < c.count && !(c[i] == "*" && c[i + 1] == "/") {
                    if c[i] == "\n" { out.append("\n") }
                    i += 1
                }
                i += 2
                out.append(" ")
            } else if c[i] == "/" && i + 1 < c.count && c[i + 1] == "/" {
                while i < c.count && c[i] != "\n" { i += 1 }
            } else {
                out.unicodeScalars.append(c[i])
                i += 1
            }
        }
        return out
    }

    /// Macros only a host compiler defines: a Cortex-M build never takes their branches.
    static let hostOnlyMacros: Set<String> = [
        "__TINYC__", "__x86_64__", "__i386__", "__SSE__", "__SSE2__", "__AVX__", "__AVX2__", "__aarch64__",
    ]

    /// Keeps the lines a Cortex-M compile sees; directives themselves are dropped. A condition
    /// that needs a host-only macro is false, its negation true, anything else true.
    package static func mcuVisible(_ s: String) -> String {
        var out: [Substring] = []
        // Per open #if: is this branch live, and has an earlier branch of it been taken?
        var stack: [(live: Bool, taken: Bool)] = []
        for line in s.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard t.hasPrefix("#") else {
                if stack.allSatisfy(\.live) { out.append(line) }
                continue
            }
            let directive = t.dropFirst().drop { $0 == " " }
            let word = directive.prefix { $0.isLetter }
            let rest = String(directive.dropFirst(word.count))
            switch word {
            case "if", "ifdef", "ifndef":
                let cond = word == "ifdef" ? "defined(\(rest.trimmingCharacters(in: .whitespaces)))"
                    : word == "ifndef" ? "!defined(\(rest.trimmingCharacters(in: .whitespaces)))" : rest
                let v = evaluate(cond)
                stack.append((v, v))
            case "elif":
                guard let top = stack.popLast() else { continue }
                let v = !top.taken && evaluate(rest)
                stack.append((v, top.taken || v))
            case "else":
                guard let top = stack.popLast() else { continue }
                stack.append((!top.taken, true))
            case "endif":
                _ = stack.popLast()
            default:
                continue  // #include, #define: not code
            }
        }
        return out.joined(separator: "\n")
    }

    /// Truth of a preprocessor condition on a Cortex-M compiler, as far as this model cares:
    /// `defined(M)` is false for the host-only macros and true otherwise, `ATTN_LANES > 8` and `0`
    /// are false, any other atom true; `!`, `&&`, `||` and parentheses combine them.
    static func evaluate(_ condition: String) -> Bool {
        var p = ConditionParser(Array(condition.replacingOccurrences(of: " ", with: "")))
        return p.disjunction()
    }

    /// Removes file-scope `const float NAME[...] = { ... };` initialisers, returning their sizes.
    static func extractConstArrays(_ s: String) -> (code: String, arrays: [(name: String, bytes: Int)]) {
        var arrays: [(String, Int)] = []
        var code = ""
        var rest = Substring(s)
        while let range = rest.range(of: "const float ") {
            // Only declarations that start a line count (not `const float *p = ...` in a body).
            let lineStart = rest[..<range.lowerBound].lastIndex(of: "\n").map { rest.index(after: $0) } ?? rest.startIndex
            let prefix = rest[lineStart..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let afterDecl = rest[range.upperBound...]
            let name = afterDecl.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
            guard prefix.isEmpty || prefix == "static", !name.isEmpty,
                afterDecl.dropFirst(name.count).first == "[",
                let eq = afterDecl.firstIndex(of: "="), let brace = afterDecl[eq...].firstIndex(of: "{"),
                afterDecl[afterDecl.index(after: eq)..<brace].allSatisfy(\.isWhitespace),
                let close = afterDecl[brace...].firstIndex(of: "}")
            else {
                code += rest[..<range.upperBound]
                rest = rest[range.upperBound...]
                continue
            }
            let body = afterDecl[afterDecl.index(after: brace)..<close]
            let elements = body.split(separator: ",").filter { !$0.allSatisfy(\.isWhitespace) }.count
            arrays.append((String(name), elements * 4))
            code += rest[..<lineStart]
            rest = afterDecl[close...].drop { $0 != ";" }.dropFirst()
        }
        code += rest
        return (code, arrays)
    }

    private static let operators = [
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=",
        "/=", "%=", "&=", "^=", "|=",
    ]

    /// C tokens: identifiers, numbers (with exponent and suffix), string literals, operators.
    static func tokenize(_ s: String) -> [String] {
        var out: [String] = []
        let c = Array(s.unicodeScalars)
        var i = 0
        func isIdent(_ u: Unicode.Scalar) -> Bool { u == "_" || (u.properties.isAlphabetic && u.isASCII) || ("0"..."9").contains(u) }
        while i < c.count {
            let u = c[i]
            if u == " " || u == "\t" || u == "\n" || u == "\r" {
                i += 1
            } else if ("0"..."9").contains(u) || (u == "." && i + 1 < c.count && ("0"..."9").contains(c[i + 1])) {
                var j = i + 1
                while j < c.count,
                    isIdent(c[j]) || c[j] == "." || ((c[j] == "+" || c[j] == "-") && (c[j - 1] == "e" || c[j - 1] == "E"))
                {
                    j += 1
                }
                out.append(String(String.UnicodeScalarView(c[i..<j])))
                i = j
            } else if isIdent(u) {
                var j = i + 1
                while j < c.count, isIdent(c[j]) { j += 1 }
                out.append(String(String.UnicodeScalarView(c[i..<j])))
                i = j
            } else if u == "\"" || u == "'" {
                var j = i + 1
                while j < c.count, c[j] != u {
                    if c[j] == "\\" { j += 1 }
                    j += 1
                }
                out.append(String(String.UnicodeScalarView(c[i..<min(j + 1, c.count)])))
                i = j + 1
            } else {
                var matched = String(u)
                for op in operators {
                    let scalars = Array(op.unicodeScalars)
                    if i + scalars.count <= c.count, Array(c[i..<i + scalars.count]) == scalars {
                        matched = op
                        break
                    }
                }
                out.append(matched)
                i += matched.unicodeScalars.count
            }
        }
        return out
    }
}

/// A recursive-descent reader of the `#if` conditions the emitter writes.
private struct ConditionParser {
    let text: [Character]
    var i = 0

    init(_ text: [Character]) { self.text = text }

    mutating func disjunction() -> Bool {
        var value = conjunction()
        while eat("||") { value = conjunction() || value }
        return value
    }

    mutating func conjunction() -> Bool {
        var value = unary()
        while eat("&&") { value = unary() && value }
        return value
    }

    mutating func unary() -> Bool {
        if eat("!") { return !unary() }
        if eat("(") {
            let value = disjunction()
            _ = eat(")")
            return value
        }
        if eat("defined") {
            let paren = eat("(")
            var name = ""
            while i < text.count, text[i] == "_" || text[i].isLetter || text[i].isNumber {
                name.append(text[i])
                i += 1
            }
            if paren { _ = eat(")") }
            return !CodeFeatures.hostOnlyMacros.contains(name)
        }
        // Any other atom up to the next operator: `ATTN_LANES>8` and `0` are false.
        var atom = ""
        while i < text.count, !"&|)".contains(text[i]) {
            atom.append(text[i])
            i += 1
        }
        return !(atom == "0" || atom.contains("ATTN_LANES>8"))
    }

    mutating func eat(_ token: String) -> Bool {
        let t = Array(token)
        guard i + t.count <= text.count, Array(text[i..<i + t.count]) == t else { return false }
        i += t.count
        return true
    }
}
