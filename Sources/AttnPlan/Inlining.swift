// The inline pass: which values are never stored but recomputed by each reader. Full-size
// elementwise values (SE's `x·gate`, CBAM's `x1`, the sum of coordinate attention's two strips)
// are fused this way: recomputing them from x costs no extra memory traffic and no scratch.

import AttnIR

/// Per value id (0 is the input): true when the value is computed inline where it is read.
package struct InlineChoice: Sendable {
    package let inline: [Bool]
    /// Per value id: an elementwise value whose loop nest runs over h and w rather than one flat
    /// pixel index, because an operand of it, or of an inline operand, is broadcast along H or W
    /// only (`[N,C,H,1]` against `[N,C,H,W]`), which a flat index cannot address.
    package let split: [Bool]

    package subscript(_ v: ValueID) -> Bool { inline[v] }

    /// Nothing inline (op by op): only values with such an operand of their own split.
    package static func none(_ p: Program) -> InlineChoice {
        let inline = Array(repeating: false, count: p.instrs.count + 1)
        return InlineChoice(inline: inline, split: splitNests(p, inline: inline))
    }
}

func chooseInline(_ p: Program, users: [[ValueID]]) -> InlineChoice {
    var inline = Array(repeating: false, count: p.instrs.count + 1)
    var split = Array(repeating: false, count: p.instrs.count + 1)
    for id in 1...p.instrs.count {
        let instr = p.instrs[id - 1]
        split[id] = splits(p, id, inline: inline, split: split)
        if id != p.output, upsampledMapReader(p, id, users: users, inline: inline) != nil {
            inline[id] = true
            continue
        }
        // A map reading an inline upsampling is stored by its own pass (`Kernel.upsampledMap`).
        guard id != p.output, instr.op.traits.isElementwise, !readsInlineUpsampling(p, id, inline: inline) else { continue }
        inline[id] = users[id].allSatisfy { u in
            let user = p.instrs[u - 1]
            // A split value is read only by elementwise ops of its own shape: they split their
            // nest too (a pool or a row helper walks pixels with one flat index).
            if split[id] { return user.op.traits.isElementwise && user.shape == instr.shape }
            return user.op.traits.readsEachElementOnce && user.shape.spatialCovers(instr.shape)
                && (user.op.traits.isReduction || user.shape == instr.shape)
        }
    }
    return InlineChoice(inline: inline, split: split)
}

/// `split` of every value, given which are inline.
private func splitNests(_ p: Program, inline: [Bool]) -> [Bool] {
    var split = Array(repeating: false, count: p.instrs.count + 1)
    for id in 1...p.instrs.count { split[id] = splits(p, id, inline: inline, split: split) }
    return split
}

/// Whether elementwise `v` splits its nest, its operands' choices made.
private func splits(_ p: Program, _ v: ValueID, inline: [Bool], split: [Bool]) -> Bool {
    p.instrs[v - 1].op.traits.isElementwise
        && (p.hasPartialSpatialOperand(v) || p.instrs[v - 1].operands.contains { inline[$0] && split[$0] })
}

extension Program {
    /// True when an operand of `v` covers only some of its pixels' axes: `[N,C,H,1]` or
    /// `[N,C,1,W]` against `[N,C,H,W]`.
    package func hasPartialSpatialOperand(_ v: ValueID) -> Bool {
        let s = shape(of: v)
        return instrs[v - 1].operands.contains { !s.spatialCovers(shape(of: $0)) }
    }
}

extension Shape {
    /// True when a value of `other`'s shape can be read with this shape's flat H·W index.
    package func spatialCovers(_ other: Shape) -> Bool { other.plane == 1 || (other.h == h && other.w == w) }
}

/// The one reader of upsampling `v` when `v` need not be stored: a nearest upsampling by whole
/// factors of a stored value, read only by one add, sub or mul of its own shape that is stored
/// anyway and whose other operand is stored, of that shape too, and defined before `v` (so its
/// choice is made). That map then reads each source element for the block it covers
/// (`Kernel.upsampledMap`).
func upsampledMapReader(_ p: Program, _ v: ValueID, users: [[ValueID]], inline: [Bool]) -> ValueID? {
    let instr = p.instrs[v - 1]
    guard case .upsampleNearest = instr.op, users[v].count == 1 else { return nil }
    let source = instr.operands[0]
    let (s, out) = (p.shape(of: source), instr.shape)
    guard !inline[source], out.h % s.h == 0, out.w % s.w == 0, out.plane > s.plane else { return nil }
    let reader = users[v][0]
    let r = p.instrs[reader - 1]
    // Only where the map is stored anyway (the output, or read by something that reads its
    // elements more than once): a map the next op would compute inline stays so, and the
    // upsampling is stored as before.
    guard reader == p.output || users[reader].contains(where: { !p.instrs[$0 - 1].op.traits.readsEachElementOnce }) else { return nil }
    guard case .binary = r.op, r.shape == out, r.operands.count == 2, r.operands[0] != r.operands[1] else { return nil }
    let other = r.operands[0] == v ? r.operands[1] : r.operands[0]
    guard other < v, !inline[other], p.shape(of: other) == out else { return nil }
    return reader
}

/// Whether map `v` reads an upsampling left inline for it.
func readsInlineUpsampling(_ p: Program, _ v: ValueID, inline: [Bool]) -> Bool {
    p.instrs[v - 1].operands.contains { u in
        guard u != 0, inline[u], case .upsampleNearest = p.instrs[u - 1].op else { return false }
        return true
    }
}
