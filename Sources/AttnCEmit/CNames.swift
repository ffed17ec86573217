// Deterministic C names for everything the emitter declares. Every name is built from checked
// identifiers (the spec name, IR roles, parameter names) plus fixed suffixes, never from raw text.

import AttnIR

struct CNames {
    let program: Program
    /// The exponential the kernels call: libm's `expf`, or the generator's own `attn_expf`.
    var expf = "expf"

    /// `se_layer3` → `SE_LAYER3`, the macro prefix.
    var macroPrefix: String { program.name.uppercased() }

    /// The pointer variable a value is read through: its role and SSA number (`pool_mean_1`).
    /// A constant is read in place through its parameter's pointer.
    func value(_ v: ValueID) -> String {
        guard v != 0 else { return "input" }
        if case .constant(let id, _) = program.instrs[v - 1].op, v != program.output { return param(id) }
        return "\(program.instrs[v - 1].role)_\(v)"
    }

    /// `channel.fc1.weight` → `channel_fc1_weight`.
    func param(_ id: ParamID) -> String { program.params[id].cName }

    /// `SE_FC1_WEIGHT_OFFSET`.
    func offsetMacro(_ id: ParamID) -> String { "\(macroPrefix)_\(param(id).uppercased())_OFFSET" }
}

/// A float literal C reads back to the same float.
func cFloat(_ v: Float) -> String {
    precondition(v.isFinite, "non-finite constant \(v) reached the emitter")
    let text = "\(v)"
    return text.contains(".") || text.contains("e") ? text + "f" : text + ".0f"
}
