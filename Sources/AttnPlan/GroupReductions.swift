// The first pass of the plan, IR → IR: instructions are put in order of their depth from the input
// (stable), so parallel branches advance together, then reductions of the same family over the
// same operand are moved next to each other. One pass over the data then feeds all of them (CBAM's
// avg and max pools of x, its mean and max over C of x1), and linear layers sharing weights sit
// side by side (CBAM's MLP on both pooled vectors reads its weights once).

import AttnIR

/// Returns an equivalent program in which sibling reductions are adjacent.
package func groupReductions(_ p: Program) -> Program { regroup(byDepth(p)) }

/// The instructions emitted as one loop nest with `v`: sibling pools over one operand, two
/// linears with the same weights, or 1×1 convs of one operand stacked into one GEMM. Storage
/// planning treats a group as one step.
package func emissionGroup(_ p: Program, startingAt v: ValueID, fusion: Fusion = .fused) -> [ValueID] {
    let instr = p.instrs[v - 1]
    var group = [v]
    if fusion == .opByOp { return group }
    if case .linear = instr.op {
        // Only a sibling: a second layer reading the first one's result (`fc1` applied twice in
        // a row) must wait for it, or it would read the vector before it is written.
        if v < p.instrs.count, p.instrs[v].op == instr.op, p.instrs[v].operands[0] != v,
            p.shape(of: p.instrs[v].operands[0]) == p.shape(of: instr.operands[0])
        {
            group.append(v + 1)  // the same weights applied to another vector
        }
    } else if case .conv2d = instr.op {
        group += stackedSiblings(p, after: v)  // one GEMM on hosts (`stackPointwise`)
    } else if let family = instr.op.traits.reductionFamily {
        while group.last! < p.instrs.count, p.instrs[group.last!].op.traits.reductionFamily == family,
            p.instrs[group.last!].operands == instr.operands
        {
            group.append(group.last! + 1)
        }
    }
    return group
}

/// Stable order by longest distance from the input; a valid topological order.
private func byDepth(_ p: Program) -> Program {
    var depth = [0]
    // A constant reads nothing: depth 1, like a first op on the input.
    for instr in p.instrs { depth.append(1 + (instr.operands.map { depth[$0] }.max() ?? 0)) }
    let order = p.instrs.indices.sorted { (depth[$0 + 1], $0) < (depth[$1 + 1], $1) }
    return reorder(p, order)
}

private func regroup(_ p: Program) -> Program {
    // Siblings found through the reductions of each first operand, not by scanning the rest of
    // the program for each reduction: a graph of thousands of pools stays linear. Arrays indexed
    // by value, not a dictionary keyed by (family, operands): a process's first dictionary keyed
    // by a type looks up its Hashable conformance, a scan of every conformance record that was a
    // noticeable part of the first JIT call.
    var byOperand = [[Int]](repeating: [], count: p.instrs.count + 1)
    for (i, instr) in p.instrs.enumerated() where instr.op.traits.reductionFamily != nil && !instr.operands.isEmpty {
        byOperand[instr.operands[0]].append(i)
    }
    var order: [Int] = []  // old instruction indices, new order
    var placed = [Bool](repeating: false, count: p.instrs.count)
    for (i, instr) in p.instrs.enumerated() where !placed[i] {
        order.append(i)
        placed[i] = true
        guard let family = instr.op.traits.reductionFamily, !instr.operands.isEmpty else { continue }
        for j in byOperand[instr.operands[0]] where j > i && !placed[j] {
            let sibling = p.instrs[j]
            guard sibling.op.traits.reductionFamily == family, sibling.operands == instr.operands else { continue }
            order.append(j)
            placed[j] = true
        }
    }
    return reorder(p, order)
}

/// The program with its instructions in `order` (old indices), operands renumbered.
func reorder(_ p: Program, _ order: [Int]) -> Program {
    var newID = [0: 0]
    for (k, old) in order.enumerated() { newID[old + 1] = k + 1 }
    let instrs = order.map { old -> Instr in
        let instr = p.instrs[old]
        return Instr(op: instr.op, operands: instr.operands.map { newID[$0]! }, shape: instr.shape, role: instr.role)
    }
    return Program(name: p.name, input: p.input, params: p.params, instrs: instrs, output: newID[p.output]!)
}
