// Fills the fixed C skeletons in Templates/ (file header, guards, macros). Loop code never goes
// through templates; it comes from the printer.

import AttnIR
import AttnTemplates

enum Skeleton {
    static func header(
        _ p: Program, names: CNames, scratchSize: (host: Int, embedded: Int), specText: String, hasWeights: Bool,
        packedSize: Int?,
        options: EmitOptions,
        mayAlias: Bool
    ) -> String {
        let m = names.macroPrefix
        let out = p.outputShape
        var macros = [
            "#define \(m)_INPUT_SIZE \(p.input.count) /* [N,C,H,W] = \(p.input) */",
            "#define \(m)_OUTPUT_SIZE \(out.count) /* \(out) */",
            "#define \(m)_PARAMS_SIZE \(p.paramCount)",
        ]
        if let packedSize {
            macros.append("#define \(m)_PACKED_SIZE \(packedSize) /* \(m)_PARAMS_SIZE, then weight rows laid out for the GEMMs, then their layout */")
        }
        if scratchSize.host == scratchSize.embedded || options.target != .portable {
            // A target file is read by one kind of compiler: its size alone.
            let size = options.target == .mcu ? scratchSize.embedded : scratchSize.host
            macros.append("#define \(m)_SCRATCH_SIZE \(size)")
        } else {
            // The convolutions' host code (x86-64, AArch64) works on padded copies of its input.
            macros += [
                "#if defined(__x86_64__) || defined(__aarch64__)",
                "#define \(m)_SCRATCH_SIZE \(scratchSize.host) /* with the host code's own buffers (padded planes, score rows) */",
                "#else",
                "#define \(m)_SCRATCH_SIZE \(scratchSize.embedded)",
                "#endif",
            ]
        }
        for (axis, v) in zip(["N", "C", "H", "W"], p.input.dims) { macros.append("#define \(m)_INPUT_\(axis) \(v)") }
        for (axis, v) in zip(["N", "C", "H", "W"], out.dims) { macros.append("#define \(m)_OUTPUT_\(axis) \(v)") }
        macros.append("#define \(m)_LAYOUT_\(options.layout.rawValue.uppercased()) 1 /* input and output memory order */")
        macros.append(
            "#define \(m)_OUTPUT_MAY_ALIAS_INPUT \(mayAlias ? 1 : 0) /* 1: output may be the input array (in place) */")
        if !p.params.isEmpty {
            macros.append("")
            macros.append("/* Parameter array: tensors packed in this order, row-major. */")
        }
        for (id, (decl, offset)) in zip(p.params, p.paramOffsets).enumerated() {
            macros.append("#define \(names.offsetMacro(id)) \(offset) /* \(decl.name) \(cDims(decl.dims)) */")
        }
        var declaration = hasWeights ? "\nextern const float \(p.name)_params[\(m)_PARAMS_SIZE];\n" : ""
        if packedSize != nil {
            // Beside the flat parameters, not instead: the same results bit for bit, sooner.
            declaration += "\n/* The parameters packed once (\(m)_PACKED_SIZE floats: the GEMMs' weights laid out as they read them),\n"
            declaration += " * then any number of calls on them; the same outputs as \(p.name)_forward, bit for bit. An array packed\n"
            declaration += " * by a build of this file for other vectors is read as its parameters' copy: the same outputs, slower. */\n"
            declaration += "void \(p.name)_pack(const float *params, float *packed);\n"
            declaration += "void \(p.name)_forward_packed(const float *input, float *output, const float *packed, float *scratch);\n"
        }
        if options.selftest != nil {
            declaration += "/* Runs the kernel on built-in data; 0 when the outputs match, else the failing check + 1. */\n"
            declaration += "int \(p.name)_selftest(float *input, float *output, float *scratch);\n"
        }
        let header = Templates.fill(
            "header.h",
            [
                "NAME": p.name,
                "GUARD": "\(m)_H",
                "SPEC": commentBody(specText),
                "LAYOUT": options.layout.rawValue.uppercased(),
                "MACROS": macros.joined(separator: "\n"),
                "PARAMS_DECL": declaration,
            ])
        // The cross-block collision check of a blocks file compares BlockGlobals' lists: a macro
        // added here but not there would escape it.
        // The template's one macro is the guard; the rest are the lines above (read as UTF-8:
        // splitting the whole header by Character was a large part of spec → C time).
        // A check of this code, not of the input: debug builds (the tests) make it, release
        // builds skip it (it was most of the header's time on the JIT's path).
        assert(macrosDeclared(["#define \(m)_H"] + macros, BlockGlobals.names(block: p.name, tensors: p.params.map(\.name))))
        return header
    }

    /// Whether BlockGlobals lists every `#define` among `lines`.
    private static func macrosDeclared(_ lines: [String], _ declared: [String: String]) -> Bool {
        for line in lines where line.hasPrefix("#define ") {
            let macro = String(decoding: line.utf8.dropFirst("#define ".utf8.count).prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
            guard declared[macro.lowercased()] != nil else { assertionFailure("macro \(macro) is missing from BlockGlobals"); return false }
        }
        return true
    }

    /// `forJIT` swaps `<math.h>` for the declarations of the libm functions the kernels call: parsing
    /// the header costs tcc several times the rest of a compile.
    static func source(
        name: String, include: String, helpers: [String], function: String, weights: String, forJIT: Bool, libm: Bool,
        target: EmitTarget
    ) -> String {
        let math: String
        switch (libm, forJIT) {
        case (true, false): math = "#include <math.h>\n#include <stdint.h>"
        case (true, true): math = "float expf(float);\nfloat tanhf(float);\nfloat erff(float);\nfloat sqrtf(float);\ntypedef unsigned int uint32_t;\ntypedef int int32_t;\n#define INFINITY (1.0f / 0.0f)"
        case (false, false): math = "#include <stdint.h>\n\n#define INFINITY (1.0f / 0.0f) /* libm-free build */"
        case (false, true): math = "typedef unsigned int uint32_t;\ntypedef int int32_t;\n#define INFINITY (1.0f / 0.0f)"
        }
        return Templates.fill(
            "source.c",
            [
                "NAME": name, "MATH": math, "INCLUDE": include, "FUNCTION": function, "PRAGMA": gccX86Pragmas(target),
                "HELPERS": helpers.map { $0 + "\n" }.joined(),
                "WEIGHTS": weights.isEmpty ? "" : "\n" + weights,
            ])
    }

    /// gcc on x86-64 kept to 256-bit vectors and with its loops on 64-byte boundaries, for the
    /// compilers of `target` that are gcc.
    private static func gccX86Pragmas(_ target: EmitTarget) -> String {
        let condition: String
        switch target {
        case .portable: condition = "defined(__GNUC__) && !defined(__clang__) && !defined(__TINYC__) && defined(__x86_64__)"
        case .host: condition = "!defined(__clang__) && defined(__x86_64__)"
        case .mcu, .jit: return ""
        }
        return Templates.fill("prefer256.c", ["CONDITION": condition]) + Templates.fill("align_loops.c", ["CONDITION": condition])
    }

    /// One line of spec text, made inert inside a `/* */` comment under any C compiler and
    /// warning level, in one pass (Foundation's search, per spec line, was a measurable part of
    /// spec → C time). The spec is JSON, and every rewrite is a JSON escape of the same
    /// character, so the comment still reads as the spec: a `*` next to a `/` becomes `\u002a`
    /// (`*/` would end the comment, `/*` is gcc's and clang's -Wcomment); the second `?` of `??`
    /// becomes `\u003f` (`??/` is a trigraph for a backslash under -std=c99); anything but
    /// printable ASCII becomes `\uXXXX` (control characters, and bidirectional overrides that
    /// gcc's -Wbidi-chars rejects); a `\` ending the line becomes `\u005c` (no line splice).
    static func commentSafe(_ line: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(line.utf8.count)
        let scalars = Array(line.unicodeScalars)
        func escape(_ unit: UInt32) {
            let hex = Array("0123456789abcdef".utf8)
            out += Array("\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt32(shift)) & 15)]) }
        }
        for (i, u) in scalars.enumerated() {
            let v = u.value
            let previous = i > 0 ? scalars[i - 1] : " "
            let next = i + 1 < scalars.count ? scalars[i + 1] : " "
            if v < 0x20 || v > 0x7E {
                if v > 0xFFFF {
                    // JSON writes characters past the BMP as a UTF-16 surrogate pair.
                    escape(0xD800 + ((v - 0x10000) >> 10))
                    escape(0xDC00 + ((v - 0x10000) & 0x3FF))
                } else {
                    escape(v)
                }
            } else if u == "*" && (previous == "/" || next == "/") {
                escape(v)
            } else if u == "?" && previous == "?" {
                escape(v)
            } else if u == "\\" && i == scalars.count - 1 {
                escape(v)
            } else {
                out.append(UInt8(v))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Spec text as comment lines (`commentSafe`): nothing in it can end the comment or warn.
    private static func commentBody(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { " * " + commentSafe(String($0)) }
            .joined(separator: "\n")
    }
}
