// Byte counts as people write them on the command line (`64K`, `1.5M`, `300000`) and as the size
// table prints them.

import Foundation

/// Parses and prints byte counts. K and M are binary (1024, 1024²), as in linker scripts and
/// datasheets' RAM sizes: `64K` = 65,536 bytes.
package enum ByteCount {
    /// `123`, `64K`, `64k`, `64KB`, `64KiB`, `1M`, `1.5M`, `2MiB`; nil for anything else.
    package static func parse(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.hasSuffix("ib") { s.removeLast(2) } else if s.hasSuffix("b") { s.removeLast() }
        var factor = 1.0
        if s.hasSuffix("k") {
            factor = 1024
            s.removeLast()
        } else if s.hasSuffix("m") {
            factor = 1024 * 1024
            s.removeLast()
        } else if s.hasSuffix("g") {
            factor = 1024 * 1024 * 1024
            s.removeLast()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            s.filter({ $0 == "." }).count <= 1, let value = Double(s)
        else { return nil }
        let bytes = (value * factor).rounded(.up)
        guard bytes.isFinite, bytes < 1e15 else { return nil }
        return Int(bytes)
    }

    /// `1,234,567` (thousands separated, locale-free).
    package static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `1.2 MiB`, `64.0 KiB`, `512 B`: for humans, next to the exact count.
    package static func human(_ n: Int) -> String {
        let v = Double(n)
        if n >= 1024 * 1024 { return format1(v / (1024 * 1024)) + " MiB" }
        if n >= 1024 { return format1(v / 1024) + " KiB" }
        return "\(n) B"
    }

    private static func format1(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
