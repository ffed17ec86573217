// `attn-gen SPEC --shared-helpers`: the blocks of one file share one definition of each plain
// helper (<stem>_support.{h,c}). The shared build must compile warning-free, link without a
// missing or duplicate symbol, compute bit for bit what the self-contained files compute, and
// take less flash on a Cortex-M4F.

import AttnGen
import Foundation
import Testing

@Suite struct SharedHelpersTests {
    /// Four blocks that call overlapping helpers: SE twice (libm-free: attn_expf is shared),
    /// ECA, and CBAM (its row helpers) in NHWC.
    static let spec = #"""
        {"blocks": [
          {"name": "sh_se1", "kind": "se", "input": {"c": 32, "h": 6, "w": 6}, "reduced_channels": 8, "libm": false},
          {"name": "sh_se2", "kind": "se", "input": {"c": 48, "h": 5, "w": 5}, "reduced_channels": 12, "libm": false},
          {"name": "sh_eca", "kind": "eca", "input": {"c": 40, "h": 4, "w": 4}},
          {"name": "sh_cbam", "kind": "cbam", "input": {"c": 32, "h": 6, "w": 6}, "reduced_channels": 8, "layout": "nhwc"}
        ]}
        """#

    /// The generated files for `flags`, in a fresh folder of its own: two tests run in parallel
    /// both generate the mcu files, and one deleting a shared folder broke the other's build.
    static func generate(_ flags: [String], target: String = "portable") throws -> URL {
        let binary = try #require(CLI.binary, "the attn-gen binary is not built")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "attn-shared-\(getpid())-\(flags.count)-\(target)-\(UUID().uuidString)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("shared_demo.spec.json")
        try Data(Self.spec.utf8).write(to: spec)
        let r = Tool.run(binary, [spec.path, "-o", dir.path, "--target", target] + flags)
        guard r.status == 0 else { throw ToolError("attn-gen: \(r.text)") }
        return dir
    }

    static func cFiles(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".c") }.sorted()
    }

    /// A main that runs every block on fixed data and prints each output's float bits.
    static let main = """
        #include <stdio.h>
        #include <string.h>
        #include "sh_se1.h"
        #include "sh_se2.h"
        #include "sh_eca.h"
        #include "sh_cbam.h"
        static float in[4096], out[4096], params[8192], scratch[8192];
        #define RUN(B, P) do { \\
            for (int i = 0; i < B##_INPUT_SIZE; i++) in[i] = (float)((i * 37) % 23) / 11.0f - 1.0f; \\
            for (int i = 0; i < B##_PARAMS_SIZE; i++) params[i] = (float)((i * 13) % 17) / 17.0f - 0.5f; \\
            P##_forward(in, out, params, scratch); \\
            for (int i = 0; i < B##_OUTPUT_SIZE; i++) { unsigned u; memcpy(&u, &out[i], 4); printf("%08x\\n", u); } \\
        } while (0)
        int main(void) { RUN(SH_SE1, sh_se1); RUN(SH_SE2, sh_se2); RUN(SH_ECA, sh_eca); RUN(SH_CBAM, sh_cbam); return 0; }
        """

    @Test(arguments: ["portable", "mcu", "host"])
    func sharedBuildComputesWhatTheSelfContainedOneDoes(_ target: String) throws {
        let gcc = try #require(Tool.which("gcc"))
        var outputs: [String] = []
        for flags in [[], ["--shared-helpers"]] {
            let dir = try Self.generate(flags, target: target)
            defer { try? FileManager.default.removeItem(at: dir) }
            let files = try Self.cFiles(dir)
            #expect(files.contains("shared_demo_support.c") == !flags.isEmpty, "\(files)")
            try Data(Self.main.utf8).write(to: dir.appendingPathComponent("main.c"))
            let exe = dir.appendingPathComponent("run").path
            let build = Tool.run(gcc, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-I", dir.path]
                + (files + ["main.c"]).map { dir.appendingPathComponent($0).path } + ["-o", exe, "-lm"])
            #expect(build.status == 0, "\(target) \(flags): \(build.text)")
            let run = Tool.run(exe, [])
            #expect(run.status == 0)
            outputs.append(run.stdout)
        }
        #expect(!outputs[0].isEmpty && outputs[0] == outputs[1], "\(target): the shared build computes something else")
    }

    /// Warning-free for a Cortex-M4F, one definition per helper, and smaller than one copy per block.
    @Test func sharedHelpersSaveFlash() throws {
        let tools = try ARMTools.get()
        var text: [Int] = []
        for flags in [[], ["--shared-helpers"]] {
            let dir = try Self.generate(flags, target: "mcu")
            defer { try? FileManager.default.removeItem(at: dir) }
            var total = 0
            var defined: [String: Int] = [:]
            for file in try Self.cFiles(dir) {
                let object = dir.appendingPathComponent(file + ".o").path
                let cc = Tool.run(tools.gcc, CortexM.m4f.flags + CortexM.strict.filter { $0 != "-O2" } + ["-Os", "-c", dir.appendingPathComponent(file).path, "-o", object])
                #expect(cc.status == 0, "\(file): \(cc.text)")
                let size = Tool.run(tools.size, [object]).stdout.split(separator: "\n").last?.split(separator: "\t").first
                total += Int(size.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? 0
                for line in Tool.run(tools.nm, [object]).stdout.split(separator: "\n") where line.contains(" T ") {
                    defined[String(line.split(separator: " ").last!), default: 0] += 1
                }
            }
            #expect(defined.values.allSatisfy { $0 == 1 }, "a symbol defined twice: \(defined.filter { $0.value > 1 })")
            text.append(total)
        }
        #expect(text[1] < text[0], "shared \(text[1]) B, self-contained \(text[0]) B")
        print("shared helpers, 4 blocks, cortex-m4f -Os: text \(text[0]) B self-contained, \(text[1]) B shared")
    }
}
