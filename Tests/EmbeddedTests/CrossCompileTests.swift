// Every Generated/ example, as `attn-gen SPEC --weights W -o DIR` emits it, compiles for
// Cortex-M0+ (soft float), M4F and M7 at -std=c99 -Wall -Wextra -Werror -pedantic -O2, and the
// object holds what the issue promises: no malloc/free, no stdio, no static mutable state (no
// .data/.bss symbols), and with `"libm": false` no libm symbol either.

import AttnGen
import Foundation
import Testing

@Suite struct CrossCompileTests {
    static let cases: [(String, Variant, CortexM)] = EmbeddedPaths.exampleSpecs().flatMap { spec in
        Variant.all.flatMap { v in CortexM.allCases.map { (spec, v, $0) } }
    }

    /// Undefined symbols an object may need: the compiler's runtime (soft-float and division
    /// helpers on M0+) and the block-memory functions gcc may turn a zeroing loop into.
    static func allowedUndefined(_ name: String, libm: Bool) -> Bool {
        if name.hasPrefix("__aeabi_") || name.hasPrefix("__gnu_") { return true }
        if ["memset", "memcpy", "memmove"].contains(name) { return true }
        return libm && libmSymbols.contains(name)
    }

    static let libmSymbols: Set<String> = ["expf", "exp", "expm1f", "exp2f", "__expf_finite", "__ieee754_expf", "tanhf", "erff", "sqrtf"]
    static let forbidden = ["malloc", "calloc", "realloc", "free", "printf", "fprintf", "sprintf", "snprintf", "puts",
        "putchar", "fwrite", "fopen", "stdout", "stderr", "_impure_ptr", "__errno"]

    @Test(arguments: cases)
    func compilesAndIsSelfContained(_ specFile: String, _ variant: Variant, _ core: CortexM) throws {
        let tools = try ARMTools.get()
        for b in try Workspace.shared.blocks(specFile, variant) {
            let object = try BareMetal.object(b, core)
            let nm = Tool.run(tools.nm, [object.path])
            #expect(nm.status == 0, "\(nm.text)")
            var undefined: [String] = []
            for line in nm.stdout.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 2 else { continue }
                let type = fields[fields.count - 2]
                let symbol = String(fields[fields.count - 1])
                if type == "U" {
                    undefined.append(symbol)
                    #expect(!Self.forbidden.contains(symbol), "\(b.name) [\(variant), \(core)] references \(symbol)")
                    #expect(
                        Self.allowedUndefined(symbol, libm: variant.libm),
                        "\(b.name) [\(variant), \(core)] needs \(symbol)\(variant.libm ? "" : " although libm is off")")
                }
                // Static mutable state would show as a data or bss symbol.
                #expect(!["D", "d", "B", "b", "C", "G", "g", "S", "s"].contains(type), "\(b.name) [\(core)]: \(line)")
            }
            let size = try SizeReport(object, tools)
            #expect(size.data == 0 && size.bss == 0, "\(b.name) [\(variant), \(core)]: data \(size.data), bss \(size.bss)")
            print("\(core) \(b.name) [\(variant)]: text \(size.text) B; needs \(undefined.sorted().joined(separator: ", "))")
        }
    }
}

/// `arm-none-eabi-size` (Berkeley: text = code + read-only data) of an object or image.
struct SizeReport {
    let text: Int
    let data: Int
    let bss: Int

    init(_ file: URL, _ tools: ARMTools) throws {
        let r = Tool.run(tools.size, [file.path])
        let fields = r.stdout.split(separator: "\n").dropFirst().first?.split(whereSeparator: { $0 == " " || $0 == "\t" }) ?? []
        guard r.status == 0, fields.count >= 3, let t = Int(fields[0]), let d = Int(fields[1]), let b = Int(fields[2]) else {
            throw ToolError("arm-none-eabi-size \(file.lastPathComponent): \(r.text)")
        }
        text = t
        data = d
        bss = b
    }

    /// Sizes of symbols (`nm -S`), by name.
    static func symbolSizes(_ file: URL, _ tools: ARMTools) -> [String: Int] {
        let r = Tool.run(tools.nm, ["-S", file.path])
        var out: [String: Int] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 4, let size = Int(f[1], radix: 16) { out[String(f[3])] = size }
        }
        return out
    }
}
