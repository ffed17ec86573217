// Code only gcc and clang on 64-bit hosts compile: register-tiled loops in their vector extension
// (the convolutions' tiles, the GEMM helpers). tcc, which has no vector types, and the MCUs take
// the `#else` branch of the same file: the row-helper form. CodeFeatures (the flash estimate)
// reads the same condition as false, as an MCU compiler does.

enum HostBranch {
    static let condition = "#if defined(__GNUC__) && !defined(__TINYC__) && (defined(__x86_64__) || defined(__aarch64__))"

    /// `#if host … #else … #endif` around two printers' worth of code.
    static func print(host: (inout CPrinter) -> Void, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.line(condition)
        host(&p)
        p.line("#else")
        other(&p)
        p.line("#endif")
    }
}
