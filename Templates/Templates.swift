// Access to the fixed C skeletons in Templates/c, shipped as a resource bundle.

import Foundation
#if os(Linux)
import Glibc
#endif

/// The C file skeletons, filled with `{{KEY}}` substitution.
package enum Templates {
    /// The text of `c/<name>.tmpl`, read from the bundle.
    package static func text(_ name: String) -> String {
        guard let text = try? String(contentsOfFile: "\(directory)/\(name).tmpl", encoding: .utf8)
        else { preconditionFailure("template c/\(name).tmpl is missing from the bundle") }
        return text
    }

    /// Replaces every `{{KEY}}`; an unknown or unused key is a bug in the caller.
    package static func fill(_ name: String, _ values: [String: String]) -> String {
        // Templates are split into literal and key pieces once; filling only concatenates, so
        // the JIT's spec-to-callable time does not pay for string searches.
        var text = ""
        var used = Set<String>()
        for piece in parsed[name] {
            switch piece {
            case .literal(let s): text += s
            case .key(let key):
                guard let value = values[key] else { preconditionFailure("template \(name) has unknown key \(key)") }
                used.insert(key)
                text += value
            }
        }
        let unused = Set(values.keys).subtracting(used)
        precondition(unused.isEmpty, "template \(name) does not use \(unused.sorted())")
        return text
    }

    private enum Piece: Sendable {
        case literal(String)
        case key(String)
    }

    /// Each template's pieces, cut on first use.
    private static let parsed = LazyTable<String, [Piece]> { pieces(cached($0)) }

    /// `text` cut at each `{{KEY}}`, searched in a copy of its UTF-8 bytes (Foundation's
    /// `range(of:)`, then walking the String's UTF-8 view, were a large part of a process's
    /// first spec → callable).
    private static func pieces(_ text: String) -> [Piece] {
        let bytes = Array(text.utf8)
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var pieces: [Piece] = []
        var literalStart = 0
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == open, bytes[i + 1] == open else { i += 1; continue }
            let keyStart = i + 2
            guard let keyEnd = (keyStart..<max(keyStart, bytes.count - 1)).first(where: { bytes[$0] == close && bytes[$0 + 1] == close })
            else { break }
            pieces.append(.literal(string(literalStart..<i)))
            pieces.append(.key(string(keyStart..<keyEnd)))
            literalStart = keyEnd + 2
            i = literalStart
        }
        pieces.append(.literal(string(literalStart..<bytes.count)))
        return pieces
    }

    /// The bundle's template folder, found once: beside the executable where SwiftPM puts a
    /// resource bundle on Linux (found without Foundation's `Bundle`, whose set-up was a tenth of
    /// a process's first spec → callable), else wherever `Bundle.module` finds it.
    private static let directory: String = {
        #if os(Linux)
        var path = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &path, path.count - 1)
        if count > 0 {
            let executable = String(decoding: path[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = executable.utf8.lastIndex(of: UInt8(ascii: "/")) {
                let beside = executable[..<slash] + "/attn-gen_AttnTemplates.resources/c"
                if access(beside + "/header.h.tmpl", R_OK) == 0 { return String(beside) }
            }
        }
        #endif
        guard let dir = Bundle.module.url(forResource: "c", withExtension: nil) else {
            preconditionFailure("template folder c/ is missing from the bundle")
        }
        return dir.path
    }()

    /// Each template read so far: read once per process on first use (emitting must not touch
    /// the disk each time, and a kernel reads only the templates it uses).
    private static let loaded = LazyTable<String, String> { text($0) }

    /// The text of `c/<name>.tmpl`, from the in-memory copy.
    package static func cached(_ name: String) -> String { loaded[name] }
}
