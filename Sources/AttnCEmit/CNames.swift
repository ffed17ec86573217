// Deterministic C names for everything the emitter declares. Names derived from the user's
// names (layer `as` names, `param` names, the roles taken from them) live in a namespace of
// their own: `v<N>_...` for values, `p<N>_...` for parameter tensors, N their unique number.
// Every other identifier in the function (loop variables such as `h` and `w`, `input`, `params`,
// the `attn_*` helpers, `expf`, `INFINITY`, libc's names, the header's macros) is fixed text
// that never starts with a lowercase `p` or `v` followed by a digit, so no spec name can shadow
// one of them or another value, whatever it is (`h`, `expf`, `NULL`, `M_PI`, `fc1` and `FC1`).
// Only the offset macros and the block's own symbols carry user names as they are; those are
// checked in lowering (case-folded uniqueness) and across the blocks of a file.

import AttnIR

struct CNames {
    let program: Program
    /// `value(v)` for every value, made once: the emitter asks for the same names many times.
    private let values: [String]
    private let params: [String]
    /// `offsetMacro(id)` for every tensor, made once: the header defines them, the body reads them.
    private let offsetMacros: [String]

    init(program: Program) {
        self.program = program
        let params = program.params.indices.map { "p\($0)_\(Self.hint(program.params[$0].cName))" }
        self.params = params
        let prefix = BlockGlobals.cUppercased(program.name)
        offsetMacros = program.params.map { "\(prefix)_\(BlockGlobals.cUppercased($0.cName))_OFFSET" }
        values = ["input"] + program.instrs.indices.map { i in
            let v = i + 1
            if case .constant(let id, _) = program.instrs[i].op, v != program.output { return params[id] }
            return "v\(v)_\(Self.hint(program.instrs[i].role))"
        }
    }
    /// The exponential the kernels call: libm's `expf`, or the generator's own `attn_expf`.
    var expf = "expf"
    /// tanh and erf: libm's `tanhf`/`erff`, or the generator's `attn_tanhf`/`attn_erff`.
    var tanhf = "tanhf"
    var erff = "erff"
    /// The square root of the `sqrt` op: libm's `sqrtf`, or the generator's `attn_sqrtf` (the
    /// norms call `attn_sqrtf` either way).
    var sqrtf = "sqrtf"

    /// `se_layer3` → `SE_LAYER3`, the macro prefix.
    var macroPrefix: String { BlockGlobals.cUppercased(program.name) }

    /// The pointer variable a value is read through: its SSA number and role (`v1_pool_mean`).
    /// A constant is read in place through its parameter's pointer.
    func value(_ v: ValueID) -> String { values[v] }

    /// `channel.fc1.weight` (tensor 0) → `p0_channel_fc1_weight`.
    func param(_ id: ParamID) -> String { params[id] }

    /// The readable part of a mangled name: its last 40 characters at most, from a word start
    /// (`spatial_att_gate_s_gate_s_conv_di_1_weight` → `att_gate_s_gate_s_conv_di_1_weight`).
    /// The number already makes the name unique; short, every local with the emitter's suffixes
    /// (`_padded`, `_r12`) stays within the 63 initial characters C99 promises to tell apart.
    static func hint(_ name: String) -> String {
        let limit = 40
        guard name.utf8.count > limit else { return name }
        let tail = name.utf8.suffix(limit)
        guard let cut = tail.firstIndex(of: UInt8(ascii: "_")) else { return String(decoding: tail, as: UTF8.self) }
        return String(decoding: tail[tail.index(after: cut)...], as: UTF8.self)
    }

    /// `SE_FC1_WEIGHT_OFFSET`: the user's name as it is, the API of the header (lowering refuses
    /// two tensors whose names agree but for case or `.`/`_`).
    /// The same text as `BlockGlobals.offsetMacro`, which the cross-block checks list.
    func offsetMacro(_ id: ParamID) -> String { offsetMacros[id] }
}

/// A float literal C reads back to the same float.
func cFloat(_ v: Float) -> String {
    precondition(v.isFinite, "non-finite constant \(v) reached the emitter")
    let text = "\(v)"
    // Bytes, not Foundation's substring search (a literal is written per constant of every op).
    return text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") } ? text + "f" : text + ".0f"
}

/// `[a, b, c]`, as `Array.description` writes it, without its generic printing (per parameter
/// of every header and kernel).
func cDims(_ dims: [Int]) -> String { "[" + cIntList(dims) + "]" }

/// `a, b, c`: an index table's initialiser, written digit by digit into one buffer (a tap table
/// has thousands of entries, and `map(String.init).joined` was a large part of emitting it).
func cIntList(_ values: [Int]) -> String {
    // At most ", -" and 19 digits per entry.
    var out = [UInt8](repeating: 0, count: values.count * 24)
    let count = out.withUnsafeMutableBufferPointer { buffer -> Int in
        var position = 0
        for (i, v) in values.enumerated() {
            if i > 0 {
                buffer[position] = UInt8(ascii: ",")
                buffer[position + 1] = UInt8(ascii: " ")
                position += 2
            }
            if v < 0 {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            // Digits last to first, then reversed in place.
            var (m, first) = (v.magnitude, position)
            repeat {
                buffer[position] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                position += 1
            } while m > 0
            var last = position - 1
            while first < last {
                buffer.swapAt(first, last)
                first += 1
                last -= 1
            }
        }
        return position
    }
    return String(decoding: out[..<count], as: UTF8.self)
}

/// `x * k`, just `x` when k is 1 (which changes no float).
func cTimes(_ x: String, _ k: Float) -> String { k == 1 ? x : "\(x) * \(cFloat(k))" }

/// `x / n` for a count n, just `x` when n is 1.
func cOver(_ x: String, _ n: Int) -> String { n == 1 ? x : "\(x) / \(n).0f" }
