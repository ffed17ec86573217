// `attn-bench --jit`: spec → callable through libtcc for every catalog kind (the `--catalog`
// cases) and the SE/ECA/CBAM grid examples at the issue's shapes, split into the pipeline's
// stages, without running any kernel: what a budget of milliseconds per block is spent on.

import AttnCEmit
import AttnGen
import AttnLower
import AttnPlan
import Foundation

enum JITStages {
    /// Median seconds of each stage over `jitRepeats` runs, on `--clock` (cpu: the thread's CPU
    /// time; libtcc compiles on the calling thread).
    struct Row {
        var lower: Double
        var plan: Double
        var emit: Double
        var generate: Double
        var tcc: Double
        var callable: Double
        var sourceBytes: Int
        /// `Kernel(spec)` as the first kernel of a fresh process (median over `firstCallRuns`
        /// child processes): what the medians above leave out, the one-time template work and
        /// the compile of the tcc helpers it calls.
        var firstCall: Double
    }

    /// Child processes per cell for the first-call column.
    static let firstCallRuns = 3

    /// Set in a child: the index of the cell whose first `Kernel(spec)` it times.
    private static let firstCallVariable = "ATTN_BENCH_JIT_FIRST_CALL"

    static func run(_ options: Options) -> Never {
        if let index = ProcessInfo.processInfo.environment[firstCallVariable].flatMap(Int.init) { firstCallChild(index, options) }
        var out = "## spec → callable through libtcc, by stage (`--jit`)\n\n"
        out += "`\((["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "))`; "
        out += "median of \(options.jitRepeats) runs per stage, \(options.clock == .cpu ? "the thread's CPU time" : "elapsed time"), "
        out += "load \(Machine.loadAverage()). lower: spec → IR (`Lowering.lower`); plan: fusion, order, storage (`Plan`); "
        out += "emit: IR + plan → C text (`CEmitter.emit`, which plans again); generate: `Pipeline.generate` as the JIT "
        out += "calls it (all of the above); tcc: libtcc compile of the JIT source; callable: `Kernel(spec)` end to end "
        out += "(random weights passed as values, no cache); "
        out += "first call: `Kernel(spec)` (random weights made in the call, no cache) as the first kernel of a fresh child process, "
        out += "median of \(firstCallRuns) processes: it also pays the one-time reading and parsing of the templates it uses "
        out += "and the compile of the tcc helpers it calls (each compiled once per process, on first use). "
        out += "C bytes: the text libtcc compiles per kernel (the helper library's helpers declared, not defined).\n\n"
        out += "| block | shape | lower | plan | emit | generate | tcc | **spec → callable** | first call | C bytes |\n"
        out += "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        do {
            for (index, (example, shape)) in try cells(options).enumerated() {
                var row = try measure(example.spec(at: shape), options)
                row.firstCall = Stopwatch.medianOf((0..<firstCallRuns).map { _ in firstCall(index, options) })
                progress("\(example.name) \(shape.label): \(ms(row.callable))")
                out += "| \(example.name) | \(shape.label) | \(ms(row.lower)) | \(ms(row.plan)) | \(ms(row.emit)) | "
                out += "\(ms(row.generate)) | \(ms(row.tcc)) | **\(ms(row.callable))** | \(ms(row.firstCall)) | \(row.sourceBytes) |\n"
            }
        } catch {
            fail("--jit: \(error)")
        }
        print(out, terminator: "")
        exit(0)
    }

    /// The catalog cases and the grid examples at the chosen shapes, filtered by `--blocks`.
    private static func cells(_ options: Options) throws -> [(Example, InputShape)] {
        var cells: [(Example, InputShape)] = try CatalogCases.load(root: options.root).map { ($0, $0.spec.input) }
        let shapes = options.shapes.isEmpty ? Shapes.all : options.shapes.map { Shapes.all[$0] }
        cells += try Example.load(root: options.root).flatMap { e in shapes.map { (e, $0) } }
        if !options.blocks.isEmpty {
            cells = cells.filter { options.blocks.contains($0.0.kind) || options.blocks.contains($0.0.name) }
        }
        return cells
    }

    /// Seconds of the first `Kernel(spec)` of cell `index`, timed by a child process (this binary,
    /// the same arguments).
    private static func firstCall(_ index: Int, _ options: Options) -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = Array(CommandLine.arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging([firstCallVariable: "\(index)"]) { _, b in b }
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { fail("--jit: cannot start the first-call child: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let seconds = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { fail("--jit: the first-call child for cell \(index) failed") }
        return seconds
    }

    /// In the child: time cell `index`'s `Kernel(spec)` before any other kernel work, print seconds.
    private static func firstCallChild(_ index: Int, _ options: Options) -> Never {
        do {
            let (example, shape) = try cells(options)[index]
            let spec = example.spec(at: shape)
            let start = options.clock.now()
            _ = try Kernel(spec, weights: .random(seed: 1), useCache: false)
            print(Double(options.clock.now() - start) / 1e9)
        } catch {
            fail("--jit first call: \(error)")
        }
        exit(0)
    }

    static func measure(_ spec: BlockSpec, _ options: Options) throws -> Row {
        let k = options.jitRepeats
        let clock = options.clock
        let params = try Kernel(spec, weights: .random(seed: 1)).params
        let kernel = try Kernel(spec, weights: .values(params), useCache: false)
        let lowered = try Lowering.lower(spec)
        let program = lowered.program
        let emitOptions = EmitOptions(layout: spec.layout ?? .nchw, libm: spec.libm ?? true, target: .jit)
        let lower = try Stopwatch.medianOfRuns(k, clock: clock) { _ = try Lowering.lower(spec) }
        let plan = Stopwatch.medianOfRuns(k, clock: clock) {
            _ = Plan(program, layout: emitOptions.layout, fusion: emitOptions.fusion)
        }
        let emit = try Stopwatch.medianOfRuns(k, clock: clock) {
            // As the JIT emits it: no spec text (`Pipeline.generate` passes none for `.jit`).
            _ = try CEmitter.emit(program, specText: "", options: emitOptions)
        }
        let generate = try Stopwatch.medianOfRuns(k, clock: clock) {
            _ = try Pipeline.generate(spec, target: .jit, weightTable: false)
        }
        // What `Kernel` hands libtcc: the kernel's text with the library's helpers declared (the
        // self-contained `jitSource`, ten times longer for CBAM, is only its fallback).
        let source = kernel.generated.source.jitLibraryHelpers.isEmpty ? kernel.generated.source.jitSource : kernel.generated.source.jitKernel
        // As `Kernel` compiles it: the kernel's text linked to the process's helper modules (made once).
        let tcc = try Stopwatch.medianOfRuns(k, clock: clock) { _ = try KernelModule.compileKernel(kernel.generated.source) }
        let callable = try Stopwatch.medianOfRuns(k, clock: clock) {
            _ = try Kernel(spec, weights: .values(params), useCache: false)
        }
        return Row(
            lower: lower, plan: plan, emit: emit, generate: generate, tcc: tcc,
            callable: callable, sourceBytes: source.utf8.count, firstCall: 0)
    }

    private static func ms(_ s: Double) -> String { String(format: "%.2f", s * 1e3) }
}
