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
import AttnJIT

package enum KernelModule {
    package static let options = "-nostdlib"

    /// Compiles a kernel's JIT source.
    package static func compile(_ source: String) throws(JITError) -> TCCModule {
        try TCCModule(source: source, options: options, symbols: mathSymbols)
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
