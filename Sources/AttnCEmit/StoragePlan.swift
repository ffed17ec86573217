// The public face of the middle end's `Plan`, for `attn-gen explain`: the program in the order the
// C runs it, and where each value lives.

import AttnIR
import AttnPlan

/// Where one value of the emitted kernel lives.
package enum Storage: Hashable, Sendable, CustomStringConvertible {
    case input
    case output
    /// Recomputed where it is read; never stored.
    case inline
    /// Floats `[offset, offset + count)` of the caller's scratch.
    case scratch(offset: Int, count: Int)
    /// Read in place from the parameter array.
    case parameter
    /// A slice or reshape read in place from another value's storage.
    case view(of: ValueID)

    package var description: String {
        switch self {
        case .input: return "input"
        case .output: return "output"
        case .inline: return "inline (fused into its readers)"
        case .scratch(let offset, let count): return "scratch[\(offset)..<\(offset + count)]"
        case .parameter: return "params"
        case .view(let v): return "view of %\(v)"
        }
    }
}

/// Where each value of one program lives, as planned by AttnPlan.
package struct StoragePlan: Sendable {
    /// The program as emitted (siblings regrouped); value ids below refer to it.
    package let program: Program
    /// Storage of each value, indexed by value id (0 is the input).
    package let storage: [Storage]
    /// Floats of working scratch an op uses while it runs (attention's score row), by value id.
    package let temporaries: [ValueID: (offset: Int, count: Int)]
    package let scratchSize: Int
    /// Sibling 1×1 convs computed in one GEMM with the first of them, by that first conv.
    package let stackedGEMMs: [ValueID: [ValueID]]

    package init(_ program: Program, layout: TensorLayout = .nchw) { self.init(plan: Plan(program, layout: layout)) }

    init(plan: Plan) {
        let p = plan.program
        self.program = p
        self.storage = (0...p.instrs.count).map { v in
            guard let l = plan.layouts[v] else { return .inline }
            if plan.views.contains(v) { return .view(of: p.instrs[v - 1].operands[0]) }
            switch l.buffer {
            case .input: return .input
            case .output: return .output
            case .param: return .parameter
            case .scratch: return .scratch(offset: l.base, count: p.shape(of: v).count)
            }
        }
        self.temporaries = plan.temps.mapValues { ($0.offset, $0.count) }
        self.scratchSize = plan.hostScratchSize
        self.stackedGEMMs = plan.stackedGEMMs
    }
}
