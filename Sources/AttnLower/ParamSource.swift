// Where each IR parameter comes from in a PyTorch state_dict. Lowering writes this recipe next to
// the program; weight import follows it, so import needs no per-op knowledge of its own.

import AttnIR
import AttnPlan
import AttnSpec

/// How to fill one IR parameter from named checkpoint tensors.
package enum ParamSource: Hashable, Sendable {
    /// A tensor taken as is; trailing dims of 1 (a 1×1 conv's `[O,I,1,1]`) may be dropped.
    case tensor(String)
    /// `weight / sqrt(running_var + eps)` of a BatchNorm whose tensors start with `prefix`.
    case batchNormScale(prefix: String, eps: Double)
    /// `bias - running_mean · scale` of that BatchNorm.
    case batchNormShift(prefix: String, eps: Double)
    /// Fixed by the hyperparameters, or another tensor's layout (`DerivedTensor`).
    case derived(DerivedTensor)

    /// The checkpoint tensors this source reads.
    package var tensorNames: [String] {
        switch self {
        case .tensor(let n): return [n]
        case .batchNormScale(let p, _): return [p + ".weight", p + ".running_var"]
        case .batchNormShift(let p, _): return [p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var"]
        case .derived(.fixed(_, let t, _, _, _)), .derived(.relativePositionKernel(let t, _, _)): return [t]
        }
    }
}

/// A program and, for each of its parameters (same order), where to import it from.
package struct Lowered: Hashable, Sendable {
    package let program: Program
    package let sources: [ParamSource]
    /// The fused plan of `program` in `layout`, made by lowering's budget check; the emitter
    /// takes it instead of planning again. A function of the program and layout, so equality
    /// and hashing leave it out.
    package let plan: Plan
    package let layout: TensorLayout

    package init(program: Program, sources: [ParamSource], plan: Plan, layout: TensorLayout) {
        self.program = program
        self.sources = sources
        self.plan = plan
        self.layout = layout
    }

    package static func == (a: Lowered, b: Lowered) -> Bool {
        a.program == b.program && a.sources == b.sources && a.layout == b.layout
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(program)
        hasher.combine(sources)
        hasher.combine(layout)
    }

    /// `params` (random ones, or a caller's) with the hyperparameters' fixed values in place:
    /// FcaNet's DCT filter stays the DCT filter whatever the other weights are.
    package func fixingDerived(_ params: [Float]) -> [Float] {
        var out = params
        var offset = 0
        for (decl, source) in zip(program.params, sources) {
            if case .derived(.fixed(let values, _, _, _, _)) = source, values.count == decl.count, offset + decl.count <= out.count {
                out.replaceSubrange(offset..<(offset + decl.count), with: values)
            }
            offset += decl.count
        }
        return out
    }
}
