// The generated C against PyTorch itself: each block run, by the JIT and by the system
// compiler's tier, on the input PyTorch's forward hook saw, and compared with the output it
// gave (`attn-gen-torch export` writes the pairs to golden/<name>.safetensors). `verify`
// without `--against` only compares the C with attn-gen's own interpreter, so a spec that
// misreads the model passes it; this does not.

import AttnWeights
import Foundation

/// One block checked against its PyTorch golden pair.
public struct GoldenResult: Sendable, CustomStringConvertible {
    /// The block's name in the spec (its golden file is `<name>.safetensors`).
    public let name: String
    /// The block's output shape.
    public let shape: Shape
    /// The libtcc kernel's output against PyTorch's.
    public let jit: Comparison
    /// The system compiler's kernel (gcc -O3) against PyTorch's.
    public let native: Comparison
    /// The largest error relative to max|y| that passes: 1e-5, or 1e-4 for attention-style kinds.
    public let tolerance: Float

    /// Both tiers within the tolerance.
    public var passed: Bool { jit.within(tolerance) && native.within(tolerance) }

    /// One line: `ok` or `FAIL`, the block, its shape, both tiers' errors and the tolerance; a
    /// failing tier also shows its worst element.
    public var description: String {
        let e = { (v: Float) in String(format: "%.2e", Double(v)) }
        let tier = { (label: String, c: Comparison) in
            c.within(self.tolerance) ? "\(label) max rel err \(e(c.maxRelError)) (abs \(e(c.maxAbsError)))" : "\(label) \(c)"
        }
        return "\(passed ? "ok  " : "FAIL") \(name) \(shape) vs PyTorch: \(tier("jit", jit)), \(tier("gcc", native)) "
            + "[tolerance \(String(format: "%.0e", Double(tolerance)))]"
    }
}

/// Runs blocks on PyTorch's golden inputs.
public enum GoldenCheck {
    /// The largest allowed max|y − y_torch| / max|y_torch| for a kind: 1e-5 for the
    /// squeeze-style kinds (SE, ECA, CBAM: the contract for imported weights) and the zoo kinds
    /// whose reference fixtures hold 1e-5 (ESE, CECA, GC, GE, coord, scoord, LCBAM, Split
    /// Attention), 1e-4 for the rest, whose softmaxes over many positions and long sums run in
    /// other orders than PyTorch's (the fixtures hold the same two figures).
    public static func tolerance(kind: String?) -> Float {
        guard let kind else { return 1e-4 }
        return tightKinds.contains(kind) ? 1e-5 : 1e-4
    }

    static let tightKinds: Set<String> = ["se", "eca", "cbam", "ese", "ceca", "gc", "ge", "coord", "scoord", "lcbam", "splat", "srm", "strip", "ela"]

    /// The golden file of a block: `<dir>/<name>.safetensors`.
    public static func goldenPath(_ directory: URL, name: String) -> URL {
        directory.appendingPathComponent("\(name).safetensors")
    }

    /// Checks `spec` (with its own weights, relative to `baseDirectory`) against the pair in
    /// `directory`. A missing file, a file without `input`/`output`, or tensors whose shapes are
    /// not the block's input and output shapes are a SpecError naming the file and both shapes.
    public static func run(
        _ spec: BlockSpec, golden directory: URL, baseDirectory: URL?, compiler: NativeCompiler = NativeCompiler()
    ) throws -> GoldenResult {
        let kernel = try Kernel(spec, weights: .spec(baseDirectory: baseDirectory))
        let program = kernel.program
        let url = goldenPath(directory, name: program.name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SpecError(
                "name",
                "block \"\(program.name)\" has no golden pair: \(url.path) does not exist (attn-gen-torch export writes "
                    + "golden/<name>.safetensors for each block it exports)")
        }
        let input: [Float], expected: [Float]
        do {
            let file = try SafeTensorsFile.load(path: url.path)
            try checkShape(file, "input", program.input, url)
            try checkShape(file, "output", program.outputShape, url)
            input = try file.floats("input")
            expected = try file.floats("output")
        } catch let error as WeightsError {
            throw SpecError("name", "golden pair of block \"\(program.name)\": \(error)")
        }
        let layout = kernel.layout
        let x = try layout.fromNCHW(input, program.input)
        let jit = try Comparison(try layout.toNCHW(try kernel(x), program.outputShape), reference: expected)
        let native = try NativeKernel(sameAs: kernel, compiler: compiler)
        let gcc = try Comparison(try layout.toNCHW(try native(x), program.outputShape), reference: expected)
        return GoldenResult(
            name: program.name, shape: program.input, jit: jit, native: gcc, tolerance: tolerance(kind: spec.kind))
    }

    private static func checkShape(_ file: SafeTensorsFile, _ tensor: String, _ shape: Shape, _ url: URL) throws {
        guard let entry = file.tensors[tensor] else {
            throw SpecError(
                "name", "\(url.path) has no tensor \"\(tensor)\" (it holds \(file.names().joined(separator: ", ")))")
        }
        guard entry.shape == shape.dims else {
            throw SpecError(
                "name",
                "\(url.path): \"\(tensor)\" has shape \(entry.shape) but the block's \(tensor) is \(shape); "
                    + "the golden pair was made for another shape (export again, or fix the spec's input)")
        }
    }
}
