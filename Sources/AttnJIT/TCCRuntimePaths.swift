#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Locates tcc's own runtime directory (the one holding `libtcc1.a` and
/// `include/` with tcc's `stddef.h`, `stdarg.h`, …) at run time.
///
/// Debian's libtcc has that directory compiled in, but only for the
/// architecture it was built for and only at Debian's path, so we look for it
/// ourselves and hand it to `tcc_set_lib_path` — tcc derives both its
/// system include dir (`{B}/include`) and `libtcc1.a` from it. Without it,
/// `#include <math.h>` fails on tcc's missing `stddef.h`, and relocation
/// fails on runtime helpers such as float↔int64 conversions.
enum TCCRuntimePaths {
    /// The detected directory, or nil to keep libtcc's compiled-in default.
    /// Computed once per process (immutable afterwards).
    static let libraryDirectory: String? = detect()

    private static func detect() -> String? {
        candidates().first { isRuntimeDirectory($0) }
    }

    /// Most specific first: Debian's multiarch path for the running machine,
    /// then the upstream install locations.
    static func candidates() -> [String] {
        var dirs: [String] = []
        if let triple = multiarchTriple(machine: machineName()) {
            dirs.append("/usr/lib/\(triple)/tcc")
        }
        dirs += ["/usr/lib/tcc", "/usr/local/lib/tcc", "/usr/lib64/tcc"]
        return dirs
    }

    static func isRuntimeDirectory(_ dir: String) -> Bool {
        access(dir + "/libtcc1.a", R_OK) == 0 && access(dir + "/include/stddef.h", R_OK) == 0
    }

    /// `uname -m` of the running kernel, e.g. `x86_64`, `aarch64`.
    static func machineName() -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "" }
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Debian multiarch tuple for a `uname -m` machine name.
    static func multiarchTriple(machine: String) -> String? {
        switch machine {
        case "x86_64", "amd64": "x86_64-linux-gnu"
        case "aarch64", "arm64": "aarch64-linux-gnu"
        case "i386", "i486", "i586", "i686": "i386-linux-gnu"
        case let m where m.hasPrefix("armv7") || m.hasPrefix("armv6"): "arm-linux-gnueabihf"
        case "riscv64": "riscv64-linux-gnu"
        case "ppc64le": "powerpc64le-linux-gnu"
        case "s390x": "s390x-linux-gnu"
        default: nil
        }
    }
}
