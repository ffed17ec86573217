// Host threading for N > 1: the samples of a batch are independent, so a kernel compiled for one
// sample (n = 1) runs on each sample's slice of input, output and scratch, spread over threads
// from Swift. The C stays single-threaded and reentrant; nothing in it changes.
//
// This splits N only. Splitting a large C within one sample needs the kernel in phases (pool a
// channel range, excite, scale a channel range), which the emitter does not produce yet.

import Dispatch
import Foundation

extension BlockSpec {
    /// The same block for one sample: what a batch-parallel kernel compiles.
    public var singleSample: BlockSpec {
        var spec = self
        spec.input.n = 1
        return spec
    }
}

extension ForwardKernel {
    /// Runs `samples` consecutive inputs of this kernel's shape on up to `threads` threads.
    /// `input`, `output` and `scratch` hold `samples` times `inputCount`, `outputCount` and
    /// `scratchCount` floats; sample i uses the i-th slice of each, so no two calls share memory.
    /// Negative `samples`, `threads` < 1 or a nil scratch the kernel needs throw `KernelError`.
    public func parallelRun(
        samples: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>?, threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(KernelError) {
        guard samples >= 0 else { throw KernelError.tooSmall(argument: "samples", given: samples, minimum: 0) }
        guard threads >= 1 else { throw KernelError.tooSmall(argument: "threads", given: threads, minimum: 1) }
        try requireScratch(scratch)
        let workers = min(samples, threads)
        if workers <= 1 {
            for s in 0..<samples { runSample(s, input: input, output: output, scratch: scratch) }
            return
        }
        // Pointers are not Sendable; each worker touches only its own samples' slices.
        nonisolated(unsafe) let (x, y, t) = (input, output, scratch)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Contiguous ranges: each worker streams through one stretch of memory.
            for s in samples * w / workers..<samples * (w + 1) / workers {
                runSample(s, input: x, output: y, scratch: t)
            }
        }
    }

    /// One sample's slice; the scratch was checked by `parallelRun`, so `run` cannot throw.
    private func runSample(
        _ s: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>?
    ) {
        try! run(
            input: input + s * inputCount, output: output + s * outputCount,
            scratch: scratch.map { $0 + s * scratchCount })
    }
}

/// A batch of `samples` run as independent single-sample calls on several threads; behaves as
/// one kernel of the whole batch.
public final class ParallelKernel: ForwardKernel, @unchecked Sendable {
    /// The single-sample kernel every thread calls.
    public let sample: any ForwardKernel
    /// Samples in one batch.
    public let samples: Int
    /// Threads a batch is split across.
    public let threads: Int

    /// Floats in one batch of inputs.
    public var inputCount: Int { samples * sample.inputCount }
    /// Floats in one batch of outputs.
    public var outputCount: Int { samples * sample.outputCount }
    /// Floats of scratch a batch needs: one sample's per sample.
    public var scratchCount: Int { samples * sample.scratchCount }

    /// `samples` and `threads` below 1 throw `KernelError.tooSmall`.
    public init(
        sample: any ForwardKernel, samples: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(KernelError) {
        guard samples >= 1 else { throw KernelError.tooSmall(argument: "samples", given: samples, minimum: 1) }
        guard threads >= 1 else { throw KernelError.tooSmall(argument: "threads", given: threads, minimum: 1) }
        self.sample = sample
        self.samples = samples
        self.threads = threads
    }

    /// `spec`'s batch, with the single-sample variant compiled by the native tier.
    public convenience init(
        native spec: BlockSpec, weights: WeightSource = .spec(baseDirectory: nil),
        compiler: NativeCompiler = NativeCompiler(),
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws {
        let kernel = try NativeKernel(spec.singleSample, weights: weights, compiler: compiler)
        try self.init(sample: kernel, samples: spec.input.n, threads: threads)
    }

    /// Runs the batch without allocating; the buffers hold the whole batch.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
    ) throws(KernelError) {
        try sample.parallelRun(samples: samples, input: input, output: output, scratch: scratch, threads: threads)
    }

    /// Runs on one input; allocates the output and scratch.
    public func callAsFunction(_ input: [Float]) throws(KernelError) -> [Float] { try apply(input) }
}
