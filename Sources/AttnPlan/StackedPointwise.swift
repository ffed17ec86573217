// The stacking pass, IR → IR: 1×1 convolutions that read the same tensor (non-local's θ, φ and g;
// the query, key and value projections where a block writes them as separate convs) are one
// linear map with their weight rows stacked. They are moved next to each other, and
// `emissionGroup` makes them one step, which hosts run as one GEMM: each panel of the shared
// input is packed once and every conv's rows run over it while it is in L1, where separate
// GEMMs pack and stream the input once per conv. Each conv keeps its own weights (the parameter
// array is the checkpoint's, not restacked) and its own output; the sums are the separate
// GEMMs' sums, term for term.

import AttnIR

/// A convolution a stacked GEMM computes: 1×1, dense, ungrouped, over whole planes of more than
/// one pixel (a conv on 1×1 planes is a linear layer with its own row helpers).
package func isStackablePointwise(_ instr: Instr) -> Bool {
    guard case .conv2d(let a) = instr.op else { return false }
    return a.kernel == 1 && a.padding == 0 && a.stride == 1 && a.dilation == 1 && a.groups == 1 && instr.shape.plane > 1
}

/// The stackable siblings of `v` that follow it, in program order: convs of its kind reading
/// its operand. Empty when `v` is not stackable.
func stackedSiblings(_ p: Program, after v: ValueID) -> [ValueID] {
    let instr = p.instrs[v - 1]
    guard isStackablePointwise(instr) else { return [] }
    var group: [ValueID] = []
    var next = v + 1
    while next <= p.instrs.count, isStackablePointwise(p.instrs[next - 1]), p.instrs[next - 1].operands == instr.operands {
        group.append(next)
        next += 1
    }
    return group
}

/// Returns an equivalent program in which the stackable convs reading one tensor are adjacent,
/// at the first one's place. Moving a later sibling up is safe: it reads only that tensor (and
/// parameters), which is computed before the first sibling.
package func stackPointwise(_ p: Program) -> Program {
    var byOperand: [ValueID: [Int]] = [:]
    for (i, instr) in p.instrs.enumerated() where isStackablePointwise(instr) { byOperand[instr.operands[0], default: []].append(i) }
    guard byOperand.values.contains(where: { $0.count > 1 }) else { return p }
    var order: [Int] = []
    var placed = Set<Int>()
    for (i, instr) in p.instrs.enumerated() where !placed.contains(i) {
        order.append(i)
        placed.insert(i)
        guard isStackablePointwise(instr) else { continue }
        for j in byOperand[instr.operands[0]]! where j > i && !placed.contains(j) {
            order.append(j)
            placed.insert(j)
        }
    }
    return reorder(p, order)
}

/// k rows per block of the hosts' GEMM helpers (`ATTN_GEMM_KC` in gemm_tile.c.tmpl).
package let gemmBlockK = 256

/// Floats of host-only working scratch for the stacked GEMM that `v` starts, when it copies its
/// weight rows (`attn_gemm_nn_stack`'s `pack`): one k block of every conv's rows, each conv's
/// rounded up to the six-row tile. Only where rows are a multiple of 4 KiB apart (1024 input
/// channels): read in place, a tile's six rows then fall in the same L1 sets; at other pitches
/// the copy costs more than it saves. The same floats hold the packed entry point's sums with
/// 512-bit vectors (`attn_gemm_nn_stack_t`: the plane's pixels by the stack's channels rounded up
/// to whole panels, `stackPanelChannels`), so the region is the larger of the two. nil for any
/// other instruction.
package func stackPackScratch(_ p: Program, _ v: ValueID) -> Int? {
    let instr = p.instrs[v - 1]
    let siblings = stackedSiblings(p, after: v)
    guard !siblings.isEmpty else { return nil }
    // A later conv of the same stack is no start of one.
    if v > 1, isStackablePointwise(p.instrs[v - 2]), p.instrs[v - 2].operands == instr.operands { return nil }
    let k = p.shape(of: instr.operands[0]).c
    guard k % 1024 == 0 else { return nil }
    let rows = ([v] + siblings).map { (p.instrs[$0 - 1].shape.c + 5) / 6 * 6 }.reduce(0, +)
    let channels = ([v] + siblings).map { p.instrs[$0 - 1].shape.c }.reduce(0, +)
    return max(rows * min(k, gemmBlockK), instr.shape.plane * stackPanelChannels(channels))
}

/// Output channels of a panel of `attn_gemm_nn_stack_t` (two 512-bit vectors), and `<name>_pack`'s
/// panels for it.
package let stackPanelWidth = 32

/// A stack's output channels rounded up to whole panels of `stackPanelWidth`.
package func stackPanelChannels(_ channels: Int) -> Int {
    (channels + stackPanelWidth - 1) / stackPanelWidth * stackPanelWidth
}

extension Plan {
    /// The convs each stacked GEMM computes after its first one, by that first conv: what the
    /// plan's printouts show.
    package var stackedGEMMs: [ValueID: [ValueID]] {
        var stacks: [ValueID: [ValueID]] = [:]
        for step in steps where step.group.count > 1 && isStackablePointwise(program.instrs[step.group[0] - 1]) {
            stacks[step.group[0]] = Array(step.group.dropFirst())
        }
        return stacks
    }
}
