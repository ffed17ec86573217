// Which compilers read a generated file. Today's portable file holds every branch under `#if`; a
// target file holds only what its compiler compiles, so an auditor reads what runs.

#if arch(x86_64)
private let tccHasAsm = true
#else
private let tccHasAsm = false
#endif

/// The compiler a generated .c is written for.
public enum EmitTarget: String, CaseIterable, Sendable {
    /// Every branch under `#if`: one file for gcc, clang, tcc and any MCU compiler (the default).
    case portable
    /// gcc or clang on x86-64 or AArch64: the vector-extension code only.
    case host
    /// A 32-bit MCU compiler (arm-none-eabi-gcc and the like): no host vector code, no tcc asm.
    case mcu
    /// libtcc in this process: what the JIT compiles.
    case jit

    /// The compilers that read the file.
    package var compilers: Set<Compiler> {
        switch self {
        case .portable: return Set(Compiler.allCases)
        case .host: return [.vectorHost]
        case .mcu: return [.other]
        case .jit: return [.tcc]
        }
    }

    /// Whether the tcc helpers take their packed-SSE form: under `#if` in a portable file, by
    /// this machine's architecture for the JIT.
    var tccAsm: TCCAsm {
        switch self {
        case .portable: return .guarded
        case .jit: return tccHasAsm ? .always : .never
        case .host, .mcu: return .never
        }
    }

    enum TCCAsm { case guarded, always, never }
}

/// The three kinds of compiler the generated C tells apart.
package enum Compiler: CaseIterable, Sendable {
    /// gcc or clang on x86-64 or AArch64: vector extensions, register-tiled kernels.
    case vectorHost
    /// Any other compiler on x86-64 or AArch64, libtcc in practice: plain C, packed-SSE asm.
    case tcc
    /// Everything else (MCUs, 32-bit hosts): plain C, MCU scratch sizes.
    case other

    static let hostCondition = "defined(__GNUC__) && !defined(__TINYC__) && (defined(__x86_64__) || defined(__aarch64__))"
    static let wideCondition = "defined(__x86_64__) || defined(__aarch64__)"
    static let tccAsmCondition = "defined(__TINYC__) && defined(__x86_64__)"

    /// The `#if` condition true exactly for `set`; nil when the set holds every compiler.
    static func condition(_ set: Set<Compiler>) -> String? {
        switch (set.contains(.vectorHost), set.contains(.tcc), set.contains(.other)) {
        case (true, true, true): return nil
        case (true, false, false): return hostCondition
        case (true, true, false): return wideCondition
        case (false, true, false): return "(\(wideCondition)) && !(\(hostCondition))"
        case (false, false, true): return "!(\(wideCondition))"
        case (false, true, true): return "!(\(hostCondition))"
        case (true, false, true): return "(\(hostCondition)) || !(\(wideCondition))"
        case (false, false, false): preconditionFailure("no compiler")
        }
    }
}
