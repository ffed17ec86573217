// The concat pass: a concat of stored values costs nothing when each operand is written straight
// into its channel slice of the concat's region.

import AttnIR

struct ConcatPlacement {
    /// Operands placed in a slice: their concat and first channel there.
    let sliceOf: [ValueID: (concat: ValueID, channelStart: Int)]
    /// Concats whose operands were placed in their slices, so no copy is emitted.
    let aliased: Set<ValueID>
    /// Aliased concats by the value at which their region opens: their first operand, which
    /// belongs to no other concat.
    let opening: [ValueID: ValueID]
}

/// A concat's operand can be written directly into its slice when the concat is its only reader
/// and it is stored (not inline, not a view, not the block input).
func placeConcats(_ p: Program, users: [[ValueID]], inline: InlineChoice, views: ViewCandidates) -> ConcatPlacement {
    var sliceOf: [ValueID: (concat: ValueID, channelStart: Int)] = [:]
    var aliased = Set<ValueID>()
    var opening: [ValueID: ValueID] = [:]
    for id in 1...p.instrs.count {
        let instr = p.instrs[id - 1]
        guard case .concat = instr.op, id != p.output,
            instr.operands.allSatisfy({ $0 != 0 && !inline[$0] && !views[$0] && users[$0] == [id] && $0 != p.output }),
            Set(instr.operands).count == instr.operands.count
        else { continue }
        var start = 0
        for v in instr.operands {
            sliceOf[v] = (id, start)
            start += p.shape(of: v).c
        }
        aliased.insert(id)
        opening[instr.operands.min()!] = id
    }
    return ConcatPlacement(sliceOf: sliceOf, aliased: aliased, opening: opening)
}
