// An IR → IR pass for the emitter: reductions of the same family over the same operand are moved
// next to each other, so one pass over the data feeds all of them (CBAM's avg and max pools of x,
// and its mean and max over C of x1).

import AttnIR

enum ReductionFamily: Hashable {
    case global
    case channel
}

extension Op {
    var reductionFamily: ReductionFamily? {
        switch self {
        case .globalPool: return .global
        case .channelPool: return .channel
        case .linear, .channelConv1d, .conv2d, .affine, .unary, .binary, .concat: return nil
        }
    }
}

/// Returns an equivalent program in which sibling reductions are adjacent.
func groupReductions(_ p: Program) -> Program {
    var order: [Int] = []  // old instruction indices, new order
    var placed = Set<Int>()
    for (i, instr) in p.instrs.enumerated() where !placed.contains(i) {
        order.append(i)
        placed.insert(i)
        guard let family = instr.op.reductionFamily else { continue }
        for (j, other) in p.instrs.enumerated()
        where j > i && !placed.contains(j) && other.op.reductionFamily == family && other.operands == instr.operands {
            order.append(j)
            placed.insert(j)
        }
    }
    var newID = [0: 0]
    for (k, old) in order.enumerated() { newID[old + 1] = k + 1 }
    let instrs = order.map { old -> Instr in
        let instr = p.instrs[old]
        return Instr(op: instr.op, operands: instr.operands.map { newID[$0]! }, shape: instr.shape, role: instr.role)
    }
    return Program(name: p.name, input: p.input, params: p.params, instrs: instrs, output: newID[p.output]!)
}
