// What every tier offers a caller: fixed sizes and an allocation-free call over caller-owned
// buffers. `Kernel` (libtcc), `NativeKernel` (system compiler), `TieredKernel` (both) and
// `ParallelKernel` (samples over threads) all conform, so code that runs kernels takes any tier.

/// A compiled block behind the `ForwardFunction` ABI. Calls are reentrant: each brings its own
/// scratch, so one kernel may run on many threads at once.
public protocol ForwardKernel: AnyObject, Sendable {
    /// Floats of input, output and scratch one call reads, writes and uses.
    var inputCount: Int { get }
    var outputCount: Int { get }
    var scratchCount: Int { get }
    /// Runs without allocating: the caller owns `inputCount`, `outputCount` and `scratchCount`
    /// floats (`scratch` may be nil when `scratchCount` is 0).
    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?)
}

extension Kernel: ForwardKernel {}

extension ForwardKernel {
    /// Runs on one input; allocates the output and scratch.
    public func apply(_ input: [Float]) -> [Float] {
        precondition(input.count == inputCount, "input has \(input.count) floats, the kernel takes \(inputCount)")
        var output = [Float](repeating: 0, count: outputCount)
        var scratch = [Float](repeating: 0, count: max(scratchCount, 1))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { s in
                    run(input: x.baseAddress!, output: y.baseAddress!, scratch: scratchCount > 0 ? s.baseAddress! : nil)
                }
            }
        }
        return output
    }
}
