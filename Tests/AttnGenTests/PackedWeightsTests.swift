// The packed entry points (`<name>_pack`, `<name>_forward_packed`): present exactly where a
// stacked GEMM's weight rows would be copied per call, against the interpreter on seeded random
// data over a grid of shapes (input channels that are multiples of 1024, rows off the six-row
// tile, planes off the panel's two vectors, several samples), bit for bit the unpacked entry
// point's outputs, at every ISA level this CPU runs, warning-free under -Wall -Wextra (C99).

import AttnInterp
import Foundation
import Testing

@testable import AttnGen
import AttnCEmit
import AttnIR
import AttnNative
import AttnPlan
import AttnSpec

@Suite struct PackedWeightsTests {
    /// Three stacked 1×1 convs of x with `rows` output channels (the second without bias), and a
    /// 1×1 conv of their sum's relu that no stack holds.
    static func spec(n: Int, c: Int, h: Int, w: Int, rows: (Int, Int, Int)) throws -> BlockSpec {
        let text = #"""
            {"name": "packs", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "graph": [
              {"op": "conv2d", "out_channels": \#(rows.0), "kernel_size": 1, "bias": true, "param": "q", "inputs": ["x"], "as": "q"},
              {"op": "conv2d", "out_channels": \#(rows.1), "kernel_size": 1, "bias": false, "param": "k", "inputs": ["x"], "as": "k"},
              {"op": "conv2d", "out_channels": \#(rows.2), "kernel_size": 1, "bias": true, "param": "v", "inputs": ["x"], "as": "v"},
              {"op": "relu", "inputs": ["v"], "as": "r"},
              {"op": "conv2d", "out_channels": 4, "kernel_size": 1, "bias": true, "param": "o", "inputs": ["r"], "as": "o"},
              {"op": "concat", "inputs": ["q", "k", "o"]}]}
            """#
        return try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
    }

    static func compiler(_ level: ISALevel) -> NativeCompiler {
        NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"] + level.flags, cacheDirectory: nil)
    }

    /// Host and portable files get the entry points where rows are 4 KiB apart; other pitches,
    /// the MCUs' and the JIT's files do not.
    @Test func entryPointsOnlyWhereRowsWouldBeCopied() throws {
        let spec = try Self.spec(n: 1, c: 1024, h: 3, w: 5, rows: (5, 7, 3))
        for target in [EmitTarget.host, .portable] {
            let source = try Pipeline.generate(spec, target: target).source
            let size = try #require(source.packedSize)
            // The parameters, then the larger layout by 1024 k's: three convs' rows in tiles of
            // six, six and one (24 rows), or their 15 channels in one panel of 32 (512-bit
            // vectors); then the layout's tag.
            #expect(try size == Pipeline.generate(spec).program.paramCount + 32 * 1024 + 1)
            #expect(source.header.contains("#define PACKS_PACKED_SIZE \(size) "))
            #expect(source.header.contains("void packs_pack(const float *params, float *packed);"))
            #expect(source.header.contains("void packs_forward_packed(const float *input, float *output, const float *packed, float *scratch);"))
            #expect(source.header.contains("void packs_forward(const float *input, float *output, const float *params, float *scratch);"))
            #expect(source.source.contains("attn_gemm_nn_stack(rows, 3, input, 15, 15, 1024, scratch + "))
            #expect(source.source.contains(", slivers);"))
        }
        for target in [EmitTarget.mcu, .jit] {
            let source = try Pipeline.generate(spec, target: target).source
            #expect(source.packedSize == nil && !source.header.contains("PACKED_SIZE") && !source.source.contains("_forward_packed"))
        }
        let inPlace = try Pipeline.generate(try Self.spec(n: 1, c: 300, h: 3, w: 5, rows: (5, 7, 3)), target: .host).source
        #expect(inPlace.packedSize == nil && !inPlace.header.contains("PACKED_SIZE"))
        #expect(inPlace.source.contains("attn_gemm_nn_stack(rows, 3, input, 15, 15, 300, (float *)0, (const float *)0);"))
        // The plan lists the packed GEMMs; op by op, nothing is stacked or packed.
        let program = try Pipeline.generate(spec).program
        let packed = Plan(program).packedGEMMs
        #expect(packed.count == 1 && packed[0].rows == [5, 7, 3] && packed[0].k == 1024 && packed[0].offset == 0)
        #expect(Plan(program, fusion: .opByOp).packedGEMMs.isEmpty)
    }

    /// Packed forward against the interpreter, and bit for bit the unpacked forward, at every
    /// level this CPU runs, for the host and the portable file (with AVX-512 the packed forward
    /// takes attn_gemm_nn_stack_t, the unpacked one the usual tiles).
    @Test(arguments: [
        (1, 1024, 3, 5, 5, 7, 3),  // tiles of six, six and one, three; a plane under one vector
        (2, 2048, 2, 9, 12, 13, 1),  // whole tiles, one past two, a lone row; two samples
        (1, 1024, 4, 4, 6, 6, 6),  // exactly one panel of two vectors
        (1, 1024, 1, 17, 11, 2, 19),  // one column past a panel; rows one short of a tile
        (1, 3072, 2, 5, 8, 4, 9),  // twelve blocks of k
        (1, 1024, 7, 7, 21, 32, 16),  // with 512-bit vectors: pixel tiles of 14 and 7, whole 16 x 16 blocks at odd channels
    ])
    func packedMatchesInterpreterAndUnpacked(_ s: (Int, Int, Int, Int, Int, Int, Int)) throws {
        let spec = try Self.spec(n: s.0, c: s.1, h: s.2, w: s.3, rows: (s.4, s.5, s.6))
        for level in ISALevel.runnable().levels where ["native", "x86-64-v4", "x86-64-v3", "x86-64-v2"].contains(level.march) {
            for target in [EmitTarget.host, .portable] {
                let generated = try Pipeline.generate(spec, target: target)
                #expect(generated.source.packedSize != nil)
                let params = generated.program.randomParams(seed: 31)
                let input = generated.program.randomInput(seed: 32)
                let reference = try Interpreter.run(generated.program, input: input, params: params)
                let packed = try NativeKernel(generated: generated, params: params, compiler: Self.compiler(level), useCache: false)
                let unpacked = try NativeKernel(
                    generated: generated, params: params, compiler: Self.compiler(level), useCache: false, packed: false)
                #expect(packed.runsPacked && !unpacked.runsPacked)
                let y = try packed(input)
                let comparison = try Comparison(y, reference: reference)
                #expect(comparison.within(CrossCheck.tolerance), "\(s) \(level) \(target): \(comparison)")
                #expect(y == (try unpacked(input)), "\(s) \(level) \(target): packed and unpacked differ")
            }
        }
    }

    /// An array packed by a build of the file for other vectors (AVX-512's panels against the
    /// six-row tiles of x86-64-v2) is not read as this build's layout: each build's
    /// `forward_packed` on either array gives its own `forward`'s outputs, bit for bit. Where the
    /// CPU has no AVX-512 both builds share a layout, and the check still holds.
    @Test func anotherBuildsArrayIsReadAsItsParameters() throws {
        typealias Pack = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
        typealias Forward = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
        let spec = try Self.spec(n: 1, c: 1024, h: 4, w: 7, rows: (21, 32, 16))
        let generated = try Pipeline.generate(spec, target: .host)
        let size = try #require(generated.source.packedSize)
        let files = NativeKernel.sourceFiles(generated)
        let levels = ISALevel.runnable().levels.filter { ["native", "x86-64-v2"].contains($0.march) }
        try #require(levels.count == 2)
        let libraries = try levels.map { try Self.compiler($0).library(files: files.list, main: files.main, key: files.key + $0.march, useCache: false) }
        let params = generated.program.randomParams(seed: 35)
        let input = generated.program.randomInput(seed: 36)
        let packs = try libraries.map { library -> [Float] in
            let pack = try library.function("packs_pack", as: Pack.self)
            return [Float](unsafeUninitializedCapacity: size) { buffer, count in
                params.withUnsafeBufferPointer { pack($0.baseAddress, buffer.baseAddress) }
                count = size
            }
        }
        let scratchSize = generated.source.scratchSize
        func run(_ f: Forward, _ weights: [Float]) -> [Float] {
            var output = [Float](repeating: 0, count: generated.program.outputShape.count)
            var scratch = [Float](repeating: 0, count: scratchSize)
            input.withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    output.withUnsafeMutableBufferPointer { y in
                        scratch.withUnsafeMutableBufferPointer { s in f(x.baseAddress, y.baseAddress, w.baseAddress, s.baseAddress) }
                    }
                }
            }
            return output
        }
        for (library, level) in zip(libraries, levels) {
            let unpacked = run(try library.function("packs_forward", as: Forward.self), params)
            let forwardPacked = try library.function("packs_forward_packed", as: Forward.self)
            for (packed, maker) in zip(packs, levels) {
                let same = run(forwardPacked, packed) == unpacked
                #expect(same, "\(level)'s forward_packed on \(maker)'s array differs from its forward")
            }
        }
    }

    /// tcc compiles the portable file's packed entry points too (they are plain C; its branch
    /// reads the parameters' copy and leaves the slivers alone).
    @Test func tccRunsThePortableEntryPoints() throws {
        let spec = try Self.spec(n: 1, c: 1024, h: 2, w: 3, rows: (5, 7, 3))
        let generated = try Pipeline.generate(spec, target: .portable)
        let tcc = NativeCompiler(command: ["tcc"], flags: ["-Wall"], cacheDirectory: nil)
        let params = generated.program.randomParams(seed: 33)
        let input = generated.program.randomInput(seed: 34)
        let packed = try NativeKernel(generated: generated, params: params, compiler: tcc, useCache: false)
        #expect(packed.runsPacked)
        let comparison = try Comparison(try packed(input), reference: try Interpreter.run(generated.program, input: input, params: params))
        #expect(comparison.within(CrossCheck.tolerance), "tcc: \(comparison)")
    }

    /// The catalog's nl at the benchmark's shape (1024 input channels) has them; its c64
    /// example, whose rows are read in place, has none.
    @Test func nlAt1024ChannelsIsPacked() throws {
        let text = #"{"name": "nl", "kind": "nl", "input": {"c": 1024, "h": 14, "w": 14}}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
        let source = try Pipeline.generate(spec, target: .host).source
        #expect(try source.packedSize == Pipeline.generate(spec).program.paramCount + 3 * 132 * 1024 + 1)
        let small = #"{"name": "nl", "kind": "nl", "input": {"c": 64, "h": 14, "w": 14}}"#
        #expect(try Pipeline.generate(try #require(try BlockSpec.decodeFile(Data(small.utf8)).first), target: .host).source.packedSize == nil)
    }
}
