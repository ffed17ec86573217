// JIT inference from Swift: a spec compiled in memory by libtcc, callable on [Float] or on
// caller-owned buffers without allocation.

import AttnCEmit
import AttnJIT
import Foundation

/// The C ABI of every generated kernel.
public typealias ForwardFunction = @convention(c) (
    UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?
) -> Void

/// Where a kernel's parameters come from.
public enum WeightSource: Sendable {
    /// The spec's own `weights` file (relative to `baseDirectory`); an error if it names none
    /// and the block has parameters.
    case spec(baseDirectory: URL?)
    /// A weights file, safetensors or `torch.save` (replacing the spec's `weights`), optionally
    /// with a prefix selecting the block's tensors: it fills a spec without `weightsPrefix`, and a
    /// spec whose own prefix differs is an error, as `--weights-prefix` on the command line. The
    /// file is opened for this kernel alone; to share one among kernels, use `.file`.
    case safetensors(path: String, prefix: String? = nil)
    /// A weights file opened once with `WeightsFile(path:)` and shared by every kernel given it,
    /// with a prefix as for `.safetensors`.
    case file(WeightsFile, prefix: String? = nil)
    /// Seeded random parameters (for checking and benchmarks).
    case random(seed: UInt64)
    /// A flat parameter array in the header's documented order.
    case values([Float])
}

/// A compiled block. Thread-safe: the C is reentrant and each call brings its own scratch.
public final class Kernel: @unchecked Sendable {
    /// The spec, program and C the kernel was compiled from.
    public let generated: Generated
    /// The flat parameter array passed to the C.
    public let params: [Float]
    private let module: TCCModule
    private let forward: ForwardFunction

    /// The block's IR program.
    public var program: Program { generated.program }
    /// Floats in one input.
    public var inputCount: Int { program.input.count }
    /// Floats in one output.
    public var outputCount: Int { program.outputShape.count }
    /// Floats of scratch `run` needs (0: pass nil).
    public var scratchCount: Int { generated.source.scratchSize }
    /// Memory order of `callAsFunction`'s and `run`'s input and output.
    public var layout: TensorLayout { generated.spec.layout ?? .nchw }

    /// Generates C for `spec` and compiles it with libtcc (once per spec per process).
    public convenience init(_ spec: BlockSpec, weights: WeightSource = .spec(baseDirectory: nil), useCache: Bool = true) throws {
        try self.init(spec, weights: weights, useCache: useCache, tccISA: nil)
    }

    /// As above, with the tcc micro-kernels' SSE (1) or AVX2/FMA (2) forms forced instead of
    /// chosen by the CPU (`ATTN_TCC_ISA`), so the tests run both on one machine; never cached.
    package convenience init(_ spec: BlockSpec, weights: WeightSource, useCache: Bool = true, tccISA: Int?) throws {
        try self.init(spec, weights: weights) { source, key throws(JITError) in
            try useCache && tccISA == nil
                ? KernelCache.shared.module(key: key.canonicalJSON, source: source)
                : KernelModule.compileKernel(source, tccISA: tccISA)
        }
    }

    /// As above, linked to the helpers of `helpers` instead of the process's (a test of their
    /// cache); never cached.
    package convenience init(_ spec: BlockSpec, weights: WeightSource, helpers: TCCHelperModules) throws {
        try self.init(spec, weights: weights) { source, _ throws(JITError) in try KernelModule.compileKernel(source, helpers: helpers) }
    }

    private init(
        _ spec: BlockSpec, weights: WeightSource, compile: (CSource, _ cacheKey: BlockSpec) throws(JITError) -> TCCModule
    ) throws {
        let plan = try KernelPlan(spec, weights: weights, target: .jit)
        let generated = plan.generated
        let program = generated.program
        params = plan.params
        self.generated = generated
        var key = generated.spec
        key.weights = nil
        key.weightsPrefix = nil
        module = try compile(generated.source, key)
        forward = try module.function("\(program.name)_forward", as: ForwardFunction.self)
    }

    /// Runs on one input (`inputCount` floats, or `KernelError.wrongCount`); allocates the
    /// output and scratch.
    public func callAsFunction(_ input: [Float]) throws(KernelError) -> [Float] { try apply(input) }

    /// Runs without allocating: the caller owns `inputCount`, `outputCount` and `scratchCount`
    /// floats; a nil `scratch` when `scratchCount > 0` throws `KernelError.missingScratch`.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
    ) throws(KernelError) {
        try requireScratch(scratch)
        params.withUnsafeBufferPointer { p in
            withExtendedLifetime(module) { forward(input, output, p.baseAddress, scratch) }
        }
    }
}
