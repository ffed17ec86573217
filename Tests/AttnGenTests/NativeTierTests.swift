// The native tier: the emitted C built by the system compiler, checked against the interpreter like
// the tcc tier; its disk cache, its errors, batch threading and the tcc → native swap. Each test
// gets its own cache folder, so nothing depends on what an earlier run left behind.

import Foundation
import Testing

@testable import AttnGen
import AttnInterp
import AttnNative

private func freshCache() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-test-cache-\(UUID().uuidString)")
}

private func expectMatchesInterpreter(_ kernel: some ForwardKernel, program: Program, params: [Float], seed: UInt64 = 3)
    throws
{
    let input = program.randomInput(seed: seed)
    let reference = try Interpreter.run(program, input: input, params: params)
    let comparison = try Comparison(try kernel.apply(input), reference: reference)
    #expect(comparison.within(CrossCheck.tolerance), "\(program.name) \(program.input): \(comparison)")
}

@Suite struct NativeTierTests {
    static let shapes: [InputShape] = [
        .nchw(1, 32, 14, 14), .nchw(3, 37, 13, 7), .nchw(1, 256, 7, 7), .nchw(2, 64, 28, 28),
    ]

    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 56 bytes: the padding spills into a second block.
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test(arguments: shapes)
    func matchesInterpreter(_ shape: InputShape) throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        for spec in [
            SqueezeExcite("se_native", input: shape, reduction: 16),
            EfficientChannelAttention("eca_native", input: shape, kernelSize: 5),
            CBAM("cbam_native", input: shape, reduction: 16, spatialKernelSize: 7),
        ] {
            let kernel = try NativeKernel(spec, weights: .random(seed: 11), compiler: compiler)
            try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params)
        }
    }

    /// The host code's blocks of 4 or 8 rows (`attn_rows_pool`, `attn_rows_dot`): row counts under,
    /// at and past multiples of 4 and 8 (a last block that repeats its first row), mean and max pools
    /// alone and together, linears without bias, with two vectors and with rows shorter than a block,
    /// N > 1, single-float tails.
    @Test(arguments: rowBlockShapes)
    func rowBlocksMatchTheInterpreter(_ shape: InputShape) throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        for spec in rowBlockSpecs(shape) {
            let kernel = try NativeKernel(spec, weights: .random(seed: 5), compiler: compiler)
            try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params, seed: 8)
        }
    }

    /// The thin products' host forms (`attn_rows_dot` for a matrix times a vector and a 1×1 conv
    /// on 1×1 planes, scaled rows for an outer product) with row counts off the blocks of 4 and 8,
    /// the mean over H by whole rows, and a depthwise 1×1 conv on a vector.
    @Test func thinProductsMatchTheInterpreter() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        for (h, w) in [(1, 1), (3, 3), (17, 1)] {
            let kernel = try NativeKernel(thinBlock(h: h, w: w), weights: .random(seed: 5), compiler: compiler)
            try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params, seed: 8)
        }
        // The mean over H by whole rows.
        let strip = Block("rows_strip", input: .nchw(2, 3, 5, 9)) { Primitive(.axisPool(.mean, axis: .h), "x"); Sigmoid(); Multiply("x") }
        let kernel = try NativeKernel(strip, weights: .values([]), compiler: compiler)
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params, seed: 8)
        // A depthwise 1×1 conv on the pooled vector (a multiply per channel, no row helper), with
        // and without bias, one sample and two.
        for (n, bias) in [(1, false), (2, true)] {
            let depthwise = Block("rows_depthwise", input: .nchw(n, 12, 3, 4)) {
                GlobalPool(.mean)
                Conv2D(12, kernelSize: 1, groups: 12, bias: bias, param: "dw")
                Sigmoid()
                Multiply("x")
            }
            #expect(!(try Pipeline.generate(depthwise, target: .host).source.source.contains("attn_rows_dot(")))
            let kernel = try NativeKernel(depthwise, weights: .random(seed: 5), compiler: compiler)
            try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params, seed: 8)
        }
    }

    /// On gcc and clang hosts a sigmoid gate read only by the scaling runs in the scaling's pass,
    /// a block of channels ahead of the rows (one sample of more than a block's channels); the
    /// other compilers keep the two loops, and so does N > 1.
    @Test func sigmoidGatesRunInTheScalingPass() throws {
        for (shape, fused) in [(InputShape.nchw(1, 40, 4, 4), true), (.nchw(1, 64, 2, 3), true), (.nchw(2, 40, 4, 4), false), (.nchw(1, 8, 2, 2), false)] {
            let spec = rowBlockSpecs(shape).first { $0.name == "rows_mean" }!
            let host = try Pipeline.generate(spec, target: .host).source.source
            let mcu = try Pipeline.generate(spec, target: .mcu).source.source
            #expect(host.contains("for (int cb = 0; cb < \(shape.c); cb += 32)") == fused, "\(shape)")
            #expect(host.contains("const int ce = ") == (fused && shape.c % 32 != 0), "\(shape)")
            #expect(!mcu.contains("cb += 32"), "\(shape)")
        }
    }

    /// CBAM's final pass runs in row blocks on the planes where a row call's streams would evict
    /// the spatial gate from L1, and row by row below; both forms are checked by the row-block
    /// shapes above at every ISA level.
    /// Its spatial conv pairs output rows on the same planes (with AVX), and keeps the tiles
    /// along the wide buffer below, and for the SSE and NEON branch; so do a depthwise conv's
    /// channels.
    @Test func largePlanesScaleInRowBlocks() throws {
        for (shape, paired) in [(InputShape.nchw(2, 11, 53, 57), true), (.nchw(1, 11, 28, 28), false)] {
            let spec = rowBlockSpecs(shape).first { $0.name == "rows_single_conv" }!
            let source = try Pipeline.generate(spec).source.source
            #expect(source.components(separatedBy: "if (u > 0) {").count - 1 == (paired ? 2 : 0), "\(shape): both convs paired")
        }
        for (shape, blocked) in [(InputShape.nchw(2, 11, 53, 57), true), (.nchw(1, 11, 28, 28), false)] {
            for k in [3, 7] {
                let source = try Pipeline.generate(CBAM("rows_cbam", input: shape, reduction: 2, spatialKernelSize: k)).source.source
                #expect(source.contains("attn_rows_scale_mul(") == blocked, "\(shape)")
                #expect(source.contains("attn_row_scale_mul("), "\(shape): the other compilers' row calls")
                #expect(source.contains("if (u > 0) {") == blocked, "\(shape) k \(k): paired rows")
                #expect(source.contains("for (int t0 = 0; t0 < "), "\(shape) k \(k): the tiles for SSE and NEON")
            }
        }
    }

    /// A NaN in a plane never becomes its max in the host's blocked pools, as in the interpreter.
    @Test func blockedMaxPoolSkipsNaN() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let spec = Block("rows_nan", input: .nchw(1, 11, 3, 3)) { GlobalPool(.max); Sigmoid(); Multiply("x") }
        let kernel = try NativeKernel(spec, weights: .values([]), compiler: compiler)
        var x = (0..<99).map { Float($0 % 17) - 8 }
        for j in [0, 13, 40, 44, 98] { x[j] = .nan }  // first, vector and tail positions
        let y = try kernel.apply(x)
        let ref = try Interpreter.run(kernel.program, input: x, params: [])
        // Not bit for bit: gcc builds get their own expf (within 1.22 ulp of libm's).
        for j in 0..<99 where !x[j].isNaN {
            #expect(y[j].isFinite && abs(y[j] - ref[j]) <= 1e-6 * max(1, abs(ref[j])), "output[\(j)] = \(y[j]), interpreter \(ref[j])")
        }
    }

    /// Every Generated/ example and every op graph through the system compiler: the attention
    /// blocks' convolutions take a different branch there (register-tiled vector code) than in
    /// the tcc tier, so this is what checks it.
    @Test func everyExampleAndOpGraph() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        var specs: [BlockSpec] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: Paths.generated.path).sorted()
        where file.hasSuffix(".spec.json") {
            specs += try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent(file).path)
        }
        specs += try Pipeline.loadSpecs(path: Paths.root.appendingPathComponent("Tests/OpGraphs/ops.json").path)
        for var spec in specs {
            spec.weights = nil
            for variant in [spec, spec.layout(.nhwc).libm(false)] {
                let kernel = try NativeKernel(variant, weights: .random(seed: 11), compiler: compiler)
                let program = kernel.program
                let input = program.randomInput(seed: 3)
                let reference = try Interpreter.run(program, input: input, params: kernel.params)
                // The interpreter is NCHW: an NHWC kernel gets its input reordered and its output back.
                let layout = variant.layout ?? .nchw
                let output = try layout.toNCHW(try kernel.apply(layout.fromNCHW(input, program.input)), program.outputShape)
                let comparison = try Comparison(output, reference: reference)
                #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) [\(layout)]: \(comparison)")
            }
        }
    }

    /// Same code and parameters as the tcc kernel, so the same output to the last bit is not
    /// promised (gcc may contract a*b+c into an FMA), but both sit within tolerance.
    @Test func twinOfTccKernel() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let tcc = try Kernel(CBAM("cbam_twin", input: .nchw(1, 48, 9, 11), reduction: 4), weights: .random(seed: 5))
        let native = try NativeKernel(sameAs: tcc, compiler: compiler)
        #expect(native.params == tcc.params)
        try expectMatchesInterpreter(native, program: tcc.program, params: tcc.params)
    }

    /// Imported weights: passed by pointer like the tcc tier's, never printed into the C text
    /// (the CLI's file form has the table; the tiers do not read it).
    @Test func importedWeightsAreNotBakedIn() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let dir = Paths.fixtures.appendingPathComponent("cbam_timm_c64_k7")
        let spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
        let kernel = try NativeKernel(spec, weights: .spec(baseDirectory: dir), compiler: compiler)
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params)
        #expect(kernel.generated.params == kernel.params)
        #expect(!kernel.generated.source.source.contains("const float \(spec.name)_params["))
        let compiled = NativeKernel.sourceFiles(kernel.generated).list.map(\.contents).joined()
        #expect(!compiled.contains("const float \(spec.name)_params["))
        // The CLI's file form of the same spec bakes them.
        let file = try Pipeline.generate(spec, baseDirectory: dir)
        #expect(file.source.source.contains("const float \(spec.name)_params["))
    }

    @Test func diskCacheIsHitTheSecondTime() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let spec = SqueezeExcite("se_cached", input: .nchw(1, 64, 8, 8), reduction: 16)
        let first = try NativeKernel(spec, weights: .random(seed: 1), compiler: compiler)
        #expect(first.library.origin == .compiled)
        #expect(FileManager.default.fileExists(atPath: first.library.path))
        // Different weights, same code: the same object.
        let second = try NativeKernel(spec, weights: .random(seed: 2), compiler: compiler)
        #expect(second.library.origin == .diskCache)
        #expect(second.library.path == first.library.path)
        // Other flags are another object.
        var debug = compiler
        debug.flags = ["-O0"]
        let third = try NativeKernel(spec, weights: .random(seed: 1), compiler: debug)
        #expect(third.library.origin == .compiled)
        #expect(third.library.path != first.library.path)
        // Nothing half-written is left behind: only the two objects.
        let files = try FileManager.default.contentsOfDirectory(atPath: compiler.cacheDirectory.path)
        #expect(
            files.sorted()
                == [first.library.path, third.library.path].map { ($0 as NSString).lastPathComponent }.sorted())
    }

    @Test func uncachedCompileLeavesNoFile() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let kernel = try NativeKernel(
            EfficientChannelAttention("eca_nocache", input: .nchw(1, 16, 4, 4)), weights: .random(seed: 1),
            compiler: compiler, useCache: false)
        #expect(kernel.library.origin == .uncached)
        #expect(!FileManager.default.fileExists(atPath: kernel.library.path))
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.params)
    }

    @Test func compilerErrorIsThrownWithItsText() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        do {
            _ = try compiler.library(
                files: [("broken.c", "int f(void) { return 1 +; }\n")], main: "broken.c", key: "broken")
            Issue.record("a syntax error compiled")
        } catch {
            #expect(error.kind == .compileFailed)
            #expect(error.message.contains("broken.c"), "\(error.message)")
            #expect(error.message.contains("error"), "\(error.message)")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: compiler.cacheDirectory.path)) ?? []
        #expect(entries.isEmpty, "a failed compile left \(entries)")
    }

    @Test func missingCompilerIsAnError() {
        let compiler = NativeCompiler(command: ["attn-gen-no-such-compiler"], cacheDirectory: freshCache())
        #expect(throws: NativeError.self) {
            _ = try NativeKernel(
                SqueezeExcite("se_nocc", input: .nchw(1, 16, 2, 2)), weights: .random(seed: 1), compiler: compiler)
        }
    }

    @Test func parallelRunEqualsOneThread() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let batch = CBAM("cbam_batch", input: .nchw(7, 40, 12, 10), reduction: 8)
        let parallel = try ParallelKernel(native: batch, weights: .random(seed: 9), compiler: compiler, threads: 3)
        let sample = parallel.sample
        let input = try Kernel(batch, weights: .random(seed: 9)).program.randomInput(seed: 4)

        // One thread, sample after sample, through the same single-sample kernel.
        var serial = [Float]()
        for s in 0..<7 {
            serial += try sample.apply(Array(input[s * sample.inputCount..<(s + 1) * sample.inputCount]))
        }
        #expect(try parallel.apply(input) == serial)

        // And the batch equals the interpreter on the N = 7 program.
        let whole = try Kernel(batch, weights: .random(seed: 9))
        let reference = try Interpreter.run(whole.program, input: input, params: whole.params)
        let comparison = try Comparison(serial, reference: reference)
        #expect(comparison.within(CrossCheck.tolerance), "\(comparison)")
    }

    @Test func tieredKernelSwapsToNative() throws {
        let compiler = NativeCompiler(cacheDirectory: freshCache())
        defer { try? FileManager.default.removeItem(at: compiler.cacheDirectory) }
        let kernel = try TieredKernel(
            SqueezeExcite("se_tiered", input: .nchw(2, 96, 10, 10)), weights: .random(seed: 6), compiler: compiler)
        // Usable at once, whichever tier serves.
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.tcc.params)
        #expect(try kernel.waitForNative() == .native)
        #expect(kernel.tier == .native)
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.tcc.params)
    }

    @Test func tieredKernelKeepsTccWhenTheCompilerFails() throws {
        let compiler = NativeCompiler(command: ["attn-gen-no-such-compiler"], cacheDirectory: freshCache())
        let kernel = try TieredKernel(
            EfficientChannelAttention("eca_tiered", input: .nchw(1, 32, 6, 6)), weights: .random(seed: 2),
            compiler: compiler)
        #expect(throws: NativeError.self) { try kernel.waitForNative() }
        #expect(kernel.tier == .tcc)
        try expectMatchesInterpreter(kernel, program: kernel.program, params: kernel.tcc.params)
    }
}

/// Row counts (N·C) under, at and past multiples of 4 and 8 for the host's row blocks; the last
/// plane is large enough for CBAM's final pass to take its rows in blocks too
/// (`attn_rows_scale_mul`), with a pixel tail under every vector width, and for its spatial conv
/// to take output rows in pairs (`WideConv.pairsRows`), an odd last row's pair included. One
/// sample of 40 and of 64 channels runs the sigmoid gates a block of channels ahead of the
/// scaling (`Kernel.gateScaleRows`), with a short last block and without.
let rowBlockShapes: [InputShape] = [
    .nchw(2, 21, 5, 3), .nchw(1, 8, 2, 2), .nchw(1, 7, 3, 3), .nchw(3, 19, 1, 9), .nchw(1, 40, 4, 4), .nchw(1, 11, 2, 5),
    .nchw(1, 64, 2, 3), .nchw(2, 11, 53, 57),
]

/// Blocks whose host code pools and runs linears in row blocks (`attn_rows_pool`, `attn_rows_dot`).
func rowBlockSpecs(_ shape: InputShape) -> [BlockSpec] {
    let c = shape.c
    return [
        Block("rows_max", input: shape) {
            GlobalPool(.max)
            Linear(13, bias: false, param: "fc1")
            ReLU()
            Linear(c, param: "fc2")
            Sigmoid()
            Multiply("x")
        },
        Block("rows_mean", input: shape) {
            GlobalPool(.mean)
            Linear(c, param: "fc")
            Sigmoid()
            Multiply("x")
        },
        // An expansion from 3 channels: fc2 rows shorter than a block of 4 or 8 lanes, one vector and
        // a bias (CBAM's MLP below has such rows at small C with two vectors and no bias).
        Block("rows_thin", input: shape) {
            GlobalPool(.mean)
            Linear(3, bias: false, param: "fc1")
            ReLU()
            Linear(c, param: "fc2")
            Sigmoid()
            Multiply("x")
        },
        CBAM("rows_cbam", input: shape, reduction: 2, spatialKernelSize: 3),
        CBAM("rows_cbam7", input: shape, reduction: 2, spatialKernelSize: 7),
        // Single-output-channel convs outside CBAM: a depthwise 5×5 (a group per channel) and a
        // dense 3×3 to one channel, with and without bias; on the wide planes both pair their rows.
        Block("rows_single_conv", input: shape) {
            Conv2D(c, kernelSize: 5, groups: c, bias: false, param: "dw")
            ReLU()
            Conv2D(1, kernelSize: 3, param: "one")
            Sigmoid()
            Multiply("x")
        },
    ]
}
