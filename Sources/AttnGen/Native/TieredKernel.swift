// Serve at once, get fast later: libtcc compiles a spec in about a millisecond, gcc -O3 in about a
// hundred. A tiered kernel answers calls with the tcc code from the start and swaps in the
// native object as soon as a background compile (or the disk cache) delivers it.

import Dispatch
import Synchronization

/// A block served by libtcc until the system compiler's object is ready, then by that object.
public final class TieredKernel: ForwardKernel, @unchecked Sendable {
    /// Which compiler's code serves calls.
    public enum Tier: Equatable, Sendable {
        /// The libtcc kernel, available at once.
        case tcc
        /// The system compiler's object, after the background compile.
        case native
    }

    /// The libtcc kernel, which serves until the swap. Kept for the kernel's whole life: a call
    /// that chose it just before the swap may still be running its code.
    public let tcc: Kernel
    /// The background compile's outcome; once set, never replaced, so the object it holds (and
    /// the code `nativeForward` points into) lives as long as this kernel.
    private let native = Mutex<Result<NativeKernel, NativeError>?>(nil)
    /// The native `<name>_forward` as a bit pattern (function pointers are not atomics), 0 until
    /// the swap. An atomic rather than the mutex: every call reads it, from any number of threads.
    private let nativeForward = Atomic<UInt>(0)
    private let ready = DispatchGroup()

    /// Floats in one input.
    public var inputCount: Int { tcc.inputCount }
    /// Floats in one output.
    public var outputCount: Int { tcc.outputCount }
    /// Floats of scratch `run` needs (0: pass nil).
    public var scratchCount: Int { tcc.scratchCount }
    /// The block's IR program.
    public var program: Program { tcc.program }

    /// Compiles `spec` with libtcc now and starts the native compile in the background.
    public init(
        _ spec: BlockSpec, weights: WeightSource = .spec(baseDirectory: nil),
        compiler: NativeCompiler = NativeCompiler()
    ) throws {
        tcc = try Kernel(spec, weights: weights)
        let (generated, params, group) = (tcc.generated, tcc.params, ready)
        group.enter()
        // Weak: dropping the kernel need not wait for gcc; the group is held strongly so that
        // enter and leave always pair.
        DispatchQueue.global(qos: .utility).async { [weak self] in
            let result = Result { () throws(NativeError) in
                try NativeKernel(generated: generated, params: params, compiler: compiler)
            }
            self?.install(result)
            group.leave()
        }
    }

    /// Which code the next call runs.
    public var tier: Tier { nativeForward.load(ordering: .acquiring) == 0 ? .tcc : .native }

    /// Waits for the background compile; returns the tier that serves from now on. A compile
    /// failure leaves the tcc tier serving and is reported here.
    @discardableResult
    public func waitForNative() throws(NativeError) -> Tier {
        ready.wait()
        switch native.withLock({ $0 }) {
        case .success: return .native
        case .failure(let error): throw error
        case nil: return .tcc
        }
    }

    private func install(_ result: Result<NativeKernel, NativeError>) {
        native.withLock { $0 = result }
        if case .success(let kernel) = result, let function = try? kernel.library.symbol("\(program.name)_forward") {
            // Releasing: a call that sees the pointer also sees the loaded library behind it.
            nativeForward.store(UInt(bitPattern: function), ordering: .releasing)
        }
    }

    /// Runs without allocating, on whichever tier is installed.
    public func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
    ) throws(KernelError) {
        try requireScratch(scratch)
        guard let address = UnsafeRawPointer(bitPattern: nativeForward.load(ordering: .acquiring)) else {
            return try tcc.run(input: input, output: output, scratch: scratch)
        }
        let forward = unsafeBitCast(address, to: ForwardFunction.self)
        // The native object was compiled from the tcc kernel's own code and parameters.
        tcc.params.withUnsafeBufferPointer { p in forward(input, output, p.baseAddress, scratch) }
    }

    /// Runs on one input; allocates the output and scratch.
    public func callAsFunction(_ input: [Float]) throws(KernelError) -> [Float] { try apply(input) }
}
