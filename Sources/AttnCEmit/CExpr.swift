// Integer C expressions (indices, offsets, bounds, steps) as values that fold while they are
// built. Every one is a constant plus a sum of atoms with integer coefficients, so an axis of
// extent 1 (index 0), a stride of 1, a zero padding or a single group leaves nothing behind in
// the C, and a variable reached along two paths is written once. Printing adds only the
// parentheses C's precedence needs.

/// An integer C expression: `constant + Σ coefficient·atom`, folded as it is built.
package struct CExpr: Hashable, Sendable {
    /// The part that is known now.
    package private(set) var constant: Int
    /// Distinct atoms with non-zero coefficients, in the order they were first added.
    package private(set) var terms: [Term]

    package struct Term: Hashable, Sendable {
        package let atom: Atom
        package let coefficient: Int
    }

    /// What a sum adds up: the parts folding does not see into.
    package indirect enum Atom: Hashable, Sendable {
        /// A loop variable, a bound computed at run time, or a macro (`i`, `kh0`, `ATTN_V_LANES`).
        case variable(String)
        /// `e / d`, truncating as C does; `d > 1`, `e` not a constant.
        case quotient(CExpr, Int)
        /// `e % d`, with the dividend's sign as in C; `d > 1`, `e` not a constant.
        case remainder(CExpr, Int)
        /// `table[e]`: an entry of an index table.
        case element(String, CExpr)
    }

    private init(constant: Int, terms: [Term]) {
        self.constant = constant
        self.terms = terms
    }

    /// A literal.
    package init(_ value: Int) { self.init(constant: value, terms: []) }

    package static let zero = CExpr(0)

    /// A C identifier: a loop variable, a run-time bound or a macro.
    package static func variable(_ name: String) -> CExpr {
        precondition(isIdentifier(name), "\(name) is not a C identifier")
        return CExpr(atom: .variable(name))
    }

    /// `table[index]`.
    package static func element(_ table: String, _ index: CExpr) -> CExpr {
        precondition(isIdentifier(table), "\(table) is not a C identifier")
        return CExpr(atom: .element(table, index))
    }

    private init(atom: Atom) { self.init(constant: 0, terms: [Term(atom: atom, coefficient: 1)]) }

    /// The value, when it does not depend on anything computed at run time.
    package var constantValue: Int? { terms.isEmpty ? constant : nil }

    package var isZero: Bool { constantValue == 0 }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}

/// Arithmetic. Sums merge terms of the same atom and drop those that cancel; products by a
/// constant distribute; quotients and remainders fold when the dividend is a multiple of the
/// divisor, and otherwise become atoms.
extension CExpr {
    package static func + (a: CExpr, b: CExpr) -> CExpr {
        var terms = a.terms
        for t in b.terms {
            if let i = terms.firstIndex(where: { $0.atom == t.atom }) {
                terms[i] = Term(atom: t.atom, coefficient: terms[i].coefficient + t.coefficient)
            } else {
                terms.append(t)
            }
        }
        return CExpr(constant: a.constant + b.constant, terms: terms.filter { $0.coefficient != 0 })
    }

    package static func * (a: CExpr, k: Int) -> CExpr {
        guard k != 0 else { return .zero }
        return CExpr(constant: a.constant * k, terms: a.terms.map { Term(atom: $0.atom, coefficient: $0.coefficient * k) })
    }

    package static func * (k: Int, a: CExpr) -> CExpr { a * k }
    package static prefix func - (a: CExpr) -> CExpr { a * -1 }
    package static func - (a: CExpr, b: CExpr) -> CExpr { a + -b }
    package static func + (a: CExpr, k: Int) -> CExpr { a + CExpr(k) }
    package static func + (k: Int, a: CExpr) -> CExpr { CExpr(k) + a }
    package static func - (a: CExpr, k: Int) -> CExpr { a + CExpr(-k) }
    package static func - (k: Int, a: CExpr) -> CExpr { CExpr(k) - a }

    /// `a / d` with C's truncation; `d > 0`.
    package static func / (a: CExpr, d: Int) -> CExpr {
        precondition(d > 0, "division by \(d)")
        if let c = a.constantValue { return CExpr(c / d) }
        // Exact: every part is a multiple of d, whatever the signs.
        if a.isMultiple(of: d) {
            return CExpr(constant: a.constant / d, terms: a.terms.map { Term(atom: $0.atom, coefficient: $0.coefficient / d) })
        }
        // (e / q) / d is e / (q·d) for positive divisors, truncating or not.
        if a.constant == 0, a.terms.count == 1, a.terms[0].coefficient == 1, case .quotient(let e, let q) = a.terms[0].atom {
            return e / (q * d)
        }
        return CExpr(atom: .quotient(a, d))
    }

    /// `a % d` with C's sign rule; `d > 0`.
    package static func % (a: CExpr, d: Int) -> CExpr {
        precondition(d > 0, "remainder by \(d)")
        if let c = a.constantValue { return CExpr(c % d) }
        if a.isMultiple(of: d) { return .zero }
        return CExpr(atom: .remainder(a, d))
    }

    private func isMultiple(of d: Int) -> Bool {
        constant % d == 0 && terms.allSatisfy { $0.coefficient % d == 0 }
    }
}

extension CExpr: ExpressibleByStringLiteral {
    /// A variable named by a literal: `h: "k"`.
    package init(stringLiteral name: String) { self = .variable(name) }
}

/// C text: each atom once, times its coefficient (for an offset, the variable's stride), in the
/// order the terms were added, the constant last, and a positive part first when there is one
/// (`17 - h`, not `-h + 17`).
extension CExpr: CustomStringConvertible {
    package var description: String { text(grouped: false) }

    /// `grouped`: the expression is an operand of `*`, `/` or `%`, so a sum needs parentheses,
    /// and so does a negation (`-(-i) % 4`, never `--i % 4`).
    fileprivate func text(grouped: Bool) -> String {
        let items = parts()
        if items.count == 1 {
            guard items[0].negative else { return items[0].text }
            return grouped ? "(-\(items[0].text))" : "-" + items[0].text
        }
        var ordered = items
        if ordered[0].negative, let i = ordered.firstIndex(where: { !$0.negative }) {
            ordered.insert(ordered.remove(at: i), at: 0)
        }
        var s = ordered[0].negative ? "-" + ordered[0].text : ordered[0].text
        for item in ordered.dropFirst() { s += (item.negative ? " - " : " + ") + item.text }
        return grouped ? "(\(s))" : s
    }

    /// The summands as (magnitude text, sign).
    private func parts() -> [(text: String, negative: Bool)] {
        var items = terms.map { t in
            (text: t.coefficient.magnitude == 1 ? t.atom.text : "\(t.atom.text) * \(t.coefficient.magnitude)", negative: t.coefficient < 0)
        }
        if constant != 0 || items.isEmpty { items.append((String(constant.magnitude), constant < 0)) }
        return items
    }
}

extension CExpr.Atom {
    /// Every atom binds at least as tightly as `*`, and C's `*`, `/` and `%` group left to
    /// right, so `e / 4 * 3` needs no parentheses.
    fileprivate var text: String {
        switch self {
        case .variable(let name): return name
        case .quotient(let e, let d): return "\(e.text(grouped: true)) / \(d)"
        case .remainder(let e, let d): return "\(e.text(grouped: true)) % \(d)"
        case .element(let table, let index): return "\(table)[\(index)]"
        }
    }
}

/// `base + offset` for a pointer (or any C operand), just `base` when the offset is zero. An
/// offset with a negative part is added in one step: `p + a - b` would form `p + a` first, which
/// may point past the end of the array. (Loop variables and index tables are never negative, so
/// the partial sums of an offset without a negative part never pass its value.)
package func plus(_ base: String, _ offset: CExpr) -> String {
    if offset.isZero { return base }
    if let c = offset.constantValue, c < 0 { return "\(base) - \(-c)" }
    let negative = offset.constant < 0 || offset.terms.contains { $0.coefficient < 0 }
    return negative ? "\(base) + (\(offset))" : "\(base) + \(offset)"
}
