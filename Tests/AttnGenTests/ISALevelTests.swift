// The fast tier built at each fixed ISA level this machine executes (x86-64-v2 SSE4.2, v3 AVX2,
// v4 AVX-512), not only at -march=native: the host code picks its vector width and register
// tiles by level (4, 8 or 16 lanes), so each level compiles a different kernel. Every catalog
// kind's grid cases, every op graph, and products whose sizes leave every kind of tile edge
// (rows, columns, and k tails under each vector width) are checked against the interpreter.

import AttnInterp
import Foundation
import Testing

@testable import AttnGen

/// X·Xᵀ and X·(X·Xᵀ)... on planes whose sides are not multiples of any tile or vector width. The
/// last two reach past the GEMMs' k blocks (256 rows of B packed at a time: sums carried in C
/// across blocks), with row counts that leave every row-tile tail (6, 4 or 2 rows by two vectors;
/// 12 or 6 by one) and column panels one vector wide under each vector width.
private let gemmEdges: [BlockSpec] = try! [(1, 2, 5, 1), (1, 3, 13, 37), (2, 2, 2, 17), (1, 1, 9, 33), (1, 1, 21, 300), (1, 2, 7, 520)].map {
    n, c, h, w in
    let json = """
        {"name": "gemm_edges_\(c)_\(h)_\(w)", "input": {"n": \(n), "c": \(c), "h": \(h), "w": \(w)}, "graph": [
          {"op": "matmul", "inputs": ["x", "x"], "transpose_b": true, "alpha": 0.25, "as": "E"},
          {"op": "matmul", "inputs": ["E", "x"], "as": "F"},
          {"op": "matmul", "inputs": ["x", "F"], "transpose_a": true, "as": "G"},
          {"op": "matmul", "inputs": ["F", "G"], "as": "H"},
          {"op": "matmul", "inputs": ["H", "x"], "transpose_b": true}
        ]}
        """
    return try BlockSpec.decodeFile(Data(json.utf8))[0]
}

@Suite struct ISALevelTests {
    /// The fixed levels this CPU runs (none off x86-64, where `native` is the only build and
    /// NativeTierTests checks it).
    static let levels: [ISALevel] = ISALevel.runnable().levels.filter { $0 != .native }

    @Test func nativeComesFirstAndLevelsNeedTheirFlags() {
        let (levels, skipped) = ISALevel.runnable()
        #expect(levels.first == .native)
        #if arch(x86_64)
            // Every fixed level is either run or skipped with the flags it lacks.
            #expect(levels.count - 1 + skipped.count == 3)
            for s in skipped { #expect(s.reason.hasPrefix("this CPU lacks ")) }
        #endif
    }

    @Test(arguments: levels)
    func fastTierMatchesInterpreter(_ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-isa-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        defer { try? FileManager.default.removeItem(at: cache) }
        // The row blocks are 4 lanes wide below AVX, 8 from it.
        var specs = CatalogRegistry.all.flatMap { $0.examples } + gemmEdges + rowBlockShapes.flatMap(rowBlockSpecs)
        specs += try Pipeline.loadSpecs(path: Paths.root.appendingPathComponent("Tests/OpGraphs/ops.json").path)
        for spec in specs {
            let kernel = try NativeKernel(spec, weights: .random(seed: 13), compiler: compiler)
            let program = kernel.program
            let input = program.randomInput(seed: 4)
            let reference = try Interpreter.run(program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) at \(level): \(comparison)")
        }
    }
}
