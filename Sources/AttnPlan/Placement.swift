// The storage pass: gives each stored value its layout in the caller's arrays. Small values
// (pooled vectors, 1-channel planes) go to scratch, first fit, and their ranges are reused once
// dead, so SE needs exactly C + rd floats; an elementwise result may take over an operand's range
// that dies where it is written; concat operands go to their slices; views read their operand's
// storage in place.

import AttnIR

/// Where every value lives and what scratch the kernel needs.
package struct Placement: Sendable {
    /// Layout of each stored value; nil means the value is computed inline where read.
    package let layouts: [Layout?]
    /// Floats of scratch the kernel needs.
    package let scratchSize: Int
    /// Floats of scratch on 64-bit hosts (x86-64, AArch64): `scratchSize` plus the padded planes
    /// and wide buffers (or Toeplitz bands) of the convolutions' host code, which MCUs do not run
    /// (`WideConv`, `ToeplitzConv`).
    package let hostScratchSize: Int
    /// Working scratch an op uses while it runs (attention's score rows, a wide conv's buffers).
    package let temps: [ValueID: Region]
    /// Working scratch of an op's host form when it differs from `temps` (attention's larger
    /// block of score rows, a stacked GEMM's copied weight rows), after everything MCUs use.
    package let hostTemps: [ValueID: Region]
    /// Slices and reshapes read in place from their operand's storage: no copy is emitted.
    package let views: Set<ValueID>
}

/// Floats of working scratch `instr` needs while it runs, beyond its result; `operand` is the
/// layout of its first operand, `result` its own.
package func workingScratch(_ instr: Instr, _ p: Program, operand: Layout?, result: Layout?) -> Int? {
    switch instr.op.traits.scratch {
    case .none: return nil
    case .attentionScores: return attentionScratch(instr, p, rows: Plan.attentionRowBlock)
    case .wideConv(let a):
        guard let operand else { return nil }
        if let result, let toeplitz = ToeplitzConv(a, input: p.shape(of: instr.operands[0]), output: instr.shape, outputLayout: result) {
            return toeplitz.tempSize
        }
        let wide = WideConv(a, input: p.shape(of: instr.operands[0]), output: instr.shape, inputLayout: operand)?.tempSize
        // gcc and clang hosts may run the Winograd form in the same region instead.
        guard let result, let winograd = WinogradConv(a, input: p.shape(of: instr.operands[0]), output: instr.shape, outputLayout: result) else { return wide }
        return max(wide ?? 0, winograd.tempSize)
    }
}

/// Floats of attention's working scratch with `rows` query rows per block: their score rows,
/// then with relative positions one query's dots with the H and W tables.
package func attentionScratch(_ instr: Instr, _ p: Program, rows: Int) -> Int {
    guard case .attention(_, let r?) = instr.op else { return rows * p.shape(of: instr.operands[1]).w }
    return rows * p.shape(of: instr.operands[1]).w + r.keyHeight + r.keyWidth
}

func place(
    _ p: Program, layout: TensorLayout, inline: InlineChoice, views: ViewCandidates, concats: ConcatPlacement,
    liveness: Liveness
) -> Placement {
    var state = PlacementState(p, layout: layout, views: views, lastUse: liveness.lastUse)
    for id in 1...p.instrs.count {
        if state.placeInPlace(id) { continue }
        // Concat regions open when their first operand is produced.
        if let c = concats.opening[id] { state.allocate(c) }
        if let (c, start) = concats.sliceOf[id], let region = state.layouts[c] {
            let s = p.shape(of: id)
            state.layouts[id] = Layout(
                buffer: .scratch, base: region.base + start * s.plane, nStride: region.nStride, cStride: s.plane)
        } else if id != p.output, !inline[id], !concats.aliased.contains(id) {
            state.store(id)
        }
        state.reserveWorkingScratch(id)
        state.endStep(id, groupEnd: liveness.groupEnd[id])
    }
    return state.finished()
}

/// The storage pass's running state: layouts so far, live scratch ranges, and what to free when.
private struct PlacementState {
    let p: Program
    let lastUse: [ValueID]
    var isView: [Bool]
    var layouts: [Layout?]
    var allocator = ScratchAllocator()
    var owner: [ValueID: Int] = [:]  // value → allocation handle
    var pendingFree: [ValueID: [Int]] = [:]
    var temps: [ValueID: Region] = [:]
    var hostTemps: [ValueID: Int] = [:]
    /// Host-only regions of ops that also have an MCU region (`Placement.hostTemps`).
    var hostOnly: [ValueID: Int] = [:]

    init(_ p: Program, layout: TensorLayout, views: ViewCandidates, lastUse: [ValueID]) {
        self.p = p
        self.lastUse = lastUse
        self.isView = views.isView
        layouts = Array(repeating: nil, count: p.instrs.count + 1)
        layouts[0] = Layout(buffer: .input, p.input, layout)
        layouts[p.output] = Layout(buffer: .output, p.shape(of: p.output), layout)
    }

    /// Places a constant or a view, which take no storage of their own; false for anything else
    /// (including a reshape whose operand turned out not to be dense, which is no view after all).
    mutating func placeInPlace(_ id: ValueID) -> Bool {
        let instr = p.instrs[id - 1]
        if case .constant(let param, let shape) = instr.op, id != p.output {
            layouts[id] = Layout(buffer: .param(param), shape, .nchw)
            return true
        }
        guard isView[id] else { return false }
        let source = layouts[instr.operands[0]]!
        let xs = p.shape(of: instr.operands[0])
        if case .slice(let start, _) = instr.op {
            layouts[id] = Layout(
                buffer: source.buffer, base: source.base + start * source.cStride, nStride: source.nStride,
                cStride: source.cStride, hwStride: source.hwStride)
            return true
        }
        // Only dense NCHW storage keeps the element order a reshape relies on; a slice of several
        // samples, or NHWC input, is copied instead.
        let dense = (xs.n == 1 || source.nStride == xs.c * xs.plane) && (xs.c == 1 || source.cStride == xs.plane)
            && (xs.plane == 1 || source.hwStride == 1)
        guard dense else {
            isView[id] = false
            return false
        }
        let s = instr.shape
        layouts[id] = Layout(buffer: source.buffer, base: source.base, nStride: s.c * s.plane, cStride: s.plane)
        return true
    }

    mutating func allocate(_ v: ValueID) {
        let s = p.shape(of: v)
        let handle = allocator.allocate(s.count)
        owner[v] = handle
        layouts[v] = Layout(buffer: .scratch, base: allocator.offset(of: handle), nStride: s.c * s.plane, cStride: s.plane)
        pendingFree[lastUse[v], default: []].append(handle)
    }

    /// A value of its own in scratch; an elementwise result may overwrite an operand of the same
    /// shape that dies here.
    mutating func store(_ id: ValueID) {
        let instr = p.instrs[id - 1]
        guard instr.op.traits.isElementwise,
            let donor = instr.operands.first(where: {
                lastUse[$0] == id && owner[$0] != nil && p.shape(of: $0) == instr.shape
                    && pendingFree[id]?.contains(owner[$0]!) == true
            })
        else { return allocate(id) }
        let handle = owner[donor]!
        pendingFree[id]!.removeAll { $0 == handle }
        owner[id] = handle
        layouts[id] = layouts[donor]
        pendingFree[lastUse[id], default: []].append(handle)
    }

    mutating func reserveWorkingScratch(_ id: ValueID) {
        let instr = p.instrs[id - 1]
        // The host's stacked GEMM copies its weight rows when they would share L1 sets.
        if let size = stackPackScratch(p, id) { hostOnly[id] = size }
        guard let size = workingScratch(instr, p, operand: instr.operands.first.flatMap { layouts[$0] }, result: layouts[id]) else { return }
        switch instr.op.traits.scratch {
        case .wideConv:
            // Host-only working memory goes after everything else, so MCUs, which run the
            // per-row form, need none of it; one region serves every conv in turn.
            hostTemps[id] = size
        case .attentionScores, .none:
            let handle = allocator.allocate(size)
            temps[id] = Region(offset: allocator.offset(of: handle), count: size)
            pendingFree[id, default: []].append(handle)
            // The host's larger block of score rows goes after everything else, as a wide conv's buffers.
            if case .attentionScores = instr.op.traits.scratch {
                hostOnly[id] = attentionScratch(instr, p, rows: Plan.attentionHostRowBlock)
            }
        }
    }

    /// Frees what died at `id`, unless the group `id` belongs to goes on.
    mutating func endStep(_ id: ValueID, groupEnd: ValueID) {
        if groupEnd != id {
            pendingFree[id + 1, default: []] += pendingFree[id] ?? []
            pendingFree[id] = nil
            return
        }
        for handle in pendingFree[id] ?? [] { allocator.free(handle) }
    }

    func finished() -> Placement {
        var temps = self.temps
        for (v, size) in hostTemps { temps[v] = Region(offset: allocator.highWater, count: size) }
        let hostRegions = hostOnly.mapValues { Region(offset: allocator.highWater, count: $0) }
        return Placement(
            layouts: layouts, scratchSize: allocator.highWater,
            hostScratchSize: allocator.highWater + ((Array(hostTemps.values) + Array(hostOnly.values)).max() ?? 0), temps: temps,
            hostTemps: hostRegions,
            views: Set((1...p.instrs.count).filter { isView[$0] }))
    }
}
