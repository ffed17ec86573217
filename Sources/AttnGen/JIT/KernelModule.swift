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

    /// Compiles a kernel's JIT source (and `symbols`, addresses it may call besides libm's, in
    /// `linked`, modules the new one keeps alive).
    package static func compile(_ source: String, symbols: [String: UnsafeRawPointer] = [:], linked: [TCCModule] = []) throws(JITError) -> TCCModule {
        try TCCModule(
            source: source, options: options, symbols: symbols.isEmpty ? mathSymbols : mathSymbols.merging(symbols) { a, _ in a }, linked: linked)
    }

    /// Compiles a kernel as `Kernel` does: its text without the helpers `TCCHelperLibrary`
    /// holds, linked to the process's copies of them (`TCCHelperModules`, compiled on first use
    /// for the CPU's ISA, or for the one `tccISA` forces). The self-contained `jitSource` where
    /// the library is not used.
    package static func compileKernel(_ source: CSource, tccISA: Int? = nil) throws(JITError) -> TCCModule {
        try compileKernel(source, helpers: .shared(tccISA))
    }

    /// As above, linked to the helpers of `helpers` (and with its forced ISA).
    package static func compileKernel(_ source: CSource, helpers: TCCHelperModules) throws(JITError) -> TCCModule {
        let forced = helpers.tccISA.map { "#define ATTN_TCC_ISA \($0)\n" } ?? ""
        guard !source.jitLibraryHelpers.isEmpty else { return try compile(forced + source.jitSource) }
        // The helpers no module holds yet in the kernel's own module, for the set's ISA.
        let compiled = try helpers.compile(source.jitLibraryHelpers) { defining, symbols, modules throws(JITError) in
            let text = defining.isEmpty ? forced + source.jitKernel : "#define ATTN_TCC_ISA \(helpers.isa)\n" + source.jitKernel(defining: defining)
            return try TCCModule(source: text, options: options, symbols: mathSymbols.merging(symbols) { a, _ in a }, linked: modules)
        }
        if let compiled { return compiled }
        guard let linked = helpers.link(source.jitLibraryHelpers) else { return try compile(forced + source.jitSource) }
        return try TCCModule(
            source: forced + source.jitKernel, options: options, symbols: mathSymbols.merging(linked.symbols) { a, _ in a },
            linked: linked.modules)
    }

    /// Whether every helper compiles for `tccISA` and exports its symbol, in one module. A
    /// helper that fails leaves the kernels calling it compiling their own copies, correct but
    /// slower: only a test sees it.
    package static func helperLibraryLoads(_ tccISA: Int?) -> Bool {
        TCCHelperModules(tccISA: tccISA).link(TCCHelperLibrary.helpers) != nil
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
