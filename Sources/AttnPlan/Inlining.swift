// The inline pass: which values are never stored but recomputed by each reader. Full-size
// elementwise values (SE's `x·gate`, CBAM's `x1`) are fused this way: recomputing them from x
// costs no extra memory traffic and no scratch.

import AttnIR

/// Per value id (0 is the input): true when the value is computed inline where it is read.
package struct InlineChoice: Sendable {
    package let inline: [Bool]

    package subscript(_ v: ValueID) -> Bool { inline[v] }
}

func chooseInline(_ p: Program, users: [[ValueID]]) -> InlineChoice {
    var inline = Array(repeating: false, count: p.instrs.count + 1)
    for id in 1...p.instrs.count where id != p.output {
        let instr = p.instrs[id - 1]
        // A value with an operand broadcast along H or W only ([N,C,H,1]) is stored: readers
        // index pixels with one flat H·W counter, which cannot address such an operand.
        inline[id] = instr.op.traits.isElementwise && !p.hasPartialSpatialOperand(id) && users[id].allSatisfy { u in
            let user = p.instrs[u - 1]
            return user.op.traits.readsEachElementOnce && user.shape.spatialCovers(instr.shape)
                && (user.op.traits.isReduction || user.shape == instr.shape)
        }
    }
    return InlineChoice(inline: inline)
}

extension Program {
    /// True when an operand of `v` (or of an inline-able elementwise operand) covers only some of
    /// its pixels' axes: `[N,C,H,1]` or `[N,C,1,W]` against `[N,C,H,W]`.
    package func hasPartialSpatialOperand(_ v: ValueID) -> Bool {
        let s = shape(of: v)
        return instrs[v - 1].operands.contains { !s.spatialCovers(shape(of: $0)) }
    }
}

extension Shape {
    /// True when a value of `other`'s shape can be read with this shape's flat H·W index.
    package func spatialCovers(_ other: Shape) -> Bool { other.plane == 1 || (other.h == h && other.w == w) }
}
