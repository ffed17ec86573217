// The emitter's integer expressions: the folding rules one by one, the C they print, and a seeded
// property check that random expressions keep their value through folding and through their C
// text (parsed back and evaluated with C's precedence and truncating division).

import AttnCEmit
import Foundation
import Testing

@Suite struct CExprTests {
    let i: CExpr = "i"
    let j: CExpr = "j"

    // MARK: - folding

    @Test func identitiesLeaveNothingBehind() {
        #expect(CExpr.zero + i == i)
        #expect(i + CExpr.zero == i)
        #expect(i * 1 == i)
        #expect((i * 0).isZero)
        #expect((0 * i).isZero)
        #expect(i / 1 == i)
        #expect((i % 1).isZero)
        #expect(i - 0 == i)
    }

    @Test func constantsCombine() {
        #expect((CExpr(2) + 3).constantValue == 5)
        #expect((CExpr(4) * 6 - 1).constantValue == 23)
        #expect((i + 2 + 3).description == "i + 5")
        #expect((i + 2 - 2) == i)
        #expect(i.constantValue == nil)
        #expect(!i.isZero)
    }

    @Test func divisionAndRemainderOfConstantsTruncateAsC() {
        #expect((CExpr(7) / 2).constantValue == 3)
        #expect((CExpr(-7) / 2).constantValue == -3)
        #expect((CExpr(7) % 3).constantValue == 1)
        #expect((CExpr(-7) % 3).constantValue == -1)
    }

    @Test func termsOfOneVariableMerge() {
        #expect(i + i == i * 2)
        #expect((i - i).isZero)
        #expect((i * 3 + j - i * 3).description == "j")
        #expect(((i * 2 + j) * 49).description == "i * 98 + j * 49")
        #expect(((i + 1) * 256 + j).description == "i * 256 + j + 256")
    }

    @Test func exactQuotientsDistributeAndNestedOnesMerge() {
        #expect((i * 4 + 8) / 4 == i + 2)
        #expect(((i * 6) % 3).isZero)
        #expect((i / 2 / 3).description == "i / 6")
        #expect(((i * 3 + 1) / 2).description == "(i * 3 + 1) / 2")
        #expect((i / 16 * 16 + j).description == "i / 16 * 16 + j")
    }

    // MARK: - printing

    @Test func printsPositivePartFirst() {
        #expect((17 - i).description == "17 - i")
        #expect((-i).description == "-i")
        #expect((-i * 3).description == "-i * 3")
        #expect((-i - 3).description == "-i - 3")
        #expect((j - i * 4 - 2).description == "j - i * 4 - 2")
        #expect(CExpr(-5).description == "-5")
        #expect(CExpr.zero.description == "0")
    }

    @Test func parenthesesOnlyWhereCNeedsThem() {
        #expect(((i + j) / 2).description == "(i + j) / 2")
        #expect((i * 3 / 2).description == "i * 3 / 2")
        #expect(((i - 1) % 4 * 2).description == "(i - 1) % 4 * 2")
        #expect(((i + j) / 2 * 3).description == "(i + j) / 2 * 3")
        #expect((-((i + j) / 2)).description == "-(i + j) / 2")
        #expect(CExpr.element("rows", i + 1).description == "rows[i + 1]")
        #expect((CExpr.element("rows", i) * 4 + j).description == "rows[i] * 4 + j")
    }

    @Test func pointerOffsets() {
        #expect(plus("p", .zero) == "p")
        #expect(plus("p", i * 4 + 2) == "p + i * 4 + 2")
        #expect(plus("p", CExpr(-3)) == "p - 3")
        // A negative part is added in one step, so no partial sum points outside the array.
        #expect(plus("p", i + j - 1) == "p + (i + j - 1)")
        #expect(plus("p", i - j) == "p + (i - j)")
    }

    // MARK: - property: folding and printing keep the value

    /// A random expression as it was built, evaluated without folding.
    private indirect enum Tree {
        case constant(Int), variable(String), sum(Tree, Tree), difference(Tree, Tree), product(Tree, Int)
        case quotient(Tree, Int), remainder(Tree, Int), negation(Tree), element(Tree)

        func value(_ env: [String: Int]) -> Int {
            switch self {
            case .constant(let c): return c
            case .variable(let v): return env[v]!
            case .sum(let a, let b): return a.value(env) + b.value(env)
            case .difference(let a, let b): return a.value(env) - b.value(env)
            case .product(let a, let k): return a.value(env) * k
            case .quotient(let a, let d): return a.value(env) / d
            case .remainder(let a, let d): return a.value(env) % d
            case .negation(let a): return -a.value(env)
            case .element(let a): return table(a.value(env))
            }
        }

        var expr: CExpr {
            switch self {
            case .constant(let c): return CExpr(c)
            case .variable(let v): return .variable(v)
            case .sum(let a, let b): return a.expr + b.expr
            case .difference(let a, let b): return a.expr - b.expr
            case .product(let a, let k): return a.expr * k
            case .quotient(let a, let d): return a.expr / d
            case .remainder(let a, let d): return a.expr % d
            case .negation(let a): return -a.expr
            case .element(let a): return .element("t", a.expr)
            }
        }
    }

    /// The index table `t` every expression may read.
    private static func table(_ x: Int) -> Int { x * 7 - 3 }

    /// A small linear congruential generator: the same cases on every run.
    private struct Seeded {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    private static let variables = ["i", "j", "kw0", "ATTN_V_LANES"]

    private func tree(_ r: inout Seeded, depth: Int) -> Tree {
        if depth == 0 || r.next(4) == 0 {
            return r.next(2) == 0 ? .constant(r.next(21) - 10) : .variable(Self.variables[r.next(Self.variables.count)])
        }
        switch r.next(8) {
        case 0: return .sum(tree(&r, depth: depth - 1), tree(&r, depth: depth - 1))
        case 1: return .difference(tree(&r, depth: depth - 1), tree(&r, depth: depth - 1))
        case 2: return .product(tree(&r, depth: depth - 1), r.next(9) - 3)
        case 3: return .quotient(tree(&r, depth: depth - 1), r.next(6) + 1)
        case 4: return .remainder(tree(&r, depth: depth - 1), r.next(6) + 1)
        case 5: return .negation(tree(&r, depth: depth - 1))
        case 6: return .element(tree(&r, depth: depth - 1))
        default: return .sum(tree(&r, depth: depth - 1), .constant(r.next(5)))
        }
    }

    @Test func randomExpressionsKeepTheirValue() throws {
        var r = Seeded(state: 20_261_206)
        var folded = 0
        for _ in 0..<3000 {
            let t = tree(&r, depth: 5)
            let e = t.expr
            let text = e.description
            for _ in 0..<4 {
                var env: [String: Int] = [:]
                for v in Self.variables { env[v] = r.next(41) - 20 }
                let want = t.value(env)
                #expect(Self.evaluate(e, env) == want, "folded \(text)")
                var parser = CParser(text: text, env: env, table: Self.table)
                let got = try parser.parse()
                #expect(got == want, "printed \(text)")
            }
            // Folded means no identity survives in the text.
            for unfolded in [#"\b0 [+-] "#, #"[+-] 0\b"#, #"\* [01]\b"#, #"\b[01] \*"#, #"/ 1\b"#, #"% 1\b"#, #"[+-] -"#, #"--"#] {
                #expect(text.firstMatch(of: try Regex(unfolded)) == nil, "\(text) keeps \(unfolded)")
            }
            if e.terms.count + (e.constant == 0 ? 0 : 1) < 2 { folded += 1 }
        }
        // The generator reaches single-term results often enough that folding is exercised.
        #expect(folded > 100)
    }

    /// The identities folding removes, as they would read in C (outside literals such as `0.5f`
    /// and `0x1p-3f`).
    static let identities = [
        #"(^|[^\w.])0 [+-] "#, #"[+-] 0(?![\w.])"#, #"\* [01](?![\w.])"#, #"(^|[^\w.])[01] \*"#, #"/ 1(?![\w.])"#,
        #"% 1(?![\w.])"#, #"[+*] 0\.0f"#, #"[*/] 1\.0f"#, #"- 0\.0f"#,
    ]

    /// Every example's C, comments aside, is free of them.
    @Test func generatedCodeHasNoIdentityLeft() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.generated.path).filter { $0.hasSuffix(".c") }.sorted()
        try #require(!files.isEmpty, "no C in \(Paths.generated.path)")
        let comment = try Regex(#"/\*(?s:.*?)\*/|//[^\n]*"#)
        let patterns = try Self.identities.map { try Regex($0) }
        for file in files {
            let text = try String(contentsOf: Paths.generated.appendingPathComponent(file), encoding: .utf8)
            for line in text.replacing(comment, with: "").split(separator: "\n") {
                for pattern in patterns {
                    #expect(line.firstMatch(of: pattern) == nil, "\(file): \(line)")
                }
            }
        }
    }

    /// The folded structure's own value.
    private static func evaluate(_ e: CExpr, _ env: [String: Int]) -> Int {
        e.terms.reduce(e.constant) { sum, t in
            let atom: Int
            switch t.atom {
            case .variable(let v): atom = env[v]!
            case .quotient(let a, let d): atom = evaluate(a, env) / d
            case .remainder(let a, let d): atom = evaluate(a, env) % d
            case .element(_, let a): atom = table(evaluate(a, env))
            }
            return sum + t.coefficient * atom
        }
    }
}

/// Evaluates the C integer expressions the emitter prints: literals, identifiers, `t[e]`,
/// unary minus, `* / %` over `+ -`, left to right, truncating division, parentheses.
private struct CParser {
    enum Failure: Error { case unexpected(String, at: Int) }

    let tokens: [String]
    let env: [String: Int]
    let table: (Int) -> Int
    var position = 0

    init(text: String, env: [String: Int], table: @escaping (Int) -> Int) {
        var tokens: [String] = []
        var current = ""
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
                continue
            }
            if !current.isEmpty { tokens.append(current) }
            current = ""
            if ch != " " { tokens.append(String(ch)) }
        }
        if !current.isEmpty { tokens.append(current) }
        self.tokens = tokens
        self.env = env
        self.table = table
    }

    mutating func parse() throws -> Int {
        let value = try sum()
        guard position == tokens.count else { throw Failure.unexpected(tokens[position], at: position) }
        return value
    }

    private var peek: String? { position < tokens.count ? tokens[position] : nil }

    private mutating func take() -> String? {
        defer { position += 1 }
        return peek
    }

    private mutating func sum() throws -> Int {
        var value = try product()
        while let op = peek, op == "+" || op == "-" {
            position += 1
            let rhs = try product()
            value = op == "+" ? value + rhs : value - rhs
        }
        return value
    }

    private mutating func product() throws -> Int {
        var value = try unary()
        while let op = peek, op == "*" || op == "/" || op == "%" {
            position += 1
            let rhs = try unary()
            value = op == "*" ? value * rhs : op == "/" ? value / rhs : value % rhs
        }
        return value
    }

    private mutating func unary() throws -> Int {
        if peek == "-" {
            position += 1
            return -(try unary())
        }
        return try postfix()
    }

    private mutating func postfix() throws -> Int {
        guard let token = take() else { throw Failure.unexpected("end", at: position) }
        if token == "(" {
            let value = try sum()
            guard take() == ")" else { throw Failure.unexpected("no )", at: position) }
            return value
        }
        if let literal = Int(token) { return literal }
        guard token.first!.isLetter || token.first == "_" else { throw Failure.unexpected(token, at: position) }
        if peek == "[" {
            position += 1
            let index = try sum()
            guard take() == "]" else { throw Failure.unexpected("no ]", at: position) }
            return table(index)
        }
        guard let value = env[token] else { throw Failure.unexpected(token, at: position) }
        return value
    }
}
