// Fills the fixed C skeletons in Templates/ (file header, guards, macros). Loop code never goes
// through templates; it comes from the printer.

import AttnIR
import AttnTemplates

enum Skeleton {
    static func header(_ p: Program, names: CNames, scratchSize: Int, specText: String, hasWeights: Bool) -> String {
        let m = names.macroPrefix
        let out = p.outputShape
        var macros = [
            "#define \(m)_INPUT_SIZE \(p.input.count) /* [N,C,H,W] = \(p.input) */",
            "#define \(m)_OUTPUT_SIZE \(out.count) /* \(out) */",
            "#define \(m)_PARAMS_SIZE \(p.paramCount)",
            "#define \(m)_SCRATCH_SIZE \(scratchSize)",
        ]
        for (axis, v) in zip(["N", "C", "H", "W"], p.input.dims) { macros.append("#define \(m)_INPUT_\(axis) \(v)") }
        for (axis, v) in zip(["N", "C", "H", "W"], out.dims) { macros.append("#define \(m)_OUTPUT_\(axis) \(v)") }
        if !p.params.isEmpty {
            macros.append("")
            macros.append("/* Parameter array: tensors packed in this order, row-major. */")
        }
        for (id, (decl, offset)) in zip(p.params, p.paramOffsets).enumerated() {
            macros.append("#define \(names.offsetMacro(id)) \(offset) /* \(decl.name) \(decl.dims) */")
        }
        let declaration = hasWeights ? "\nextern const float \(p.name)_params[\(m)_PARAMS_SIZE];\n" : ""
        return Templates.fill(
            "header.h",
            [
                "NAME": p.name,
                "GUARD": "\(m)_H",
                "SPEC": commentBody(specText),
                "MACROS": macros.joined(separator: "\n"),
                "PARAMS_DECL": declaration,
            ])
    }

    /// `forJIT` swaps `<math.h>` for the two declarations the kernels use: parsing the header
    /// costs tcc about 1.5 ms, seven times the rest of a compile.
    static func source(
        name: String, include: String, helpers: [String], function: String, weights: String, forJIT: Bool
    ) -> String {
        let math = forJIT ? "float expf(float);\n#define INFINITY (1.0f / 0.0f)" : "#include <math.h>"
        return Templates.fill(
            "source.c",
            [
                "NAME": name, "MATH": math, "INCLUDE": include, "FUNCTION": function,
                "HELPERS": helpers.map { $0 + "\n" }.joined(),
                "WEIGHTS": weights.isEmpty ? "" : "\n" + weights,
            ])
    }

    /// Spec text as comment lines; `*/` inside it cannot end the comment early.
    private static func commentBody(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { " * " + $0.replacingOccurrences(of: "*/", with: "* /") }
            .joined(separator: "\n")
    }
}
