// One cell of the table: a block at a shape, through every tier, plus the memory limit.

import AttnGen
import AttnNative
import Foundation

/// Everything measured for one block at one shape. Times in seconds, bandwidth in bytes/s.
struct CaseResult: Codable {
    var block: String
    var kind: String
    var hasTargets: Bool
    var shape: [Int]
    /// Spec → callable through libtcc (generate C + compile + look up), median of fresh compiles.
    var jit: Double
    /// Of which the Swift side, spec → C text (`Pipeline.generate`: lower, schedule, emit).
    var jitGenerate: Double
    /// Of which libtcc alone (`KernelModule.compile`, as `Kernel` calls it).
    var jitTCC: Double
    /// Spec → callable through the system compiler, cache bypassed (one compile).
    var nativeBuild: Double
    var tcc: Double
    /// The fast tier at the run's first level (`-march=native` unless `--cflags` or `--levels`).
    var gcc: Double
    /// The fast tier at every level of the run, the first one's time equal to `gcc`.
    var levels: [LevelTime]
    /// gcc tier split over samples on `threads` threads (N > 1 only).
    var gccParallel: Double?
    var threads: Int
    /// The unfused CBAM baseline (CBAM only).
    var fourPass: Double?
    /// Tensor traffic of the memory limit: 2 reads + 1 write of N·C·H·W floats, plus parameters.
    var limitBytes: Double
    /// Bytes of input, output and parameters: what the same-size triad streams over.
    var workingSet: Int
    /// Triad bandwidth over the block's own working set, and in DRAM.
    var bandwidthSameSize: Double
    var bandwidthDRAM: Double
    var ort: Double?
    var torch: Double?
    var peerError: String?
    /// max|a − b| / max|b| between tiers (and the 4-pass) on the same input: all must agree.
    var agreement: [String: Float]
    /// Floating-point operations of the block (the IR's cost model), all samples.
    var flops: Int
    /// Of which the ones the block cannot avoid (`Program.usefulFlops`): the compute floor's numerator.
    var usefulFlops: Int = 0
    /// The fast tier at every level timed in alternation with the same-size triad (`Interleaved`).
    var paired: [PairedTimes] = []
    /// Bytes one call of that triad moves (STREAM's count): its bandwidth is this ÷ `PairedTimes.triad`.
    var pairedTriadBytes: Int = 0
    /// Whether the fast tier ran `<name>_forward_packed`, on parameters packed once before the
    /// timing (`NativeKernel.runsPacked`); nil in results written before it existed.
    var gccPacked: Bool?

    var limitSameSize: Double { limitBytes / bandwidthSameSize }
    /// The memory limit at the bandwidth of the triad measured beside the kernel in `p`.
    func pairedLimit(_ p: PairedTimes) -> Double { limitBytes * p.triad / Double(pairedTriadBytes) }
    var limitDRAM: Double { limitBytes / bandwidthDRAM }
    var n: Int { shape[0] }
}

/// The fast tier's time at one `-march` level.
struct LevelTime: Codable {
    var level: String
    var seconds: Double
}

/// One build of the fast tier: its label (the `-march` level, or the `--cflags` text) and compiler.
struct FastTier {
    let label: String
    let compiler: NativeCompiler
}

struct Bench {
    let options: Options
    /// The fast tier's builds, the first one the `gcc` column.
    let tiers: [FastTier]
    var compiler: NativeCompiler { tiers[0].compiler }
    let triad: Triad
    let bandwidthDRAM: Double

    func measure(_ example: Example, _ shape: InputShape, peers: PeerResults) throws -> CaseResult {
        let spec = example.spec(at: shape)
        let seconds = options.seconds

        // Parameters made once and passed by value, so the JIT time is spec → callable only.
        let params = try Kernel(spec, weights: .random(seed: 1)).params
        let tcc = try Kernel(spec, weights: .values(params), useCache: false)
        let program = tcc.program
        let jit = try Stopwatch.medianOfRuns(options.jitRepeats) {
            _ = try Kernel(spec, weights: .values(params), useCache: false)
        }
        let jitGenerate = try Stopwatch.medianOfRuns(options.jitRepeats) { _ = try Pipeline.generate(spec) }
        let jitTCC = try Stopwatch.medianOfRuns(options.jitRepeats) {
            _ = try KernelModule.compileKernel(tcc.generated.source)
        }

        // Where the C has packed entry points, the kernel packs its parameters once here, outside
        // every timing (as ONNX Runtime's session creation is), and runs `<name>_forward_packed`.
        var native: NativeKernel!
        let nativeBuild = try Stopwatch.medianOfRuns(1) {
            native = try NativeKernel(sameAs: tcc, compiler: compiler, useCache: false)
        }

        let input = FloatBuffer(program.randomInput(seed: 2))
        defer { input.free() }

        // Traffic the block cannot avoid, and the triad over the same working set (x, y and the
        // parameters: CBAM's and SE's MLP weights at C = 2048 are 2 MB, more than the tensors).
        let tensorBytes = Double(shape.count * 4)
        let paramBytes = Double(program.paramCount * 4)
        let limitBytes = 3 * tensorBytes + paramBytes
        let workingSet = Int(2 * tensorBytes + paramBytes)
        var triadBytes = 0
        var paired: [PairedTimes] = []

        var outputs: [String: [Float]] = [:]
        /// Median seconds per call of each of `kernels`, each on its own output and scratch, timed
        /// in alternation (`Stopwatch.medians`); `pairedAs`: the last one is also timed beside the
        /// same-size triad.
        func time(_ kernels: [(label: String, kernel: any ForwardKernel)], pairedAs level: String? = nil) throws -> [Double] {
            let buffers = kernels.map { (output: FloatBuffer(count: $0.kernel.outputCount), scratch: FloatBuffer(count: $0.kernel.scratchCount)) }
            defer {
                for b in buffers {
                    b.output.free()
                    b.scratch.free()
                }
            }
            // One checked call each first; the buffers are then known to fit, so the timed calls cannot throw.
            for (k, b) in zip(kernels, buffers) {
                try k.kernel.run(input: input.pointer, output: b.output.pointer, scratch: b.scratch.orNil)
            }
            let times = Stopwatch.medians(seconds: seconds, clock: options.clock, zip(kernels, buffers).map { k, b in
                { try! k.kernel.run(input: input.pointer, output: b.output.pointer, scratch: b.scratch.orNil) }
            })
            for (k, b) in zip(kernels, buffers) { outputs[k.label] = b.output.array }
            if let level, let kernel = kernels.last?.kernel {
                // Fresh output, scratch and triad arrays for each share of the time: how the
                // buffers land in physical memory (cache sets) moved one allocation's minimum by a
                // third for a whole run; the least disturbed of three is kept.
                var shares: [PairedTimes] = []
                for _ in 0..<Interleaved.allocations {
                    let (y, s) = (FloatBuffer(count: kernel.outputCount), FloatBuffer(count: kernel.scratchCount))
                    let arrays = Triad.Arrays(triad, totalBytes: workingSet)
                    defer { [y, s].forEach { $0.free() }; arrays.free() }
                    triadBytes = arrays.bytes
                    shares.append(
                        Interleaved.measure(
                            level: level, seconds: options.pairedSeconds / Double(Interleaved.allocations),
                            clock: options.clock,
                            kernel: { try! kernel.run(input: input.pointer, output: y.pointer, scratch: s.orNil) },
                            triad: arrays.run))
                }
                paired.append(PairedTimes.best(of: shares))
            }
            return times
        }
        func time(_ label: String, _ kernel: any ForwardKernel, pairedAs level: String? = nil) throws -> Double {
            try time([(label, kernel)], pairedAs: level)[0]
        }
        // The interleaved pairs: N = 1 only (the memory-limit target), not in --catalog runs.
        let pair = shape.n == 1 && !options.catalog && options.pairedSeconds > 0
        // tcc and gcc in alternation, so that tcc ÷ gcc compares the same stretch of time: a
        // shared machine has slow spells, often longer than a cell, that slow every kernel (tcc's
        // code the most). Timed one after the other, a spell over one of the two cells alone made
        // a block's ratio swing either way from one process to the next.
        let first = try time([("tcc", tcc), ("gcc", native)], pairedAs: pair ? tiers[0].label : nil)
        let (tccTime, gccTime) = (first[0], first[1])
        var levels = [LevelTime(level: tiers[0].label, seconds: gccTime)]
        for tier in tiers.dropFirst() {
            let kernel = try NativeKernel(sameAs: tcc, compiler: tier.compiler, useCache: false)
            levels.append(LevelTime(level: tier.label, seconds: try time("gcc \(tier.label)", kernel, pairedAs: pair ? tier.label : nil)))
        }

        var parallel: Double?
        let threads = ProcessInfo.processInfo.activeProcessorCount
        // The threaded column is elapsed time by nature: one thread's CPU time would undercount it.
        if shape.n > 1 && options.clock == .wall {
            let sample = try NativeKernel(spec.singleSample, weights: .values(params), compiler: compiler)
            parallel = try time("gcc parallel", ParallelKernel(sample: sample, samples: shape.n, threads: threads))
        }

        var fourPass: Double?
        if example.kind == "cbam" {
            fourPass = try time("4-pass", try FourPassKernel(program: program, params: params, compiler: compiler))
        }

        let sameSize = triad.bandwidth(totalBytes: workingSet, seconds: seconds, clock: options.clock)

        let reference = outputs["gcc"]!
        var agreement: [String: Float] = [:]
        for (label, y) in outputs where label != "gcc" {
            agreement["\(label) vs gcc"] = try Comparison(y, reference: reference).maxRelError
        }

        let peer = peers.byID[Peers.jobID(example, shape)]
        return CaseResult(
            block: example.name, kind: example.kind, hasTargets: example.hasTargets,
            shape: [shape.n, shape.c, shape.h, shape.w],
            jit: jit, jitGenerate: jitGenerate, jitTCC: jitTCC, nativeBuild: nativeBuild, tcc: tccTime, gcc: gccTime,
            levels: levels,
            gccParallel: parallel,
            threads: threads, fourPass: fourPass, limitBytes: limitBytes, workingSet: workingSet,
            bandwidthSameSize: sameSize,
            bandwidthDRAM: bandwidthDRAM, ort: peer?.ort, torch: peer?.torch,
            peerError: peer?.error ?? peers.unavailable,
            agreement: agreement, flops: program.flops, usefulFlops: program.usefulFlops, paired: paired, pairedTriadBytes: triadBytes,
            gccPacked: native.runsPacked)
    }
}

/// The 4-pass CBAM behind the same interface as the generated kernels.
final class FourPassKernel: ForwardKernel, @unchecked Sendable {
    private let library: NativeLibrary
    private let forward: ForwardFunction
    private let params: [Float]
    let inputCount: Int
    let outputCount: Int
    let scratchCount: Int

    init(program: Program, params: [Float], compiler: NativeCompiler) throws {
        let s = program.input
        library = try compiler.library(
            files: [("cbam4.c", FourPassCBAM.source(for: program))], main: "cbam4.c", key: "cbam 4-pass")
        forward = try library.function("cbam4_forward", as: ForwardFunction.self)
        self.params = params
        inputCount = s.count
        outputCount = s.count
        let rd = program.params.first { $0.name == "channel.fc1.weight" }!.dims[0]
        scratchCount = FourPassCBAM.scratchCount(s, rd: rd)
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?) {
        params.withUnsafeBufferPointer { p in
            withExtendedLifetime(library) { forward(input, output, p.baseAddress, scratch) }
        }
    }
}
