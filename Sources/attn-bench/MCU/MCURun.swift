// The `--mcu` run: every case × core × {fused, op by op}, two builds at a time (QEMU is single
// threaded; the count does not depend on what else runs).

import AttnGen
import Foundation

extension MCUBench {
    static func run(_ options: Options) -> Never {
        let cores = options.cores.isEmpty ? Core.all : Core.all.filter { options.cores.contains($0.name) }
        if cores.isEmpty { fail("--cores: none of \(options.cores) is one of \(Core.all.map(\.name))") }
        let version = (try? Command.run("arm-none-eabi-gcc", ["-dumpfullversion"], timeout: 30).output) ?? ""
        if version.isEmpty { fail("arm-none-eabi-gcc not found: run scripts/embedded/install-arm-tools.sh") }
        do {
            let (cases, skipped) = try cases(root: options.root, only: options.blocks)
            let jobs = cases.indices.flatMap { i in cores.indices.flatMap { k in Fusion.allCases.map { (i, k, $0) } } }
            let results = Slots<MCUOutcome>(count: jobs.count)
            DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
                let (i, k, fusion) = jobs[j]
                let outcome = count(cases[i], core: cores[k], fusion: fusion, root: options.root)
                results.set(j, outcome)
                progress("\(cases[i].name) \(cores[k].label) \(fusion.rawValue): \(outcome)")
            }
            let rows = cases.indices.map { i in
                MCURow(c: cases[i], outcomes: cores.indices.map { k in
                    (results.get(jobs.firstIndex { $0 == (i, k, .fused) }!), results.get(jobs.firstIndex { $0 == (i, k, .opByOp) }!))
                })
            }
            print(MCUReport.markdown(
                rows: rows, cores: cores, skipped: skipped,
                command: (["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                compiler: "arm-none-eabi-gcc \(version.trimmingCharacters(in: .whitespacesAndNewlines))"), terminator: "")
            exit(0)
        } catch {
            fail("\(error)")
        }
    }
}
