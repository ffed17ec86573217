// The middle end: what the C does with each IR value, decided by named passes from one typed
// value to the next and kept in one immutable `Plan` that `attn-gen explain` prints and the
// emitter only reads.
//
//   Program ─groupReductions→ Program ─stackPointwise→ Program ─chooseInline→ InlineChoice ─findViews→ ViewCandidates
//     ─placeConcats→ ConcatPlacement ─liveness→ Liveness ─place→ Placement ─chooseKernels→ [Step]

import AttnIR

/// How one program runs: its instruction order, where each value lives, and which kernel
/// computes each step.
package struct Plan: Sendable {
    /// Query rows whose scores attention keeps in scratch at once.
    package static let attentionRowBlock = 8
    /// The same on 64-bit hosts, whose GEMM form reads V once per block of queries: twice the
    /// MCU's block fills the GEMM tile's two AVX2 vectors of columns and halves V's reads.
    package static let attentionHostRowBlock = 16

    /// The program as run (siblings regrouped); value ids below refer to it.
    package let program: Program
    /// Layout of each stored value; nil means the value is computed inline where read.
    package let layouts: [Layout?]
    /// Floats of scratch the kernel needs.
    package let scratchSize: Int
    /// Floats of scratch on 64-bit hosts: `scratchSize` plus the convolutions' host-only buffers.
    package let hostScratchSize: Int
    /// Concats whose operands were placed in their slices, so no copy is emitted.
    package let aliasedConcats: Set<ValueID>
    /// Working scratch an op uses while it runs (attention's score rows, a wide conv's buffers).
    package let temps: [ValueID: Region]
    /// Working scratch of an op's host form when it differs from `temps` (attention's larger
    /// block of score rows), after everything MCUs use.
    package let hostTemps: [ValueID: Region]
    /// Slices and reshapes read in place from their operand's storage: no copy is emitted.
    package let views: Set<ValueID>
    /// What the C computes, in order, and how.
    package let steps: [Step]
    /// Elementwise values whose nest runs over h and w, not one flat pixel index (`InlineChoice.split`).
    package let splitNests: [Bool]

    /// Whether values are computed inline and passes merged (`Fusion`).
    package let fusion: Fusion

    package init(_ program: Program, layout: TensorLayout = .nchw, fusion: Fusion = .fused) {
        let p = fusion == .fused ? stackPointwise(groupReductions(program)) : program
        let users = p.users()
        let inline = fusion == .fused ? chooseInline(p, users: users) : InlineChoice.none(p)
        let views = findViews(p)
        let concats = placeConcats(p, users: users, inline: inline, views: views)
        let live = liveness(p, users: users, inline: inline, views: views, fusion: fusion)
        let placement = place(p, layout: layout, inline: inline, views: views, concats: concats, liveness: live)
        self.program = p
        self.layouts = placement.layouts
        self.scratchSize = placement.scratchSize
        self.hostScratchSize = placement.hostScratchSize
        self.aliasedConcats = concats.aliased
        self.temps = placement.temps
        self.hostTemps = placement.hostTemps
        self.views = placement.views
        self.steps = chooseKernels(p, placement, split: inline.split, aliasedConcats: concats.aliased, fusion: fusion)
        self.splitNests = inline.split
        self.fusion = fusion
    }

    package func isInline(_ v: ValueID) -> Bool { layouts[v] == nil }

    /// A constant read straight from the parameter array: nothing to emit.
    package func isParamView(_ v: ValueID) -> Bool {
        if case .param = layouts[v]?.buffer { return true }
        return false
    }
}
