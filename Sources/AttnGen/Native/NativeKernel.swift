// The fast tier: the same C the JIT compiles, built by the system C compiler at -O3
// -march=native into a shared object (cached on disk), loaded with dlopen. Same ABI as `Kernel`.
// Where the C has packed entry points (GEMM weights laid out ahead), the kernel packs its
// parameters once when it is made and runs `<name>_forward_packed`: the same outputs, bit for bit.

import AttnCEmit
import AttnNative
import Foundation

/// A block compiled by the system C compiler. Thread-safe like `Kernel`: the C is reentrant.
public final class NativeKernel: ForwardKernel, @unchecked Sendable {
    /// The spec, program and C the kernel was compiled from.
    public let generated: Generated
    /// The flat parameter array passed to the C.
    public let params: [Float]
    /// The loaded object; `library.origin` says whether the compiler ran.
    package let library: NativeLibrary
    private let forward: ForwardFunction
    /// What `forward` reads as its parameters: `params`, or `<name>_pack`'s array made from them.
    private let weights: [Float]
    /// Whether calls run `<name>_forward_packed` on parameters packed when the kernel was made
    /// (the C has packed entry points and `packed` was not turned off).
    public let runsPacked: Bool

    /// The block's IR program.
    public var program: Program { generated.program }
    /// Floats in one input.
    public var inputCount: Int { program.input.count }
    /// Floats in one output.
    public var outputCount: Int { program.outputShape.count }
    /// Floats of scratch `run` needs (0: pass nil).
    public var scratchCount: Int { generated.source.scratchSize }

    /// Generates C for `spec` and compiles it with `compiler` (or loads it from the disk cache).
    /// `fusion: .opByOp` builds the unfused baseline benchmarks compare the product with.
    public convenience init(
        _ spec: BlockSpec, weights: WeightSource = .spec(baseDirectory: nil),
        compiler: NativeCompiler = NativeCompiler(),
        useCache: Bool = true, fusion: Fusion = .fused
    ) throws {
        let plan = try KernelPlan(spec, weights: weights, fusion: fusion)
        try self.init(generated: plan.generated, params: plan.params, compiler: compiler, useCache: useCache)
    }

    /// The native twin of a tcc `Kernel`: same code, same parameters.
    public convenience init(
        sameAs kernel: Kernel, compiler: NativeCompiler = NativeCompiler(), useCache: Bool = true, packed: Bool = true
    ) throws(NativeError) {
        try self.init(generated: kernel.generated, params: kernel.params, compiler: compiler, useCache: useCache, packed: packed)
    }

    /// Compiles `generated` (or loads it from the disk cache) to run with `params`. `packed`:
    /// where the C has packed entry points, pack `params` here and run on them.
    public init(
        generated: Generated, params: [Float], compiler: NativeCompiler = NativeCompiler(), useCache: Bool = true,
        packed: Bool = true
    ) throws(NativeError) {
        guard params.count == generated.program.paramCount else {
            throw NativeError(
                .wrongParameters, "params has \(params.count) floats, the program takes \(generated.program.paramCount)")
        }
        let files = Self.sourceFiles(generated)
        let library = try compiler.library(files: files.list, main: files.main, key: files.key, useCache: useCache)
        self.library = library
        let name = generated.program.name
        if packed, let size = files.packedSize {
            typealias PackFunction = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
            let pack = try library.function("\(name)_pack", as: PackFunction.self)
            forward = try library.function("\(name)_forward_packed", as: ForwardFunction.self)
            weights = [Float](unsafeUninitializedCapacity: size) { buffer, count in
                params.withUnsafeBufferPointer { p in pack(p.baseAddress, buffer.baseAddress) }
                count = size
            }
            runsPacked = true
        } else {
            forward = try library.function("\(name)_forward", as: ForwardFunction.self)
            weights = params
            runsPacked = false
        }
        self.generated = generated
        self.params = params
    }

    /// The file form, `<name>.h` and `<name>.c`, which includes `<math.h>` as any C compiler
    /// expects (the JIT's one-string form declares `expf` itself only to spare tcc the header).
    /// Without a baked weight table: kernels that differ only in weights then share one object
    /// (the cache key leaves the weights file out, as the tcc cache does), and gcc never parses
    /// thousands of float literals. When weights were imported, the file form has the table, so
    /// the spec is generated again without them — through the Pipeline, so every emit option the
    /// spec sets applies; should that fail (an option that needs the weights), the table stays.
    /// Never the JIT's target (a tcc `Kernel`'s own C), whose asm is tcc's: the portable file then.
    static func sourceFiles(_ generated: Generated) -> (
        list: [(name: String, contents: String)], main: String, key: String, packedSize: Int?
    ) {
        var key = generated.spec
        key.weights = nil
        key.weightsPrefix = nil
        var source = generated.source
        if generated.params != nil || source.target == .jit, let bare = try? Pipeline.generate(
                key, target: source.target == .jit ? .portable : source.target, fusion: source.fusion)
        {
            source = bare.source
        }
        if source.target == .jit {
            let options = EmitOptions(
                layout: generated.spec.layout ?? .nchw, libm: generated.spec.libm ?? true, target: .portable, fusion: source.fusion)
            do {
                source = try CEmitter.emit(generated.program, specText: generated.spec.canonicalJSON, weights: generated.params, options: options)
            } catch {
                preconditionFailure("the kernel's own weights do not fit its program: \(error)")
            }
        }
        return (source.files, "\(source.name).c", key.canonicalJSON, source.packedSize)
    }

    /// Runs without allocating: the caller owns `inputCount`, `outputCount` and `scratchCount`
    /// floats; a nil `scratch` when `scratchCount > 0` throws `KernelError.missingScratch`.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
    ) throws(KernelError) {
        try requireScratch(scratch)
        weights.withUnsafeBufferPointer { p in
            withExtendedLifetime(library) { forward(input, output, p.baseAddress, scratch) }
        }
    }

    /// Runs on one input; allocates the output and scratch.
    public func callAsFunction(_ input: [Float]) throws(KernelError) -> [Float] { try apply(input) }
}
