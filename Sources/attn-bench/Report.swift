// The report: markdown tables (times, ratios, bandwidth) and the issue's targets checked one by
// one, with how far each is from holding. Ratios are time ÷ time: below 1 the first is faster.

import Foundation

/// One fast-tier level's multiply-add peak (FLOP/s) and vector width.
struct LevelPeak: Codable {
    var level: String
    var flops: Double
    var lanes: Int
}

struct Report: Codable {
    var command: String
    var machine: Machine
    var peers: String
    var peersUnavailable: String?
    var secondsPerMeasurement: Double
    var jitRepeats: Int
    /// Triad bandwidth over ~1 MB (L2-resident) and 3 × 64 MB (DRAM), bytes/s.
    var bandwidthCache: Double
    var bandwidthDRAM: Double
    var results: [CaseResult]
    /// The later catalog kinds at one shape each: their own table, no memory-bound targets.
    var catalog = false
    /// Each fast-tier level's multiply-add peak, in the order of `CaseResult.levels`.
    var peaks: [LevelPeak] = []
    /// Fixed levels this CPU cannot execute, with the reason.
    var skippedLevels: [String] = []
    var clock = BenchClock.wall

    /// The speed-up over the peers the issue asks of the compiled tier.
    static let peerSpeedup = 1.5
    static let limitSlack = 1.2

    var markdown: String {
        var out = """
            Measured by `\(command)` (one run; medians; single thread unless a column says otherwise).

            - Code: \(machine.code)
            - CPU: \(machine.cpu), \(machine.cores) cores; \(machine.caches); load average \(machine.load)
            - Fast tier: \(machine.compiler), `\(machine.flags) -fPIC -shared`; tcc tier: libtcc in process
            - Peers: \(peers), 1 thread each\(peersUnavailable.map { " — \($0)" } ?? "")
            - Fast-tier levels (`-O3 -march=<level>`; the gcc column is the first), each with its one-core multiply-add peak measured in this run: \(levelsLine)
            - Median of per-call times over ≥ \(secondsPerMeasurement) s per cell after warm-up, tcc's and gcc's samples taken in alternation (\(clock == .cpu ? "each sample the calling thread's CPU time, in the peers too" : "elapsed time")); JIT times: median of \(jitRepeats) fresh compiles
            - Memory limit = (2 reads + 1 write of N·C·H·W floats + parameters) ÷ STREAM-triad bandwidth measured in this run,
              over the block's own working set (input, output, parameters: cache-resident when it fits) and over 3 × 64 MB (DRAM)\(packedLine)


            """
        if catalog { return out + catalogTable + "\n" + agreement }
        out += timesTable + "\n" + ratiosTable + "\n" + levelsTable + "\n" + pairedTable + "\n" + bandwidthTable + "\n"
            + targets + "\n" + agreement
        return out
    }

    // MARK: tables

    private var timesTable: String {
        let threads = results.first?.threads ?? 1
        var rows = [
            "### Times (µs; JIT and gcc build in ms)", "",
            "| block | N×C×H×W | JIT ms (generate + libtcc) | gcc build ms | tcc | gcc | gcc, \(threads) threads | 4-pass CBAM | limit, same size | limit, DRAM | ONNX Runtime | PyTorch |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in results {
            rows.append(
                "| \(r.block) | \(label(r)) | \(ms(r.jit)) (\(ms(r.jitGenerate)) + \(ms(r.jitTCC))) | \(String(format: "%.0f", r.nativeBuild * 1e3)) | "
                    + [r.tcc, r.gcc, r.gccParallel, r.fourPass, r.limitSameSize, r.limitDRAM, r.ort, r.torch].map(us)
                    .joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    private var ratiosTable: String {
        var rows = [
            "### Ratios (time ÷ time; below 1 the first is faster)", "",
            "| block | N×C×H×W | tcc/gcc | gcc/limit same size | gcc/limit DRAM | tcc/ORT | gcc/ORT | gcc/PyTorch | fused/4-pass | threads speed-up |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in results {
            let cells: [Double?] = [
                r.tcc / r.gcc, r.gcc / r.limitSameSize, r.gcc / r.limitDRAM, r.ort.map { r.tcc / $0 },
                r.ort.map { r.gcc / $0 },
                r.torch.map { r.gcc / $0 }, r.fourPass.map { r.gcc / $0 }, r.gccParallel.map { r.gcc / $0 },
            ]
            rows.append("| \(r.block) | \(label(r)) | " + cells.map(ratio).joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// The later kinds: FLOPs, both tiers, the rate gcc reaches, the peers, and for the
    /// memory-bound ones how far gcc is from the same-size memory limit.
    private var catalogTable: String {
        // Per level: time, GFLOP/s, and that rate as a share of the level's measured peak.
        let levelHeads = peaks.map { "gcc \($0.level) | GFLOP/s | % peak" }.joined(separator: " | ")
        var rows = [
            "### Catalog blocks (one shape each; times in ms, ratios time ÷ time; gcc = gcc \(peaks.first?.level ?? "native"); MFLOP without taps on zero padding)", "",
            "| block | N×C×H×W | MFLOP | JIT ms | tcc | \(levelHeads) | tcc/gcc | PyTorch | ONNX Runtime | gcc/PyTorch | gcc/ORT | gcc/limit |",
            "|---|---|--:|--:|--:|" + String(repeating: "--:|--:|--:|", count: peaks.count) + "--:|--:|--:|--:|--:|--:|",
        ]
        // The rate counts the useful FLOPs: a conv's taps on its zero padding are work a block
        // may skip (a conv whose window spans the plane, a 31×31 kernel over a 16×16 plane, is mostly padding), and
        // counting them would put a block above the machine's peak.
        for r in results {
            let perLevel = zip(r.levels, peaks).flatMap { t, peak -> [String] in
                let rate = Double(r.usefulFlops) / t.seconds
                return [ms3(t.seconds), String(format: "%.1f", rate / 1e9), String(format: "%.0f %%", 100 * rate / peak.flops)]
            }
            let cells = [String(format: "%.1f", Double(r.usefulFlops) / 1e6), ms(r.jit), ms3(r.tcc)] + perLevel + [
                ratio(r.tcc / r.gcc), ms3(r.torch), ms3(r.ort),
                ratio(r.torch.map { r.gcc / $0 }), ratio(r.ort.map { r.gcc / $0 }), ratio(r.gcc / r.limitSameSize),
            ]
            rows.append("| \(r.block) | \(label(r)) | " + cells.joined(separator: " | ") + " |")
        }
        let notes = results.compactMap { r in r.peerError.map { "- \(r.block): \($0)" } }
        return rows.joined(separator: "\n") + "\n" + (notes.isEmpty ? "" : "\n" + notes.joined(separator: "\n") + "\n")
    }

    /// "native 101.3 GFLOP/s (8 lanes), x86-64-v2 50.2 (4 lanes); skipped: x86-64-v4 (...)".
    private var levelsLine: String {
        let measured = peaks.map { String(format: "%@ %.1f GFLOP/s (%d-lane vectors)", $0.level, $0.flops / 1e9, $0.lanes) }
        let skipped = skippedLevels.isEmpty ? "" : "; skipped: " + skippedLevels.joined(separator: ", ")
        return measured.joined(separator: ", ") + skipped
    }

    /// The fast tier at each level: time, and time over the same-size memory limit.
    private var levelsTable: String {
        var rows = [
            "### gcc tier per ISA level (µs; ratio to the same-size memory limit)", "",
            "| block | N×C×H×W | " + peaks.map { "\($0.level) | /limit" }.joined(separator: " | ") + " |",
            "|---|---|" + String(repeating: "--:|--:|", count: peaks.count),
        ]
        for r in results {
            let cells = r.levels.flatMap { [us($0.seconds), ratio($0.seconds / r.limitSameSize)] }
            rows.append("| \(r.block) | \(label(r)) | " + cells.joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// The interleaved measurement (`Interleaved`): per level, the kernel's minimum time beside the
    /// same-size triad's, and the cell's floor — the larger of its bytes (tensors and parameters)
    /// at that triad's bandwidth and its FLOPs at the level's measured peak.
    private var pairedTable: String {
        let cells = results.filter { !$0.paired.isEmpty }
        guard !cells.isEmpty else { return "" }
        var rows = [
            "### Interleaved: kernel and same-size triad in alternating samples (µs, minimum per call)", "",
            "Per level: the kernel's minimum and 10th-percentile time (elapsed time whatever the clock: a guest's thread CPU clock can stand still for a sample); the memory limit (its bytes ÷ the triad's bandwidth, both "
                + "measured in one loop, each sample after one untimed call: warm for both; the lowest of three fresh buffer sets); the floor = max(memory limit, FLOPs ÷ "
                + "the level's peak), `F` when FLOPs set it (MFLOP: the multiply-adds that touch data, a conv's taps on its zero padding left out; MB: the bytes of that limit, tensors and parameters); kernel/limit, kernel/floor, and the median of per-round kernel/triad "
                + "ratios on the run's clock, scaled the same way (a check on the minimum).", "",
            "| block | N×C×H×W | MFLOP | MB | " + peaks.map { "\($0.level) min / p10 | limit | floor | /limit | /floor | paired" }
                .joined(separator: " | ") + " |",
            "|---|---|--:|--:|" + String(repeating: "--:|--:|--:|--:|--:|--:|", count: peaks.count),
        ]
        for r in cells {
            let perLevel = zip(r.paired, peaks).flatMap { p, peak -> [String] in
                let memory = r.pairedLimit(p)
                let compute = Double(r.usefulFlops) / peak.flops
                let floor = max(memory, compute)
                return [
                    "\(us(p.kernel)) / \(us(p.kernelP10))", us(memory), us(floor) + (compute > memory ? " F" : ""),
                    ratio(p.kernel / memory), ratio(p.kernel / floor), ratio(p.pairedRatio * p.triad / memory),
                ]
            }
            let head = [String(format: "%.2f", Double(r.usefulFlops) / 1e6), String(format: "%.2f", r.limitBytes / 1e6)]
            rows.append("| \(r.block) | \(label(r)) | " + (head + perLevel).joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// One row per shape, one column per block: each cell's triad over that cell's working set.
    private var bandwidthTable: String {
        var blocks: [String] = []
        var shapes: [[Int]] = []
        for r in results {
            if !blocks.contains(r.block) { blocks.append(r.block) }
            if !shapes.contains(r.shape) { shapes.append(r.shape) }
        }
        var rows = [
            "### Triad bandwidth (GB/s, this run)", "",
            "Over 1 MB (cache-resident): \(gbps(bandwidthCache)); over 192 MB (DRAM): \(gbps(bandwidthDRAM)). "
                + "Over each cell's own working set (input + output + parameters, in MB):", "",
            "| N×C×H×W | " + blocks.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "--:|", count: blocks.count),
        ]
        for shape in shapes {
            let cells = blocks.map { block -> String in
                guard let r = results.first(where: { $0.block == block && $0.shape == shape }) else { return "n/a" }
                return "\(gbps(r.bandwidthSameSize)) (\(String(format: "%.1f", Double(r.workingSet) / 1e6)))"
            }
            rows.append("| \(shape.map(String.init).joined(separator: "×")) | " + cells.joined(separator: " | ") + " |")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    // MARK: targets

    private var targets: String {
        var lines = ["### Targets", ""]
        let targeted = results.filter(\.hasTargets)
        let kinds = ["se", "eca", "cbam"].filter { k in targeted.contains { $0.kind == k } }

        // 1. compiled tier ≥ 1.5× faster than each peer, every shape, SE/ECA/CBAM.
        let need = 1 / Self.peerSpeedup
        lines.append(
            "1. **gcc tier ≥ \(Self.peerSpeedup)× faster than ONNX Runtime and PyTorch eager** (gcc/peer ≤ \(ratio(need))), every shape:"
        )
        for kind in kinds {
            let rs = targeted.filter { $0.kind == kind }
            for (peer, get) in [("ORT", \CaseResult.ort), ("PyTorch", \CaseResult.torch)] {
                let pairs = rs.compactMap { r in r[keyPath: get].map { (r, r.gcc / $0) } }
                lines.append("   - \(kind) vs \(peer): " + verdict(pairs, limit: need, total: rs.count))
            }
        }
        // 2. within 1.2× of the cache-resident limit, SE, ECA and CBAM, N = 1, at every level.
        lines.append(
            "2. **gcc tier within \(Self.limitSlack)× of the memory limit** (same-size triad), SE, ECA and CBAM at N = 1, each level:")
        for kind in kinds {
            let rs = targeted.filter { $0.kind == kind && $0.n == 1 }
            for (index, peak) in peaks.enumerated() {
                let pairs = rs.compactMap { r in r.levels.indices.contains(index) ? (r, r.levels[index].seconds / r.limitSameSize) : nil }
                lines.append(
                    "   - \(kind) at \(peak.level): " + verdict(pairs, limit: Self.limitSlack, total: rs.count))
            }
        }
        // 2b. the same, on the interleaved minimum times, and against the floor.
        let paired = targeted.filter { $0.n == 1 && !$0.paired.isEmpty }
        if !paired.isEmpty {
            lines.append(
                "   Interleaved (kernel and triad alternating, minimum per call), kernel/limit and kernel/floor, each level:")
            for kind in kinds {
                let rs = paired.filter { $0.kind == kind }
                for (index, peak) in peaks.enumerated() {
                    let limits = rs.compactMap { r in
                        r.paired.indices.contains(index) ? (r, r.paired[index].kernel / r.pairedLimit(r.paired[index])) : nil
                    }
                    let floors = rs.compactMap { r in
                        r.paired.indices.contains(index)
                            ? (r, r.paired[index].kernel / max(r.pairedLimit(r.paired[index]), Double(r.usefulFlops) / peak.flops))
                            : nil
                    }
                    lines.append(
                        "   - \(kind) at \(peak.level): limit " + verdict(limits, limit: Self.limitSlack, total: rs.count)
                            + "; floor " + verdict(floors, limit: Self.limitSlack, total: rs.count))
                }
            }
        }
        // 3. fused CBAM faster than the 4-pass schedule.
        let cbam = targeted.filter { $0.kind == "cbam" }
        if !cbam.isEmpty {
            lines.append("3. **fused CBAM faster than a 4-pass schedule** (fused/4-pass < 1, both gcc -O3):")
            lines.append(
                "   - cbam: "
                    + verdict(cbam.compactMap { r in r.fourPass.map { (r, r.gcc / $0) } }, limit: 1, total: cbam.count))
        }
        // 4. tcc tier at least as fast as ORT, geometric mean over the shapes.
        lines.append("4. **tcc tier at least as fast as ONNX Runtime**, geometric mean of tcc/ORT over the shapes ≤ 1:")
        for kind in kinds {
            let values = targeted.filter { $0.kind == kind }.compactMap { r in r.ort.map { r.tcc / $0 } }
            guard !values.isEmpty else {
                lines.append("   - \(kind): n/a (no ONNX Runtime numbers)")
                continue
            }
            let g = exp(values.map(log).reduce(0, +) / Double(values.count))
            lines.append(
                "   - \(kind): geomean \(ratio(g)) — " + (g <= 1 ? "**holds**" : "**fails**, \(ratio(g))× too slow"))
        }
        // 5. spec → callable through libtcc under 1 ms.
        lines.append("5. **spec → callable through libtcc under 1 ms**:")
        for kind in kinds {
            let rs = targeted.filter { $0.kind == kind }
            lines.append(
                "   - \(kind): " + verdict(rs.map { ($0, $0.jit * 1e3) }, limit: 1, total: rs.count, unit: " ms"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "**fails**: met on 3/5; worst 1.40 at 1×256×56×56, 1.17× over the bound".
    private func verdict(_ pairs: [(CaseResult, Double)], limit: Double, total: Int, unit: String = "") -> String {
        guard let worst = pairs.max(by: { $0.1 < $1.1 }) else { return "n/a (not measured)" }
        let held = pairs.filter { $0.1 <= limit }.count
        let missing = total - pairs.count
        let head = held == pairs.count ? "**holds**" : "**fails**"
        var text = "\(head): met on \(held)/\(pairs.count)"
        if missing > 0 { text += " (\(missing) not measured)" }
        text += "; worst \(ratio(worst.1))\(unit) at \(label(worst.0))"
        if worst.1 > limit { text += ", \(ratio(worst.1 / limit))× over the bound" }
        return text
    }

    private var agreement: String {
        var bad: [String] = []
        for r in results {
            for (pair, e) in r.agreement.sorted(by: { $0.key < $1.key }) where !(e <= 1e-5) {
                bad.append("\(r.block) \(label(r)): \(pair) \(String(format: "%.1e", Double(e)))")
            }
        }
        return bad.isEmpty
            ? "All tiers (tcc, gcc, gcc threaded, 4-pass CBAM) agree within 1e-5 of max|y| on every cell.\n"
            : "**Outputs disagree** (max|a − b| / max|b| > 1e-5):\n" + bad.map { "- \($0)" }.joined(separator: "\n")
                + "\n"
    }

    // MARK: formatting

    /// N×C×H×W, marked † where the fast tier ran the packed entry point.
    private func label(_ r: CaseResult) -> String { r.shape.map(String.init).joined(separator: "×") + (r.gccPacked == true ? " †" : "") }

    /// The legend of `label`'s mark, when a row has it.
    private var packedLine: String {
        guard results.contains(where: { $0.gccPacked == true }) else { return "" }
        return "\n- †: the fast tier (every gcc column) runs `<name>_forward_packed` on parameters packed once by `<name>_pack` "
            + "(GEMM weight rows laid out ahead) before any timing, as ONNX Runtime's session creation is outside its timing"
    }
    private func ms(_ s: Double) -> String { String(format: "%.2f", s * 1e3) }
    private func ms3(_ s: Double?) -> String {
        guard let s else { return "n/a" }
        return String(format: s * 1e3 < 1 ? "%.3f" : "%.2f", s * 1e3)
    }
    private func gbps(_ b: Double) -> String { String(format: "%.1f", b / 1e9) }
    private func us(_ s: Double?) -> String {
        guard let s else { return "n/a" }
        let v = s * 1e6
        return String(format: v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v)
    }
    private func ratio(_ v: Double?) -> String {
        guard let v else { return "n/a" }
        return String(format: v < 10 ? "%.2f" : "%.1f", v)
    }
}
