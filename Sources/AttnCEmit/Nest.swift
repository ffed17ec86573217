// A loop nest under construction: loops with literal extents, and statements placed at the depth
// where their operands are known. Placing a statement as shallow as it can go is how invariants
// (a channel's gate, a row pointer) get hoisted out of inner loops.

import AttnIR

/// A statement: one line, or a loop with a body.
indirect enum Stmt {
    case line(String)
    case loop(variable: String, extent: Int, body: [Stmt])
    /// `for (int v = from; v < to; v++)` with bounds computed at run time.
    case range(variable: String, from: CExpr, to: CExpr, body: [Stmt])
    /// `for (int v = 0; v < extent; v += step)`.
    case stepped(variable: String, extent: Int, step: CExpr, body: [Stmt])
}

/// A loop's index where a nest reads it, and the depth it is bound at: the constant 0 at
/// depth 0 when the axis has extent 1 and no loop.
typealias LoopIndex = (index: CExpr, depth: Int)

/// Loops (outer to inner) and statements at each depth: `pre[d]` runs inside the first `d`
/// loops, before loop `d` opens; `post[d]` after it closes.
struct Nest {
    private(set) var loops: [(variable: String, extent: Int)] = []
    var pre: [[Stmt]] = [[]]
    var post: [[Stmt]] = [[]]

    /// Opens a loop unless its extent is 1; returns the index expression and its depth.
    mutating func loop(_ variable: String, _ extent: Int) -> LoopIndex {
        guard extent > 1 else { return (.zero, 0) }
        loops.append((variable, extent))
        pre.append([])
        post.append([])
        return (.variable(variable), loops.count)
    }

    var innermost: Int { loops.count }
    /// The innermost loop's step: above 1 when its body handles a chunk of that many iterations.
    var innerStep = 1
    /// The next loop out's step: above 1 when each call takes that many whole rows.
    var rowStep = 1

    func print(into p: inout CPrinter) { emit(0, &p) }

    private func emit(_ d: Int, _ p: inout CPrinter) {
        for s in pre[d] { s.print(into: &p) }
        if d < loops.count {
            let (v, n) = loops[d]
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: Plan.budgetViolation let it through")
            let step = d == loops.count - 1 ? innerStep : d == loops.count - 2 ? rowStep : 1
            let increment = step > 1 ? "\(v) += \(step)" : "\(v)++"
            p.block("for (int \(v) = 0; \(v) < \(n); \(increment))", closing: nil) { p in emit(d + 1, &p) }
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
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: Plan.budgetViolation let it through")
            p.block("for (int \(v) = 0; \(v) < \(n); \(v)++)") { p in for s in body { s.print(into: &p) } }
        case .range(let v, let from, let to, let body):
            p.block("for (int \(v) = \(from); \(v) < \(to); \(v)++)") { p in for s in body { s.print(into: &p) } }
        case .stepped(let v, let n, let step, let body):
            precondition(n <= Limits.maxElements, "loop \(v) to \(n) passed int: Plan.budgetViolation let it through")
            let increment = step.constantValue == 1 ? "\(v)++" : "\(v) += \(step)"
            p.block("for (int \(v) = 0; \(v) < \(n); \(increment))") { p in for s in body { s.print(into: &p) } }
        }
    }
}

/// An offset split by the depth each part is bound at, so the part bound outside the innermost
/// loop can become a row pointer.
struct Offset {
    var constant = 0
    var terms: [(expr: CExpr, depth: Int)] = []

    /// Adds `index · coefficient`; nothing when that is 0.
    mutating func add(_ index: LoopIndex, _ coefficient: Int) {
        let term = index.index * coefficient
        guard !term.isZero else { return }
        terms.append((term, index.depth))
    }

    var depth: Int { terms.map(\.depth).max() ?? 0 }

    /// The part bound at depth < `depth`, and the part at `depth`.
    func split(at depth: Int) -> (outer: CExpr, inner: CExpr) {
        (Self.sum(constant, terms.filter { $0.depth < depth }), Self.sum(0, terms.filter { $0.depth >= depth }))
    }

    var expr: CExpr { Self.sum(constant, terms) }

    private static func sum(_ constant: Int, _ terms: [(expr: CExpr, depth: Int)]) -> CExpr {
        terms.reduce(CExpr(constant)) { $0 + $1.expr }
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
