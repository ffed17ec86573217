// `attn-bench --network DIR`: every attention block of one exported network (attn-gen-torch's
// DIR/spec.json) from one checkpoint to callables, the way an application starts: the weights
// file opened once, then each block generated and JIT-compiled by libtcc (no cache), then the
// same through the system compiler. Reports the totals, the slowest block and the per-block
// median, several rounds, median round.

import AttnGen
import Foundation

enum NetworkBench {
    static func run(_ options: Options) -> Never {
        var out = "## Whole networks: spec → callable for every block (`--network`)\n\n"
        out += "`\((["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "))`; "
        out += "\(options.networkRounds) rounds, the median round; tcc: generate + libtcc compile + symbol lookup per block, "
        out += "no kernel cache; the checkpoint opened once per round; \(options.clock == .cpu ? "the thread's CPU time (gcc: elapsed)" : "elapsed time").\n\n"
        out += "| network | checkpoint | blocks | open | tcc total | tcc slowest block | gcc total |\n|---|---|--:|--:|--:|--:|--:|\n"
        for dir in options.networks {
            do {
                let specPath = URL(fileURLWithPath: dir).appendingPathComponent("spec.json").path
                let blocks = try Pipeline.loadBlocks(path: specPath).map(\.spec)
                let weights = options.networkWeights ?? URL(fileURLWithPath: dir).appendingPathComponent(blocks.first?.weights ?? "weights.safetensors").path
                var rounds: [(open: Double, tcc: Double, slowest: Double)] = []
                for _ in 0..<options.networkRounds {
                    var file: WeightsFile!
                    let open = try Stopwatch.medianOfRuns(1, clock: options.clock) { file = try WeightsFile(path: weights) }
                    var slowest = 0.0
                    var total = open
                    for spec in blocks {
                        let t = try Stopwatch.medianOfRuns(1, clock: options.clock) { _ = try Kernel(spec, weights: .file(file, prefix: nil), useCache: false) }
                        slowest = max(slowest, t)
                        total += t
                    }
                    rounds.append((open, total, slowest))
                }
                let file = try WeightsFile(path: weights)
                var compiler = NativeCompiler()
                if let flags = options.cflags { compiler.flags = flags }
                let gcc = try Stopwatch.medianOfRuns(1) {
                    for spec in blocks { _ = try NativeKernel(spec, weights: .file(file, prefix: nil), compiler: compiler, useCache: false) }
                }
                let median = rounds.sorted { $0.tcc < $1.tcc }[rounds.count / 2]
                out += "| \(URL(fileURLWithPath: dir).lastPathComponent) | \(URL(fileURLWithPath: weights).lastPathComponent) | \(blocks.count) | "
                out += "\(ms(median.open)) | \(ms(median.tcc)) | \(ms(median.slowest)) | \(ms(gcc)) |\n"
                progress("\(dir): \(blocks.count) blocks, tcc \(ms(median.tcc)) (rounds \(rounds.map { ms($0.tcc) }))")
            } catch {
                fail("\(dir): \(error)")
            }
        }
        print(out, terminator: "")
        exit(0)
    }

    private static func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1e3) }
}
