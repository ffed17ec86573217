// What the emitter decided about each value, for `attn-gen explain`: the program in the order the
// C runs it, and where each value lives.

import AttnIR

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

/// The emitter's plan for one program.
package struct StoragePlan: Sendable {
    /// The program as emitted (siblings regrouped); value ids below refer to it.
    package let program: Program
    /// Storage of each value, indexed by value id (0 is the input).
    package let storage: [Storage]
    /// Floats of working scratch an op uses while it runs (attention's score row), by value id.
    package let temporaries: [ValueID: (offset: Int, count: Int)]
    package let scratchSize: Int

    package init(_ program: Program, layout: TensorLayout = .nchw) {
        let emitter = CEmitter(program, options: EmitOptions(layout: layout))
        let p = emitter.program
        let schedule = emitter.schedule
        self.program = p
        self.storage = (0...p.instrs.count).map { v in
            guard let l = schedule.layouts[v] else { return .inline }
            if schedule.views.contains(v) { return .view(of: p.instrs[v - 1].operands[0]) }
            switch l.buffer {
            case .input: return .input
            case .output: return .output
            case .param: return .parameter
            case .scratch: return .scratch(offset: l.base, count: p.shape(of: v).count)
            }
        }
        var temps: [ValueID: (Int, Int)] = [:]
        for (v, offset) in schedule.temps {
            let instr = p.instrs[v - 1]
            temps[v] = (offset, instr.op.tempSize(instr, p, operand: instr.operands.first.flatMap { schedule.layouts[$0] }) ?? 0)
        }
        self.temporaries = temps
        self.scratchSize = schedule.hostScratchSize
    }
}
