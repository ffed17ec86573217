// How the JIT hands a kernel's C to libtcc. `-nostdlib`: by default tcc's relocation step reads
// libc.so, libc_nonshared.a and libtcc1.a from disk for every module (strace: four opens and
// their reads per compile), though the kernels call nothing from them. Their only outside calls
// are libm's expf, sqrtf, tanhf and erff, bound here to this process's copies; anything else tcc resolves in
// the running process (dlsym), as it does without the flag.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AttnCEmit
import AttnJIT

package enum KernelModule {
    package static let options = "-nostdlib"

    /// Compiles a kernel's JIT source.
    package static func compile(_ source: String) throws(JITError) -> TCCModule {
        try TCCModule(source: source, options: options, symbols: mathSymbols)
    }

    /// Compiles a kernel as `Kernel` does: its text without the helpers `TCCHelperLibrary`
    /// holds, linked to the library's copy, compiled once per process (for the CPU's ISA, or for
    /// the one `tccISA` forces). The self-contained `jitSource` where the library is not used.
    package static func compileKernel(_ source: CSource, tccISA: Int? = nil) throws(JITError) -> TCCModule {
        let forced = tccISA.map { "#define ATTN_TCC_ISA \($0)\n" } ?? ""
        guard source.jitKernel != source.jitSource, let library = library(tccISA) else {
            return try compile(forced + source.jitSource)
        }
        return try TCCModule(source: forced + source.jitKernel, options: options, symbols: mathSymbols.merging(library.symbols) { a, _ in a })
    }

    /// The helper library's module and its functions' addresses.
    struct Library: @unchecked Sendable {
        let module: TCCModule
        let symbols: [String: UnsafeRawPointer]
    }

    /// Whether the helper library for `tccISA` compiled and exports every helper. A library
    /// that fails leaves kernels compiling their own copies, correct but slower: only a test sees it.
    package static func helperLibraryLoads(_ tccISA: Int?) -> Bool { library(tccISA) != nil }

    /// The library for `tccISA` (nil: chosen by the CPU), compiled on first use; nil if libtcc
    /// refuses it (kernels then compile their own copies).
    private static func library(_ tccISA: Int?) -> Library? {
        switch tccISA {
        case nil: return cpuLibrary
        case 1: return sseLibrary
        case 2: return avxLibrary
        default: return makeLibrary(tccISA)
        }
    }

    private static let cpuLibrary = makeLibrary(nil)
    private static let sseLibrary = makeLibrary(1)
    private static let avxLibrary = makeLibrary(2)

    private static func makeLibrary(_ tccISA: Int?) -> Library? {
        let forced = tccISA.map { "#define ATTN_TCC_ISA \($0)\n" } ?? ""
        guard let module = try? compile(forced + TCCHelperLibrary.source) else { return nil }
        var symbols: [String: UnsafeRawPointer] = [:]
        for name in TCCHelperLibrary.symbols {
            guard let address = try? module.symbol(name) else { return nil }
            symbols[name] = UnsafeRawPointer(address)
        }
        return Library(module: module, symbols: symbols)
    }

    private static let expfC: @convention(c) (Float) -> Float = expf
    private static let sqrtfC: @convention(c) (Float) -> Float = sqrtf
    private static let tanhfC: @convention(c) (Float) -> Float = tanhf
    private static let erffC: @convention(c) (Float) -> Float = erff
    nonisolated(unsafe) private static let mathSymbols: [String: UnsafeRawPointer] = [
        "tanhf": unsafeBitCast(tanhfC, to: UnsafeRawPointer.self),
        "erff": unsafeBitCast(erffC, to: UnsafeRawPointer.self),
        "expf": unsafeBitCast(expfC, to: UnsafeRawPointer.self),
        "sqrtf": unsafeBitCast(sqrtfC, to: UnsafeRawPointer.self),
    ]
}
