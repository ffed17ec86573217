// The two places the C forks by compiler. `host`: gcc and clang on 64-bit hosts run register-tiled
// loops in their vector extension (the convolutions' tiles, the GEMM helpers); tcc, which has no
// vector types, and the MCUs run the row-helper form. `wide`: 64-bit hosts (tcc included) run the
// convolutions on padded copies in scratch that MCUs are not asked for. A portable file holds both
// sides under `#if`; a target file the side its compiler reads (CPrinter.split).

enum HostBranch {
    /// gcc/clang host code, or the row-helper form for everything else.
    static func print(host: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost], host, else: other)
    }

    /// The padded-plane form of 64-bit hosts, or the direct form of MCUs.
    static func printWide(wide: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost, .tcc], wide, else: other)
    }
}
