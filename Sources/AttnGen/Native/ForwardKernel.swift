// What every tier offers a caller: fixed sizes and an allocation-free call over caller-owned
// buffers. `Kernel` (libtcc), `NativeKernel` (system compiler), `TieredKernel` (both) and
// `ParallelKernel` (samples over threads) all conform, so code that runs kernels takes any tier.

/// A compiled block behind the `ForwardFunction` ABI. Calls are reentrant: each brings its own
/// scratch, so one kernel may run on many threads at once.
public protocol ForwardKernel: AnyObject, Sendable {
    /// Floats of input one call reads.
    var inputCount: Int { get }
    /// Floats of output one call writes.
    var outputCount: Int { get }
    /// Floats of scratch one call uses; 0 means `run` takes a nil scratch.
    var scratchCount: Int { get }
    /// Runs without allocating: the caller owns `inputCount`, `outputCount` and `scratchCount`
    /// floats. `scratch` may be nil only when `scratchCount` is 0; a nil scratch for a kernel
    /// that needs one throws `KernelError.missingScratch` (the lengths behind the pointers
    /// cannot be checked: they are the caller's to get right).
    func run(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?
    ) throws(KernelError)
}

extension Kernel: ForwardKernel {}

extension ForwardKernel {
    /// Runs on one input of `inputCount` floats (another length throws
    /// `KernelError.wrongCount`); allocates the output and scratch.
    public func apply(_ input: [Float]) throws(KernelError) -> [Float] {
        try KernelError.check("input", given: input.count, expected: inputCount)
        var output = [Float](repeating: 0, count: max(outputCount, 1))
        var scratch = [Float](repeating: 0, count: max(scratchCount, 1))
        // A zero-length array may have no storage: pad to one float, so every pointer is real.
        let x = input.isEmpty ? [0] : input
        let result = x.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    Result { () throws(KernelError) in
                        try run(input: x.baseAddress!, output: y.baseAddress!, scratch: scratchCount > 0 ? s.baseAddress! : nil)
                    }
                }
            }
        }
        try result.get()
        return Array(output.prefix(outputCount))
    }

    /// The check every tier's `run` starts with.
    func requireScratch(_ scratch: UnsafeMutablePointer<Float>?) throws(KernelError) {
        guard scratch != nil || scratchCount == 0 else { throw KernelError.missingScratch(needed: scratchCount) }
    }
}
