// Weights laid out once per parameter set, as ONNX Runtime reorders a session's weights when it
// creates the session. The flat parameter array stays the contract every target, the weights
// loader and the interpreter share; beside `<name>_forward`, a block whose host GEMMs would copy
// weight rows on every call (`stackPackScratch`) also gets `<name>_pack`, which makes the packed
// array once (the parameters as they are, then those rows in the slivers the GEMM reads), and
// `<name>_forward_packed`, which runs on it. Both entry points run the same tiles over the same
// k blocks, so their sums agree bit for bit.

import AttnIR

/// The weight rows of one stacked GEMM, as `<name>_pack` lays them out for the vectors the file is
/// compiled for: for each block of `gemmBlockK` k's in turn, with 512-bit vectors the stack's
/// channels in panels of `stackPanelWidth`, each panel k-major (`attn_gemm_nn_stack_t` reads the
/// panel's channels for one k as two vectors; channels past the last are zeros); with narrower
/// ones each conv's rows in six-row tiles (the last tile filled up with its first row), each tile
/// k-major (`attn_gemm_pack6`'s slivers). The region is sized for the larger layout.
package struct PackedGEMM: Hashable, Sendable {
    /// The stacked convs, the first naming the step.
    package let convs: [ValueID]
    /// Each conv's weight tensor: `rows` rows of `k` floats.
    package let weights: [ParamID]
    /// Each conv's output channels.
    package let rows: [Int]
    /// Input channels: floats per weight row.
    package let k: Int
    /// Where the slivers start, in floats after the parameters' copy.
    package let offset: Int

    /// Rows rounded up to whole six-row tiles, summed over the convs.
    package var paddedRows: Int { rows.map { ($0 + 5) / 6 * 6 }.reduce(0, +) }
    /// The convs' rows together, rounded up to whole panels.
    package var panelRows: Int { stackPanelChannels(rows.reduce(0, +)) }
    /// Floats of the region: the larger of the two layouts.
    package var count: Int { max(paddedRows, panelRows) * k }
}

extension Plan {
    /// The stacked GEMMs whose weight rows the packed entry points read made ahead, in program
    /// order: those that would copy them per call (rows 4 KiB apart), run as one GEMM on hosts
    /// (NCHW planes on both sides, `emitStackedPointwise`'s condition). Rows read in place at
    /// other pitches ran as fast from slivers made ahead, so those stay unpacked.
    package var packedGEMMs: [PackedGEMM] {
        var out: [PackedGEMM] = []
        var offset = 0
        for step in steps where step.group.count > 1 && isStackablePointwise(program.instrs[step.group[0] - 1]) {
            let x = program.instrs[step.group[0] - 1].operands[0]
            guard stackPackScratch(program, step.group[0]) != nil, layouts[x]?.hwStride == 1,
                step.group.allSatisfy({ layouts[$0]?.hwStride == 1 })
            else { continue }
            let weights = step.group.map { v -> ParamID in
                guard case .conv2d(let a) = program.instrs[v - 1].op else { preconditionFailure("a stacked step of convs") }
                return a.weight
            }
            let gemm = PackedGEMM(
                convs: step.group, weights: weights, rows: step.group.map { program.instrs[$0 - 1].shape.c },
                k: program.shape(of: x).c, offset: offset)
            out.append(gemm)
            offset += gemm.count
        }
        return out
    }
}
