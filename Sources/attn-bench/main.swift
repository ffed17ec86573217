// attn-bench: every Generated/ example at the shapes, through the libtcc tier, the gcc
// tier, the memory limit and the Python peers, in one run. See BENCHMARKS.md for a result.
//
//   swift run -c release attn-bench [--quick] [--json out.json] > BENCHMARKS.table.md

import AttnGen
import Foundation

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
if options.mcu, let folder = options.tflite { MCUInt8.run(options, folder: folder) }
if options.mcu { MCUBench.run(options) }
if options.aarch64 { AArch64Bench.run(options) }
if !options.networks.isEmpty { NetworkBench.run(options) }
if options.jitStages { JITStages.run(options) }
#if DEBUG
    progress("attn-bench: a debug build; the kernels' times are fine, the JIT's are not. Use -c release.")
#endif

var compiler = NativeCompiler()
if let flags = options.cflags { compiler.flags = flags }
// The fast tier's builds: --cflags alone, else native and each fixed level this CPU executes.
let runnable = ISALevel.runnable()
let tiers: [FastTier]
var skippedLevels: [String] = []
if options.cflags != nil {
    tiers = [FastTier(label: compiler.flags.joined(separator: " "), compiler: compiler)]
} else {
    let levels = options.levels.map { $0.map(ISALevel.init(march:)) } ?? runnable.levels
    tiers = levels.map { FastTier(label: $0.march, compiler: compiler.at($0)) }
    compiler = tiers[0].compiler
    if options.levels == nil { skippedLevels = runnable.skipped.map { "\($0.level) (\($0.reason))" } }
}
let loadBefore = Machine.loadAverage()
do {
    var examples = try options.catalog ? CatalogCases.load(root: options.root) : Example.load(root: options.root)
    if !options.blocks.isEmpty {
        examples = examples.filter { options.blocks.contains($0.kind) || options.blocks.contains($0.name) }
    }
    let shapes = options.shapes.isEmpty ? Shapes.all : options.shapes.map { Shapes.all[$0] }
    // The catalog run measures each block at its own shape.
    let cells = try examples.flatMap { e in
        try (options.catalog ? [e.spec.input] : shapes).map { s in (e, s, try Pipeline.generate(e.spec(at: s)).program) }
    }

    // Peers first, in their own process, so nothing else competes for the cores meanwhile.
    progress("peers: \(cells.count) blocks in PyTorch and ONNX Runtime")
    let peers = Peers.measure(cells, options: options)
    if let why = peers.unavailable { progress("peers: \(why)") }

    let triad = try Triad(compiler: compiler)
    let cache = triad.bandwidth(totalBytes: 1 << 20, seconds: options.seconds, clock: options.clock)
    let dram = triad.bandwidth(totalBytes: 3 * 64 << 20, seconds: options.seconds, clock: options.clock)
    progress(String(format: "triad: %.1f GB/s over 1 MB, %.1f GB/s over 192 MB", cache / 1e9, dram / 1e9))

    // Each level's multiply-add peak, measured in this run beside the kernels.
    // Before and after the kernels; the higher of the two (the one less disturbed by other work).
    let peakLoops = try tiers.map { try Peak(compiler: $0.compiler) }
    var peakFlops = peakLoops.map { $0.flops(seconds: options.seconds, clock: options.clock) }
    for (tier, flops) in zip(tiers, peakFlops) {
        progress(String(format: "peak at %@: %.1f GFLOP/s", tier.label, flops / 1e9))
    }

    let bench = Bench(options: options, tiers: tiers, triad: triad, bandwidthDRAM: dram)
    var results: [CaseResult] = []
    for (example, shape, _) in cells {
        progress("\(example.name) \(shape.label)")
        results.append(try bench.measure(example, shape, peers: peers))
    }

    peakFlops = zip(peakFlops, peakLoops).map { max($0, $1.flops(seconds: options.seconds, clock: options.clock)) }
    let peaks = zip(tiers, zip(peakFlops, peakLoops)).map { LevelPeak(level: $0.label, flops: $1.0, lanes: $1.1.lanes) }

    let report = Report(
        command: (["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
        machine: Machine.current(compiler: compiler, load: (loadBefore, Machine.loadAverage()), root: options.root),
        peers: peers.versions, peersUnavailable: peers.unavailable,
        secondsPerMeasurement: options.seconds, jitRepeats: options.jitRepeats, bandwidthCache: cache,
        bandwidthDRAM: dram,
        results: results, catalog: options.catalog, peaks: peaks, skippedLevels: skippedLevels, clock: options.clock)
    print(report.markdown, terminator: "")
    if let path = options.jsonPath {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: path))
    }
} catch {
    fail("\(error)")
}
