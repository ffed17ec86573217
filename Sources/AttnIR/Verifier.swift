// Re-checks a finished program: operands defined before use, shapes as inferred, parameters used
// consistently, one reachable output. Runs after lowering; tests feed it hand-made bad programs.

/// The IR's invariants, checked on a finished program so no later stage has to trust lowering.
public enum Verifier {
    /// Throws the first broken invariant: an empty input axis, an operand used before it is
    /// defined, a shape other than inference gives, a parameter misused, or an unreachable output.
    public static func verify(_ p: Program) throws(IRError) {
        guard p.input.n >= 1, p.input.c >= 1, p.input.h >= 1, p.input.w >= 1 else {
            throw IRError("input shape \(p.input) has an empty axis")
        }
        var names = Set<String>()
        for decl in p.params {
            guard names.insert(decl.name).inserted else { throw IRError("parameter \(decl.name) declared twice") }
            guard !decl.dims.isEmpty, decl.dims.allSatisfy({ $0 >= 1 }) else {
                throw IRError("parameter \(decl.name) has dims \(decl.dims)")
            }
        }
        for (i, instr) in p.instrs.enumerated() {
            let id = i + 1
            for v in instr.operands where v < 0 || v >= id {
                throw IRError("%\(id) reads %\(v), which is not defined before it")
            }
            let inferred = try instr.op.resultShape(operands: instr.operands.map { p.shape(of: $0) }, params: p.params)
            guard inferred == instr.shape else {
                throw IRError("%\(id) claims shape \(instr.shape) but \(instr.op) gives \(inferred)")
            }
        }
        guard p.output >= 1, p.output <= p.instrs.count else {
            throw IRError("output %\(p.output) is not an instruction")
        }
        // Every instruction must contribute to the output: dead code would still be emitted and run.
        var live = Set([p.output])
        for id in stride(from: p.instrs.count, through: 1, by: -1) where live.contains(id) {
            live.formUnion(p.instrs[id - 1].operands)
        }
        for id in 1...p.instrs.count where !live.contains(id) {
            throw IRError("%\(id) (\(p.instrs[id - 1].role)) does not reach the output")
        }
        var used = Set<ParamID>()
        for instr in p.instrs { used.formUnion(instr.op.params) }
        for (i, decl) in p.params.enumerated() where !used.contains(i) {
            throw IRError("parameter \(decl.name) is never used")
        }
    }
}

extension Op {
    /// Parameters an op reads.
    public var params: [ParamID] {
        switch self {
        case .globalPool, .channelPool, .axisPool, .pool2d, .unary, .binary, .concat, .slice, .reshape, .transpose,
            .upsampleNearest, .softmax, .l1Normalize, .instanceNorm, .variance, .matmul, .blockMatmul, .attention(_, nil), .blockUnfold:
            return []
        case .attention(_, let r?): return [r.heightRel, r.widthRel]
        case .weightedPool(let w), .relPosWeights(let w): return [w]
        case .layerNorm(let s, let t, _), .groupNorm(_, let s, let t, _): return (s.map { [$0] } ?? []) + (t.map { [$0] } ?? [])
        case .axisConv1d(let w, let b, _, _): return [w] + (b.map { [$0] } ?? [])
        case .constant(let id, _): return [id]
        case .linear(let w, let b, _): return [w] + (b.map { [$0] } ?? [])
        case .channelConv1d(let w, _, _): return [w]
        case .conv2d(let a): return [a.weight] + (a.bias.map { [$0] } ?? [])
        case .affine(let s, let t): return [s, t]
        }
    }
}
