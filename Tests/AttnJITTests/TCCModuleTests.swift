#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import AttnJIT

typealias AddFn = @convention(c) (Int32, Int32) -> Int32
typealias KernelFn = @convention(c) (
    UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?
) -> Void

@Suite struct TCCModuleTests {
    @Test func compilesAndCallsAdd() throws {
        let module = try TCCModule(source: CKernels.add)
        let add = try module.function("add", as: AddFn.self)
        #expect(add(2, 40) == 42)
        #expect(add(-7, 3) == -4)
        withExtendedLifetime(module) {}
    }

    @Test func symbolReturnsCallableAddress() throws {
        let module = try TCCModule(source: CKernels.add)
        let add = unsafeBitCast(try module.symbol("add"), to: AddFn.self)
        #expect(add(1, 1) == 2)
        withExtendedLifetime(module) {}
    }

    @Test func floatKernelWithMathH() throws {
        let n = 16
        let module = try TCCModule(source: CKernels.expScale, options: "-DN=\(n)")
        let k = try module.function("k", as: KernelFn.self)
        let input = (0..<n).map { Float($0) * 0.25 - 2 }
        var output = [Float](repeating: .nan, count: n)
        let params: [Float] = [1.5]
        var scratch = [Float](repeating: 0, count: 1)
        input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                params.withUnsafeBufferPointer { par in
                    scratch.withUnsafeMutableBufferPointer { scr in
                        k(inp.baseAddress, out.baseAddress, par.baseAddress, scr.baseAddress)
                    }
                }
            }
        }
        withExtendedLifetime(module) {}
        for i in 0..<n {
            let expected = expf(input[i]) * 1.5
            #expect(abs(output[i] - expected) <= 1e-6 * max(1, abs(expected)), "i=\(i)")
        }
    }

    @Test func fmaxfAndRuntimeHelpersWork() throws {
        // fmaxf comes from the host's libm via dlsym; the float→uint64
        // conversion needs tcc's own libtcc1.a.
        let source = """
            #include <math.h>
            float clamp0(float x) { return fmaxf(x, 0.0f); }
            unsigned long long to_u64(double x) { return (unsigned long long)x; }
            """
        let module = try TCCModule(source: source)
        let clamp = try module.function("clamp0", as: (@convention(c) (Float) -> Float).self)
        let toU64 = try module.function("to_u64", as: (@convention(c) (Double) -> UInt64).self)
        #expect(clamp(-3) == 0)
        #expect(clamp(2.5) == 2.5)
        #expect(toU64(1.0e19) == 10_000_000_000_000_000_000)
        withExtendedLifetime(module) {}
    }

    @Test func twoModulesWithSameFunctionNameAreIndependent() throws {
        let one = try TCCModule(source: "int f(void) { return 1; } int g(int x) { return x + 1; }")
        let two = try TCCModule(source: "int f(void) { return 2; } int g(int x) { return x + 2; }")
        let f1 = try one.function("f", as: (@convention(c) () -> Int32).self)
        let f2 = try two.function("f", as: (@convention(c) () -> Int32).self)
        let g1 = try one.function("g", as: (@convention(c) (Int32) -> Int32).self)
        let g2 = try two.function("g", as: (@convention(c) (Int32) -> Int32).self)
        #expect(f1() == 1)
        #expect(f2() == 2)
        #expect(g1(10) == 11)
        #expect(g2(10) == 12)
        #expect(try one.symbol("f") != two.symbol("f"))
        withExtendedLifetime((one, two)) {}
    }

    @Test func extraSymbolsAreVisibleToC() throws {
        let triple: @convention(c) (Int32) -> Int32 = { $0 * 3 }
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        defer { table.deallocate() }
        table.initialize(from: [100, 200], count: 2)
        let source = """
            int triple(int);
            extern int table[2];
            int use(int x) { return triple(x) + table[1]; }
            """
        let module = try TCCModule(
            source: source,
            symbols: [
                "triple": unsafeBitCast(triple, to: UnsafeRawPointer.self),
                "table": UnsafeRawPointer(table),
            ])
        let use = try module.function("use", as: (@convention(c) (Int32) -> Int32).self)
        #expect(use(5) == 215)
        withExtendedLifetime(module) {}
    }

    @Test func warningsOfSuccessfulCompileAreKept() throws {
        let module = try TCCModule(source: "int f(void) { return g(); }\nint g(void) { return 7; }\n")
        #expect(module.diagnostics.contains { $0.contains("implicit declaration") })
        #expect(try module.function("f", as: (@convention(c) () -> Int32).self)() == 7)
        withExtendedLifetime(module) {}
    }

    @Test func acceptedOptionsReachTcc() throws {
        let module = try TCCModule(source: "int f(void) { return A * B; }", options: "-DA=6 -D B=7 -O2 -Wall")
        #expect(try module.function("f", as: (@convention(c) () -> Int32).self)() == 42)
        withExtendedLifetime(module) {}
    }

    @Test func runtimeDirectoryIsDetected() {
        #expect(TCCRuntimePaths.multiarchTriple(machine: "x86_64") == "x86_64-linux-gnu")
        #expect(TCCRuntimePaths.multiarchTriple(machine: "aarch64") == "aarch64-linux-gnu")
        let dir = TCCRuntimePaths.libraryDirectory
        #expect(dir != nil, "tcc runtime not found; install Debian package 'tcc'")
        if let dir { #expect(TCCRuntimePaths.isRuntimeDirectory(dir)) }
    }
}
