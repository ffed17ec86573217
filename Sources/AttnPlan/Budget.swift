// What a program asks of the plan and the C it becomes, checked against `Limits` before any C is
// built: the host code's zero-padded convolution copies and wide buffers, attention's score rows,
// the scratch total, the parameter array, and the lookup tables spelled out in the C. Each size is
// computed with checked arithmetic here, so the plan and the emitter that follow only ever see
// sizes that fit a 32-bit `int`. Lowering refuses a program over budget, so this lives in the
// middle end, not in the emitter.

import AttnIR

/// Why a program is too large to emit: the value whose op asks too much (0 for the whole
/// program) and the rule with the numbers.
package struct BudgetViolation: Error, Equatable, Sendable {
    package let value: ValueID
    package let message: String
}

extension Plan {
    /// The first cap `program` breaks when emitted in `layout`, or nil.
    package static func budgetViolation(_ program: Program, layout: TensorLayout = .nchw) -> BudgetViolation? {
        if case .failure(let over) = budgeted(program, layout: layout) { return over }
        return nil
    }

    /// The fused plan of `program` in `layout`, or the first cap it breaks: the check builds the
    /// plan for its scratch total, and the emitter takes it from there instead of planning again.
    package static func budgeted(_ program: Program, layout: TensorLayout = .nchw) -> Result<Plan, BudgetViolation> {
        let max = Limits.maxElements
        var tableEntries = 0
        for v in 1...program.instrs.count {
            let instr = program.instrs[v - 1]
            let entries: Int
            switch instr.op {
            case .conv2d(let a):
                let x = program.shape(of: instr.operands[0])
                // The padded copy is bounded for every conv (lowering's rule), so the plan's sizes
                // can be formed; the wide buffers and the tap table are checked here.
                guard Limits.product(x.c, x.h + 2 * a.padding, x.w + 2 * a.padding) != nil else {
                    return .failure(BudgetViolation(value: v, message: "conv2d's zero-padded input exceeds \(max) floats (32-bit indexing)"))
                }
                guard WideConv.applies(a, output: instr.shape) else { entries = 0; break }
                // The Toeplitz bands where a window spans the plane (the emitter falls back to the
                // wide form when the result's rows are not contiguous, so that form is checked too).
                if let bands = ToeplitzConv(a, input: x, output: instr.shape, outputLayout: Layout(buffer: .scratch, instr.shape, .nchw)),
                    Limits.product(bands.bands, bands.bandSize).flatMap({ Limits.sum($0, bands.reversedRowSize) }) == nil
                {
                    return .failure(BudgetViolation(
                        value: v,
                        message: "conv2d's Toeplitz bands need \(bands.bands)·\(bands.bandSize) + \(bands.reversedRowSize) floats, over \(max) (32-bit indexing)"))
                }
                let plan = WideConv(a, input: x, output: instr.shape, inputLayout: Layout(buffer: .scratch, x, .nchw))!
                guard Limits.sum(plan.paddedSize, plan.block * plan.tiledLength) != nil else {
                    return .failure(BudgetViolation(
                        value: v, message: "conv2d's padded copy and wide buffers need \(plan.paddedSize) + \(plan.block)·\(plan.tiledLength) floats, over \(max) (32-bit indexing)"))
                }
                entries = Limits.saturatingProduct(x.c / a.groups, a.kernel, a.kernel)
            case .upsampleNearest(let h, let w):
                entries = h + w
            case .attention:
                let keys = program.shape(of: instr.operands[1]).w
                guard Limits.product(attentionHostRowBlock, keys) != nil else {
                    return .failure(BudgetViolation(value: v, message: "attention's score rows need \(attentionHostRowBlock)×\(keys) floats, over \(max) (32-bit indexing)"))
                }
                entries = 0
            case .globalPool, .channelPool, .linear, .channelConv1d, .axisPool, .pool2d, .weightedPool, .matmul, .blockMatmul, .relPosWeights, .affine,
                .softmax, .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .axisConv1d, .constant, .unary, .binary, .concat, .slice, .reshape,
                .transpose, .blockUnfold:
                entries = 0
            }
            tableEntries = Limits.saturatingSum(tableEntries, entries)
            guard tableEntries <= Limits.maxTableEntries else {
                return .failure(BudgetViolation(
                    value: v,
                    message: "\(instr.op) brings the lookup tables spelled out in the C to \(tableEntries) entries, "
                        + "over the cap of \(Limits.maxTableEntries) (conv taps C_in/groups·k², upsampling H + W)"))
            }
        }
        guard Limits.sum(of: program.params.map(\.count)) != nil else {
            return .failure(BudgetViolation(value: 0, message: "the parameters exceed \(max) floats (32-bit indexing)"))
        }
        // Every value and temporary fits on its own now, so the plan's sums fit an Int.
        let plan = Plan(program, layout: layout)
        guard plan.hostScratchSize <= max else {
            return .failure(BudgetViolation(value: 0, message: "the kernel needs \(plan.hostScratchSize) floats of scratch, over \(max) (32-bit indexing)"))
        }
        return .success(plan)
    }
}
