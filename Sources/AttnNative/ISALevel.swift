// The instruction-set levels the fast tier can be built for on this machine: `-march=native`,
// and on x86-64 the fixed psABI levels (x86-64-v2 SSE4.2, v3 AVX2 + FMA, v4 AVX-512) whose
// instructions this CPU executes. The benchmark times each and the tests check each, so the
// host code is held to every CPU a user may have, not only the one it was tuned on.

import Foundation

/// One `-march` setting of the fast tier.
public struct ISALevel: Hashable, Sendable, CustomStringConvertible {
    /// What `-march=` gets: `native`, `x86-64-v2`, ...
    public let march: String

    /// A level by its `-march=` name.
    public init(march: String) { self.march = march }

    /// The CPU the compiler runs on.
    public static let native = ISALevel(march: "native")

    /// The `-march=` name.
    public var description: String { march }

    /// The fast tier's flags at this level (`-O3 -march=<level>`).
    public var flags: [String] { ["-O3", "-march=\(march)"] }

    /// The fixed levels, each with the CPU flags (as /proc/cpuinfo spells them) it needs.
    static let x86Levels: [(ISALevel, [String])] = [
        (ISALevel(march: "x86-64-v2"), ["sse4_2", "popcnt", "ssse3", "cx16"]),
        (ISALevel(march: "x86-64-v3"), ["avx2", "fma", "bmi2", "movbe", "f16c"]),
        (ISALevel(march: "x86-64-v4"), ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
    ]

    /// `native` first, then each fixed level this CPU executes; `skipped` names the others with
    /// the CPU flags they lack (empty off x86-64, where only `native` is measured).
    public static func runnable() -> (levels: [ISALevel], skipped: [(level: ISALevel, reason: String)]) {
        #if arch(x86_64)
            let flags = cpuFlags()
            var levels = [native]
            var skipped: [(level: ISALevel, reason: String)] = []
            var lacking: [String] = []
            // Each level includes the one below: a CPU without v3 cannot run v4 either.
            for (level, needs) in x86Levels {
                lacking += needs.filter { !flags.contains($0) }
                if lacking.isEmpty {
                    levels.append(level)
                } else {
                    skipped.append((level, "this CPU lacks \(lacking.joined(separator: ", "))"))
                }
            }
            return (levels, skipped)
        #else
            return ([native], [])
        #endif
    }

    /// The `flags` line of cpu0 in /proc/cpuinfo; empty where there is none.
    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}

extension NativeCompiler {
    /// The same compiler with the fast tier's flags for `level`.
    public func at(_ level: ISALevel) -> NativeCompiler {
        var copy = self
        copy.flags = level.flags
        return copy
    }
}
