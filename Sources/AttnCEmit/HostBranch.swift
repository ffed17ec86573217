// The two places the C forks by compiler. `host`: gcc and clang on 64-bit hosts run register-tiled
// loops in their vector extension (the convolutions' tiles, the GEMM helpers); tcc, which has no
// vector types, and the MCUs run the row-helper form. `wide`: 64-bit hosts (tcc included) run the
// convolutions on padded copies in scratch that MCUs are not asked for. A portable file holds both
// sides under `#if`; a target file the side its compiler reads (CPrinter.split). `gemm`: the
// GEMM-helper form of gcc and clang hosts, which tcc on x86-64 (its helpers are register-tiled
// micro-kernels in tcc's inline assembler) and MCUs (theirs are register tiles for the core's FPU
// or Helium, gemm_*.mcu.c.tmpl) take too; tcc elsewhere runs row helpers.

enum HostBranch {
    /// gcc/clang host code, or the row-helper form for everything else.
    static func print(host: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost], host, else: other)
    }

    /// The padded-plane form of 64-bit hosts, or the direct form of MCUs.
    static func printWide(wide: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost, .tcc], wide, else: other)
    }

    /// The GEMM-helper form (gcc/clang hosts, MCUs, and tcc where it has the asm micro-kernels),
    /// or the row-helper form. `mcu: false` keeps MCUs on the row-helper form: for GEMM forms
    /// whose buffers only the hosts' scratch holds.
    static func printGEMM(
        _ target: EmitTarget, mcu: Bool = true, gemm: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void,
        into p: inout CPrinter
    ) {
        let mcuSet: Set<Compiler> = mcu ? [.other] : []
        switch target.tccAsm {
        case .always: p.split(Set<Compiler>([.vectorHost, .tcc]).union(mcuSet), gemm, else: other)
        case .never: p.split(Set<Compiler>([.vectorHost]).union(mcuSet), gemm, else: other)
        case .guarded:
            // MCUs named in the condition only where they read this code.
            let named = mcu && p.compilers.contains(.other) ? " || !(\(Compiler.wideCondition))" : ""
            p.split(
                "(\(Compiler.hostCondition)) || (\(Compiler.tccAsmCondition))\(named)",
                then: Set<Compiler>([.vectorHost, .tcc]).union(mcuSet), gemm,
                else: Set<Compiler>([.tcc]).union(mcu ? [] : [.other]), other)
        }
    }

    /// tcc's form on x86-64, where its packed-SSE helpers are (`asm`), and `other` for every
    /// other compiler, tcc elsewhere included.
    static func printTCCAsm(
        _ target: EmitTarget, asm: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter
    ) {
        switch target.tccAsm {
        case .always: p.split([.tcc], asm, else: other)
        case .never: other(&p)
        case .guarded: p.split(Compiler.tccAsmCondition, then: [.tcc], asm, else: p.compilers, other)
        }
    }
}
