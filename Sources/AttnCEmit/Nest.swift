// A loop nest under construction: loops with literal extents, and statements placed at the depth
// where their operands are known. Placing a statement as shallow as it can go is how invariants
// (a channel's gate, a row pointer) get hoisted out of inner loops.

import AttnIR

/// A statement: one line, or a loop with a body.
indirect enum Stmt {
    case line(String)
    case loop(variable: String, extent: Int, body: [Stmt])
    /// `for (int v = from; v < to; v++)` with bounds computed at run time.
    case range(variable: String, from: String, to: String, body: [Stmt])
    /// `for (int v = 0; v < extent; v += step)`; `step` is a C expression.
    case stepped(variable: String, extent: Int, step: String, body: [Stmt])
}

/// Loops (outer to inner) and statements at each depth: `pre[d]` runs inside the first `d`
/// loops, before loop `d` opens; `post[d]` after it closes.
struct Nest {
    private(set) var loops: [(variable: String, extent: Int)] = []
    var pre: [[Stmt]] = [[]]
    var post: [[Stmt]] = [[]]

    /// Opens a loop unless its extent is 1; returns the index expression and its depth.
    mutating func loop(_ variable: String, _ extent: Int) -> (index: String, depth: Int) {
        guard extent > 1 else { return ("0", 0) }
        loops.append((variable, extent))
        pre.append([])
        post.append([])
        return (variable, loops.count)
    }

    var innermost: Int { loops.count }

    func print(into p: inout CPrinter) { emit(0, &p) }

    private func emit(_ d: Int, _ p: inout CPrinter) {
        for s in pre[d] { s.print(into: &p) }
        if d < loops.count {
            let (v, n) = loops[d]
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: CEmitter.budgetViolation let it through")
            p.block("for (int \(v) = 0; \(v) < \(n); \(v)++)", closing: nil) { p in emit(d + 1, &p) }
        }
        for s in post[d] { s.print(into: &p) }
    }
}

extension Stmt {
    func print(into p: inout CPrinter) {
        switch self {
        case .line(let text):
            p.line(text)
        case .loop(let v, let n, let body):
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: CEmitter.budgetViolation let it through")
            p.block("for (int \(v) = 0; \(v) < \(n); \(v)++)") { p in for s in body { s.print(into: &p) } }
        case .range(let v, let from, let to, let body):
            p.block("for (int \(v) = \(from); \(v) < \(to); \(v)++)") { p in for s in body { s.print(into: &p) } }
        case .stepped(let v, let n, let step, let body):
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: CEmitter.budgetViolation let it through")
            let increment = step == "1" ? "\(v)++" : "\(v) += \(step)"
            p.block("for (int \(v) = 0; \(v) < \(n); \(increment))") { p in for s in body { s.print(into: &p) } }
        }
    }
}

/// A flat offset `constant + Σ coefficient·variable`, with the depth each variable is bound at.
struct Offset {
    var constant = 0
    var terms: [(variable: String, coefficient: Int, depth: Int)] = []

    mutating func add(_ index: (index: String, depth: Int), _ coefficient: Int) {
        guard index.index != "0", coefficient != 0 else { return }
        terms.append((index.index, coefficient, index.depth))
    }

    var depth: Int { terms.map(\.depth).max() ?? 0 }

    /// C text of the part bound at depth < `depth`, and of the part at `depth`.
    func split(at depth: Int) -> (outer: String, inner: String) {
        (Self.render(constant, terms.filter { $0.depth < depth }), Self.render(0, terms.filter { $0.depth >= depth }))
    }

    var text: String { Self.render(constant, terms) }

    private static func render(_ constant: Int, _ terms: [(variable: String, coefficient: Int, depth: Int)]) -> String {
        var parts = terms.map { $0.coefficient == 1 ? $0.variable : "\($0.variable) * \($0.coefficient)" }
        if constant != 0 || parts.isEmpty { parts.append(String(constant)) }
        return parts.joined(separator: " + ")
    }
}

extension NestValues {
    /// Removes the innermost loop when a row helper replaced it; its statements must be empty.
    mutating func dropInnermostLoop() { nest.dropInnermostLoop() }
}

extension Nest {
    mutating func dropInnermostLoop() {
        precondition(!loops.isEmpty && pre[loops.count].isEmpty && post[loops.count].isEmpty, "dropping a busy loop")
        loops.removeLast()
        pre.removeLast()
        post.removeLast()
    }
}
