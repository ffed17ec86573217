// The harness: JIT-compiled C against the interpreter on seeded random data, with an explicit
// tolerance. `attn-gen verify` and the tests both use it.

import AttnInterp
import AttnLower
import Foundation

/// Result of checking one block.
public struct CheckResult: Sendable, CustomStringConvertible {
    /// The block's name.
    public let name: String
    /// The input shape the kernel was checked on.
    public let shape: Shape
    /// The kernel's output against the interpreter's.
    public let comparison: Comparison
    /// The largest relative error that passes.
    public let tolerance: Float

    /// Whether the comparison is within `tolerance`.
    public var passed: Bool { comparison.within(tolerance) }

    /// One line: `ok` or `FAIL`, the block, its shape, the errors and the tolerance.
    public var description: String {
        "\(passed ? "ok  " : "FAIL") \(name) \(shape): \(comparison) [tolerance \(String(format: "%.0e", Double(tolerance)))]"
    }
}

/// Runs a compiled kernel and the reference interpreter on the same input and compares them.
public enum CrossCheck {
    /// Largest allowed max|y - ref| / max|ref|. The reference accumulates in Double, the C in
    /// float; 1e-5 leaves room for float sums over 10⁴ elements while catching any wrong index.
    public static let tolerance: Float = 1e-5

    /// Checks `spec` with random weights, or with its own `weights` file when `useSpecWeights`:
    /// then a block with parameters and no file is an error, never a silent switch to random.
    /// `maxCost` caps the interpreter's work (`Program.interpreterCost`): past it the block is
    /// refused before anything runs.
    public static func run(
        _ spec: BlockSpec, seed: UInt64 = 1, baseDirectory: URL? = nil, useSpecWeights: Bool = false,
        maxCost: Int? = nil, files: WeightsFileCache = WeightsFileCache()
    ) throws -> CheckResult {
        if let maxCost {
            let cost = try Lowering.lower(spec).program.interpreterCost
            guard cost <= maxCost else {
                throw SpecError(
                    "", "checking the block runs \(cost) interpreter operations (FLOPs plus elements), over --max-cost "
                        + "\(maxCost); raise --max-cost to check it anyway")
            }
        }
        var weights: WeightSource = useSpecWeights ? .spec(baseDirectory: baseDirectory) : .random(seed: seed)
        if useSpecWeights, let path = spec.weights {
            // Through the run's cache: blocks naming one file share it.
            weights = .file(try files.file(at: Pipeline.weightsPath(path, baseDirectory: baseDirectory)))
        }
        let kernel = try Kernel(spec, weights: weights)
        let input = kernel.program.randomInput(seed: seed &+ 1)
        return try check(kernel, input: input)
    }

    /// Compares a kernel's output on `input` with the interpreter's.
    public static func check(_ kernel: Kernel, input: [Float]) throws(KernelError) -> CheckResult {
        let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
        // The interpreter is NCHW; an NHWC kernel gets its input reordered and its output back.
        let layout = kernel.layout
        let output = try layout.toNCHW(try kernel(try layout.fromNCHW(input, kernel.program.input)), kernel.program.outputShape)
        return CheckResult(
            name: kernel.program.name, shape: kernel.program.input, comparison: try Comparison(output, reference: reference),
            tolerance: tolerance)
    }
}
