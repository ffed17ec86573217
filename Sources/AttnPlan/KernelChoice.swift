// The kernel pass: for each step of the C (an emission group), which code shape computes it. The
// hot passes of the memory-bound blocks are recognised here, in the IR and its storage, and go to
// the row helpers (Templates/c/row_*.c.tmpl); everything else is a generic loop nest. The
// emitter switches over the choice and recognises nothing itself.

import AttnIR

/// How one step is emitted.
package enum Kernel: Hashable, Sendable {
    /// Global mean/max pools of a stored operand read as whole rows: a row helper per row.
    case poolRows
    /// CBAM's channel mean and max of `gate · row` (gate per channel, computed inline),
    /// accumulated row by row.
    case gatedChannelPoolRows(gate: ValueID, row: ValueID)
    /// `gate · row` with a per-channel gate (SE, ECA): one scaling helper call per row.
    case scaleRows(gate: ValueID, row: ValueID)
    /// The sigmoid that makes a per-channel gate, and the `gate · row` scaling that alone reads
    /// it (group: the sigmoid, then the product): gcc and clang hosts take the gate a block of
    /// channels at a time just before the rows it scales, so its exponentials run while rows
    /// stream in; the other compilers run the two steps as `.generic` and `.scaleRows` do.
    case gateScaleRows(gate: ValueID, row: ValueID)
    /// `plane · (gate · row)` with a per-pixel plane (CBAM's output): one helper call per row.
    case scaleMulRows(plane: ValueID, gate: ValueID, row: ValueID)
    /// An add, sub or mul of a stored value and the nearest upsampling (never stored) of a
    /// smaller one: each source element applied to the block it covers.
    case upsampledMap(upsample: ValueID)
    /// A loop nest written for the op.
    case generic
}

/// Instructions the C computes in one loop nest, and how.
package struct Step: Hashable, Sendable {
    package let group: [ValueID]
    package let kernel: Kernel
}

/// The steps in the order the C runs them: every value that is neither inline, a view, a
/// parameter read in place, nor a concat whose operands were written into it.
func chooseKernels(_ p: Program, _ placement: Placement, split: [Bool], aliasedConcats: Set<ValueID>, fusion: Fusion) -> [Step] {
    let rows = RowRecognizer(p: p, layouts: placement.layouts, split: split)
    let users = p.users()
    var steps: [Step] = []
    var v = 1
    while v <= p.instrs.count {
        let layout = placement.layouts[v]
        var readInPlace = false
        if case .param = layout?.buffer { readInPlace = true }
        if layout == nil || aliasedConcats.contains(v) || readInPlace || placement.views.contains(v) {
            v += 1
            continue
        }
        let group = emissionGroup(p, startingAt: v, fusion: fusion)
        if fusion == .fused, let row = rows.gateScaledBy(group, users: users) {
            steps.append(Step(group: [v, v + 1], kernel: .gateScaleRows(gate: v, row: row)))
            v += 2
            continue
        }
        steps.append(Step(group: group, kernel: fusion == .fused ? rows.kernel(for: group) : .generic))
        v = group.last! + 1
    }
    return steps
}

/// The pool mode of a global or channel pool.
package func poolMode(of op: Op) -> PoolMode {
    switch op {
    case .globalPool(let m), .channelPool(let m): return m
    case .linear, .channelConv1d, .conv2d, .affine, .unary, .binary, .concat, .axisPool, .pool2d, .weightedPool,
        .matmul, .blockMatmul, .relPosWeights, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .axisConv1d, .constant, .slice, .reshape,
        .transpose, .upsampleNearest, .blockUnfold:
        preconditionFailure("not a global or channel pool")
    }
}

/// Recognises the row kernels from values' shapes and storage.
private struct RowRecognizer {
    let p: Program
    let layouts: [Layout?]
    /// `InlineChoice.split`: such values keep their own (h, w) nest.
    let split: [Bool]

    func kernel(for group: [ValueID]) -> Kernel {
        let instr = p.instrs[group[0] - 1]
        switch instr.op {
        case .globalPool: return poolRows(group) ? .poolRows : .generic
        case .channelPool: return gatedChannelPoolRows(group) ?? .generic
        case .binary:
            if let u = instr.operands.first(where: { $0 != 0 && layouts[$0] == nil && isUpsampling($0) }) { return .upsampledMap(upsample: u) }
            return split[group[0]] ? .generic : scaleRows(group[0]) ?? .generic
        case .affine, .unary:
            return split[group[0]] ? .generic : scaleRows(group[0]) ?? .generic
        case .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool, .matmul, .blockMatmul, .relPosWeights, .attention,
            .softmax, .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .axisConv1d, .constant, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold:
            return .generic
        }
    }

    private func isUpsampling(_ v: ValueID) -> Bool {
        if case .upsampleNearest = p.instrs[v - 1].op { return true }
        return false
    }

    /// A stored value read whole as rows of the iteration shape.
    private func isRow(_ v: ValueID, _ shape: Shape) -> Bool {
        guard let layout = layouts[v] else { return false }
        return layout.hwStride == 1 && p.shape(of: v) == shape
    }

    /// A stored per-(n, c) value broadcast over H×W.
    private func isChannelScalar(_ v: ValueID, _ shape: Shape) -> Bool {
        let s = p.shape(of: v)
        return layouts[v] != nil && s.plane == 1 && s.c == shape.c && s.n == shape.n
    }

    /// A stored per-(n, h, w) plane broadcast over C.
    private func isPlane(_ v: ValueID, _ shape: Shape) -> Bool {
        let s = p.shape(of: v)
        return layouts[v] != nil && s.c == 1 && s.h == shape.h && s.w == shape.w && s.n == shape.n
    }

    /// `g · x` with g a channel scalar and x a row (either operand order), computed inline.
    private func scaledRow(_ v: ValueID, _ shape: Shape) -> (gate: ValueID, row: ValueID)? {
        guard v != 0, layouts[v] == nil, case .binary(.mul) = p.instrs[v - 1].op else { return nil }
        let ops = p.instrs[v - 1].operands
        if isChannelScalar(ops[0], shape) && isRow(ops[1], shape) { return (ops[0], ops[1]) }
        if isChannelScalar(ops[1], shape) && isRow(ops[0], shape) { return (ops[1], ops[0]) }
        return nil
    }

    /// Global pools of a stored operand with more than one pixel, each mode at most once.
    private func poolRows(_ group: [ValueID]) -> Bool {
        let operand = p.instrs[group[0] - 1].operands[0]
        let shape = p.shape(of: operand)
        let modes = group.map { poolMode(of: p.instrs[$0 - 1].op) }
        return shape.plane > 1 && isRow(operand, shape) && Set(modes).count == modes.count
    }

    /// A channel mean and max of an inline `g · x`.
    private func gatedChannelPoolRows(_ group: [ValueID]) -> Kernel? {
        let operand = p.instrs[group[0] - 1].operands[0]
        let shape = p.shape(of: operand)
        guard group.count == 2, Set(group.map { poolMode(of: p.instrs[$0 - 1].op) }) == [.mean, .max], shape.plane > 1,
            let (gate, x) = scaledRow(operand, shape)
        else { return nil }
        return .gatedChannelPoolRows(gate: gate, row: x)
    }

    /// The row a stored sigmoid gate scales when `group` is that gate, a dense per-channel
    /// vector of a stored operand, read only by the next value: a `.scaleRows` product.
    func gateScaledBy(_ group: [ValueID], users: [[ValueID]]) -> ValueID? {
        let g = group[0]
        guard group.count == 1, g < p.instrs.count, users[g] == [g + 1], case .unary(.sigmoid) = p.instrs[g - 1].op,
            let gl = layouts[g], gl.cStride == 1, layouts[p.instrs[g - 1].operands[0]] != nil,
            layouts[g + 1] != nil, emissionGroup(p, startingAt: g + 1) == [g + 1], !split[g + 1],
            case .scaleRows(let gate, let row)? = scaleRows(g + 1), gate == g
        else { return nil }
        return row
    }

    /// `g · x` or `s · (g · x)` stored as whole rows.
    private func scaleRows(_ v: ValueID) -> Kernel? {
        let instr = p.instrs[v - 1]
        let shape = instr.shape
        guard shape.plane > 1, layouts[v]!.hwStride == 1, case .binary(.mul) = instr.op else { return nil }
        let (a, b) = (instr.operands[0], instr.operands[1])
        if isChannelScalar(a, shape) && isRow(b, shape) || isChannelScalar(b, shape) && isRow(a, shape) {
            let (g, x) = isRow(b, shape) ? (a, b) : (b, a)
            return .scaleRows(gate: g, row: x)
        }
        if let (plane, gated) = isPlane(a, shape) ? (a, b) : (isPlane(b, shape) ? (b, a) : nil),
            let (g, x) = scaledRow(gated, shape)
        {
            return .scaleMulRows(plane: plane, gate: g, row: x)
        }
        return nil
    }
}
