// Flash and RAM of an int8 kernel written by `import-tflite`, from its two files' text alone:
//
// RAM   = I/O + scratch + stack. I/O is the int8 input + output (one tensor when the header
//         says NAME_OUTPUT_MAY_ALIAS_INPUT); scratch is NAME_SCRATCH_BYTES; the stack is a
//         bound, not a count (see `stackBytes`).
// Flash = constants (every `static const` table of the .c: weights, biases, multipliers, shifts,
//         LOGISTIC/HARD_SWISH tables; exact) + code (CodeSizeModel's estimate over the C outside
//         those tables, each call of the kernel's requantise helper counted as a helper call; the
//         DSP branch of the kernel's `#if`s, which a Cortex-M4F build compiles).

import AttnCEmit
import Foundation

/// Memory of one int8 kernel on a microcontroller.
public struct Int8Footprint: Sendable {
    /// The kernel's name (its C prefix).
    public let name: String
    /// Bytes (int8 elements) of the input and output tensors.
    public let inputBytes: Int, outputBytes: Int
    /// NAME_SCRATCH_BYTES.
    public let scratchBytes: Int
    /// The header allows `output == input`.
    public let outputMayAliasInput: Bool
    /// Bytes of the `static const` tables, exact.
    public let constantBytes: Int
    package let features: CodeFeatures
    /// The model `codeBytes` is estimated with.
    public let model: CodeSizeModel

    /// A bound on the kernel's stack: arm-none-eabi-gcc -O2 -fstack-usage gives 48-136 B for the
    /// fixture kernels on Cortex-M4F (the forward's frame, 8 B more for the requantise helper
    /// when not inlined, the batched forward the largest); 160 B covers them with a margin.
    public static let stackBytes = 160

    /// The footprint of the kernel `name` from its header and source text; nil when the header
    /// lacks the ABI's size macros.
    public init?(name: String, header: String, source: String, model: CodeSizeModel = .cortexM4F) {
        let macro = name.uppercased()
        func define(_ suffix: String) -> Int? {
            for line in header.split(separator: "\n") {
                let t = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if t.count >= 3, t[0] == "#define", t[1] == "\(macro)_\(suffix)" { return Int(t[2]) }
            }
            return nil
        }
        guard let input = define("INPUT_SIZE"), let output = define("OUTPUT_SIZE"), let scratch = define("SCRATCH_BYTES") else { return nil }
        self.name = name
        inputBytes = input
        outputBytes = output
        scratchBytes = scratch
        outputMayAliasInput = Footprint.headerSaysOutputMayAliasInput(header, macroPrefix: macro)
        self.model = model
        var count = CodeCount()
        var constants = 0
        var inTable = false
        let helpers = ["\(name)_requantize(", "\(name)_image("]
        // The kernels' only conditionals are the DSP guards (`#if ATTN_INT8_DSP` and the ACLE test
        // that defines it): a Cortex-M4F build compiles their first branch, so the `#else` branch
        // and the directives are left out of the count.
        var elseDepth = 0
        var depth = 0
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if text.hasPrefix("#if") {
                depth += 1
                continue
            }
            if text.hasPrefix("#else") {
                if elseDepth == 0 { elseDepth = depth }
                continue
            }
            if text.hasPrefix("#endif") {
                if elseDepth == depth { elseDepth = 0 }
                depth -= 1
                continue
            }
            if elseDepth > 0 || text.hasPrefix("#define") { continue }
            if inTable {
                if text.hasPrefix("};") { inTable = false }
                continue
            }
            if text.hasPrefix("static const "), let size = Self.tableBytes(text) {
                constants += size
                inTable = !text.contains("};")
                continue
            }
            count.add(line: text)
            // Calls of the kernel's own helpers (their definitions start with `static`).
            if !text.hasPrefix("static ") {
                for h in helpers { count.helperCalls += text.components(separatedBy: h).count - 1 }
            }
        }
        constantBytes = constants
        features = count
    }

    /// Bytes of `static const TYPE name[N] = {`, nil for another line.
    static func tableBytes(_ line: String) -> Int? {
        let widths = ["int8_t": 1, "uint8_t": 1, "int16_t": 2, "int32_t": 4]
        let t = line.split(separator: " ")
        guard t.count >= 4, let width = widths[String(t[2])], let open = t[3].firstIndex(of: "["), let close = t[3].firstIndex(of: "]"),
            let n = Int(t[3][t[3].index(after: open)..<close])
        else { return nil }
        return width * n
    }

    /// Input and output buffers: one tensor when the output may alias the input.
    public var ioBytes: Int { outputMayAliasInput ? max(inputBytes, outputBytes) : inputBytes + outputBytes }
    /// RAM: I/O, scratch and the stack bound.
    public var ramBytes: Int { ioBytes + scratchBytes + Self.stackBytes }
    /// Estimated code bytes.
    public var codeBytes: Int { model.estimate(features) }
    /// Flash: constants and code.
    public var flashBytes: Int { constantBytes + codeBytes }
}
