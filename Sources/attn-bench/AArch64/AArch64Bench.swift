// `attn-bench --aarch64`: instructions per block on AArch64, counted under qemu-aarch64 (user
// mode) by a TCG plugin (scripts/cross/insn_count.c), for machines without an AArch64 core. Each
// Generated/ example at its own shape is built three ways with aarch64-linux-gnu-gcc -O3: the
// host target (GCC vector code, NEON on AArch64: what a gcc user gets), the mcu target (plain C:
// what the vector code replaces) and op by op (one loop nest per op, every value stored). A
// count is the difference of a run with two forward calls and one with one, so the harness's
// own work cancels; the one-call run's output is checked against the interpreter. An emulator's
// instruction count is not a time: it ranks code, it does not say how fast a core runs it.

import AttnGen
import AttnInterp
import Foundation

enum AArch64Bench {
    /// One way of building a block.
    enum Build: String, CaseIterable, Sendable {
        case neon = "host target (NEON)"
        case plain = "mcu target (plain C)"
        case opByOp = "op by op"

        var target: EmitTarget { self == .plain ? .mcu : .host }
        var fusion: Fusion { self == .opByOp ? .opByOp : .fused }
    }

    static let cflags = ["-march=armv8-a", "-O3", "-std=c99"]

    static func run(_ options: Options) -> Never {
        let root = options.root
        let install = (try? Command.run("/bin/bash", [root.appendingPathComponent("scripts/cross/install-aarch64-tools.sh").path], timeout: 900))
        guard install?.status == 0 else { fail("scripts/cross/install-aarch64-tools.sh failed: \(install?.output ?? "")") }
        let version = ((try? Command.run("aarch64-linux-gnu-gcc", ["-dumpfullversion"], timeout: 30).output) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("attn-aarch64-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let plugin = work.appendingPathComponent("libinsn_count.so")
            let pluginBuild = try Command.run(
                "gcc", ["-shared", "-fPIC", "-O2", root.appendingPathComponent("scripts/cross/insn_count.c").path, "-o", plugin.path],
                timeout: 120)
            guard pluginBuild.status == 0 else { fail("building the QEMU plugin: \(pluginBuild.output)") }
            let examples = try Example.loadAll(root: root).filter {
                options.blocks.isEmpty || options.blocks.contains($0.kind) || options.blocks.contains($0.name)
            }
            let cases: [(name: String, spec: BlockSpec)] = examples.map { e in
                var spec = e.spec
                spec.libm = false  // every build then calls the same attn_expf
                return (e.name, spec)
            }
            let jobs = cases.indices.flatMap { i in Build.allCases.map { (i, $0) } }
            let results = Slots<Outcome>(count: jobs.count)
            DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
                let (i, build) = jobs[j]
                let outcome = count(cases[i].spec, build, plugin: plugin, root: root)
                results.set(j, outcome)
                progress("\(cases[i].name) \(build.rawValue): \(outcome)")
            }
            let command = (["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            var out = "## Instructions per block on AArch64 (qemu-aarch64, counted)\n\n"
            out += "`\(command)`; aarch64-linux-gnu-gcc \(version) `\(cflags.joined(separator: " "))`; NCHW, `libm: false`; "
            out += "each block at its Generated/ shape; one forward call (two calls minus one).\n\n"
            out += "| block | shape | MACs | NEON | plain C | op by op | plain ÷ NEON | op by op ÷ NEON | NEON per MAC |\n"
            out += "|---|---|--:|--:|--:|--:|--:|--:|--:|\n"
            var notes: [String] = []
            for (i, c) in cases.enumerated() {
                let program = try Pipeline.generate(c.spec).program
                let o = Build.allCases.map { b in results.get(jobs.firstIndex { $0 == (i, b) }!) }
                let n = o.map(\.count)
                let s = program.input
                func ratio(_ a: Double?, _ b: Double?) -> String {
                    guard let a, let b, b > 0 else { return "—" }
                    return String(format: "%.2f", a / b)
                }
                let macs = program.macs
                let perMAC = n[0].map { macs > 0 ? String(format: "%.2f", $0 / Double(macs)) : "—" } ?? "—"
                out += "| \(c.name) | \(s.c)×\(s.h)×\(s.w) | \(macs) | " + o.map(\.cell).joined(separator: " | ")
                out += " | \(ratio(n[1], n[0])) | \(ratio(n[2], n[0])) | \(perMAC) |\n"
                for (b, outcome) in zip(Build.allCases, o) {
                    if case .failed(let why) = outcome { notes.append("\(c.name) \(b.rawValue): FAILED \(why)") }
                }
            }
            if !notes.isEmpty { out += "\n" + notes.map { "- \($0)\n" }.joined() }
            print(out, terminator: "")
            exit(notes.isEmpty ? 0 : 1)
        } catch {
            fail("\(error)")
        }
    }

    enum Outcome: Sendable, CustomStringConvertible {
        case instructions(Double)
        case failed(String)

        var count: Double? {
            if case .instructions(let n) = self { return n }
            return nil
        }
        var cell: String { count.map { MCUReport.thousands($0) } ?? "failed" }
        var description: String {
            switch self {
            case .instructions(let n): return "\(Int(n)) instructions"
            case .failed(let why): return "failed: \(why)"
            }
        }
    }

    /// Builds `spec` as `build` says, runs it with one and two forward calls under the counting
    /// plugin, checks the one-call output against the interpreter, and returns one call's count.
    static func count(_ spec: BlockSpec, _ build: Build, plugin: URL, root: URL) -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-aarch64-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let generated = try Pipeline.generate(spec, target: build.target, fusion: build.fusion)
            for file in generated.source.files {
                try file.contents.write(to: dir.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
            let program = generated.program
            let name = program.name
            let params = program.randomParams(seed: 1)
            var table = "const float attn_count_params[\(max(1, params.count))] = {\n"
            table += (params.isEmpty ? "0" : params.map { "\($0.bitPattern == 0 ? "0" : "\($0)")f" }.joined(separator: ",\n")) + "\n};\n"
            try table.write(to: dir.appendingPathComponent("params.c"), atomically: true, encoding: .utf8)
            let object = dir.appendingPathComponent("\(name).o").path
            let compile = try Command.run(
                "aarch64-linux-gnu-gcc", cflags + ["-c", dir.appendingPathComponent("\(name).c").path, "-o", object], timeout: 600)
            guard compile.status == 0 else { return .failed("compile: \(compile.output.prefix(400))") }
            var counts: [Double] = []
            var output: [Float] = []
            for calls in [1, 2] {
                let exe = dir.appendingPathComponent("run\(calls)").path
                let link = try Command.run(
                    "aarch64-linux-gnu-gcc",
                    cflags + ["-static", "-I", dir.path, "-DATTN_HEADER=\"\(name).h\"", "-DATTN_NAME=\(name)",
                        "-DATTN_MACRO=\(name.uppercased())", "-DATTN_SEED=12", "-DATTN_CALLS=\(calls)",
                        "-DATTN_CONST_PARAMS=attn_count_params",
                        root.appendingPathComponent("scripts/embedded/main.c").path,
                        dir.appendingPathComponent("params.c").path, object, "-lm", "-o", exe],
                    timeout: 300)
                guard link.status == 0 else { return .failed("link: \(link.output.prefix(400))") }
                let run = try Command.run("qemu-aarch64", ["-plugin", plugin.path, exe], timeout: 1800)
                guard run.status == 0 else { return .failed(run.timedOut ? "QEMU timed out" : "QEMU status \(run.status)") }
                guard let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("ATTN-INSNS ") }),
                    let n = Double(line.dropFirst("ATTN-INSNS ".count))
                else { return .failed("no ATTN-INSNS line") }
                counts.append(n)
                if calls == 1 { output = try parseOutput(run.output) }
            }
            let reference = try Interpreter.run(program, input: program.randomInput(seed: 12), params: params)
            guard output.count == reference.count else { return .failed("\(output.count) outputs, the interpreter gives \(reference.count)") }
            let scale = max(reference.map { abs($0) }.max() ?? 0, 1e-30)
            let error = zip(output, reference).map { abs($0 - $1) }.max() ?? 0
            guard error <= 1e-4 * scale, output.allSatisfy(\.isFinite) else {
                return .failed(String(format: "output differs from the interpreter by %.2e of max|y|", error / scale))
            }
            return .instructions(counts[1] - counts[0])
        } catch {
            return .failed("\(error)")
        }
    }

    /// The floats between main.c's ATTN-OUTPUT and ATTN-END lines (hex IEEE-754 bits).
    static func parseOutput(_ text: String) throws -> [Float] {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("ATTN-OUTPUT ") }),
            let end = lines[start...].firstIndex(of: "ATTN-END")
        else { throw AArch64BenchError("no ATTN-OUTPUT … ATTN-END in the run's output") }
        return try lines[(start + 1)..<end].map { line in
            guard let bits = UInt32(line, radix: 16) else { throw AArch64BenchError("bad output line \(line)") }
            return Float(bitPattern: bits)
        }
    }
}

struct AArch64BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
