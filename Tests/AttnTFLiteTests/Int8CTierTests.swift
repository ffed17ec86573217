import AttnJIT
import AttnNative
import Foundation
import Testing
@testable import AttnTFLite

/// The generated C of every recognised fixture block, compiled by gcc (strict C99, every warning an
/// error) and by the libtcc JIT, against TensorFlow Lite Micro's outputs: 0 differing outputs,
/// out of place and in place.
@Suite struct Int8CTierTests {
    typealias Forward = Int8BitExactTests.Forward
    typealias Case = Int8BitExactTests.Case

    /// The C of every kernel of a model in one translation unit (each file's helpers are static
    /// and prefixed with the kernel's name, so they do not collide).
    static func translationUnit(_ c: Case) -> String {
        c.result.kernels.map { k in
            let header = k.files[0].contents
            return k.files[1].contents.replacingOccurrences(of: "#include \"\(k.name).h\"", with: header)
        }.joined(separator: "\n")
    }

    static func run(_ fn: Forward, _ x: [Int8], scratchBytes: Int) -> [Int8] {
        var y = [Int8](repeating: 0, count: x.count)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchBytes, 8), alignment: 8)
        defer { scratch.deallocate() }
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in fn(xp.baseAddress, yp.baseAddress, scratch) } }
        return y
    }

    @Test func gccTierMatchesTFLM() throws {
        // Strict C99 with every warning an error, as the float kernels are held to.
        let compiler = NativeCompiler(flags: ["-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"], libraries: [])
        for c in try Int8BitExactTests.cases() {
            let files = c.result.kernels.flatMap(\.files) + [("all.c", c.result.kernels.map { "#include \"\($0.name).c\"\n" }.joined())]
            let library = try compiler.library(files: files, main: "all.c", key: "int8 \(c.name)", useCache: false)
            let fns = try c.result.kernels.map { k throws in try library.function("\(k.name)_forward", as: Forward.self) }
            let diff = Int8BitExactTests.differing(c) { k, x in Self.run(fns[k], x, scratchBytes: Int8Emitter.scratchBytes(c.result.kernels[k].recognised.block)) }
            #expect(diff == 0, "\(c.name): \(diff) outputs differ from TFLM")
            // In place (output = input), as the header allows.
            let inPlace = Int8BitExactTests.differing(c) { k, x in
                var y = x
                let scratch = UnsafeMutableRawPointer.allocate(
                    byteCount: max(8, Int8Emitter.scratchBytes(c.result.kernels[k].recognised.block)), alignment: 8)
                defer { scratch.deallocate() }
                y.withUnsafeMutableBufferPointer { p in fns[k](UnsafePointer(p.baseAddress), p.baseAddress, scratch) }
                return y
            }
            #expect(inPlace == 0, "\(c.name) in place")
            withExtendedLifetime(library) {}
        }
    }

    /// The baseline attn-bench counts the fused kernels against: TFLM's reference op chain, one
    /// loop nest per operator, must compute the same outputs as TFLM too (batches and HARD_SWISH
    /// inside SE and CBAM included).
    @Test func tflmChainMatchesTFLM() throws {
        let compiler = NativeCompiler(flags: ["-O2", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"], libraries: [])
        for c in try Int8BitExactTests.cases() {
            // Every recognised kind has its chain (CBAM's 17 operators included).
            #expect(c.result.kernels.allSatisfy { $0.tflmChainExclusion == nil && !$0.tflmChain.isEmpty && $0.tflmArenaBytes > 0 }, "\(c.name)")
            let files = c.result.kernels.flatMap(\.tflmChain) + [("all.c", c.result.kernels.map { "#include \"\($0.name)_tflm.c\"\n" }.joined())]
            let library = try compiler.library(files: files, main: "all.c", key: "int8 chain \(c.name)", useCache: false)
            let fns = try c.result.kernels.map { k throws in try library.function("\(k.name)_tflm_forward", as: Forward.self) }
            let diff = Int8BitExactTests.differing(c) { k, x in Self.run(fns[k], x, scratchBytes: c.result.kernels[k].tflmArenaBytes) }
            #expect(diff == 0, "\(c.name): the TFLM chain gives \(diff) outputs differing from TFLM")
            withExtendedLifetime(library) {}
        }
    }

    @Test func jitMatchesTFLM() throws {
        for c in try Int8BitExactTests.cases() {
            let module = try TCCModule(source: Self.translationUnit(c))
            let fns = try c.result.kernels.map { k throws in try module.function("\(k.name)_forward", as: Forward.self) }
            let diff = Int8BitExactTests.differing(c) { k, x in Self.run(fns[k], x, scratchBytes: Int8Emitter.scratchBytes(c.result.kernels[k].recognised.block)) }
            #expect(diff == 0, "\(c.name): \(diff) outputs differ from TFLM")
            withExtendedLifetime(module) {}
        }
    }
}
