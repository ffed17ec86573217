// Access to the fixed C skeletons in Templates/c, shipped as a resource bundle.

import Foundation

/// The C file skeletons, filled with `{{KEY}}` substitution.
package enum Templates {
    /// The text of `c/<name>.tmpl`.
    package static func text(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "tmpl", subdirectory: "c"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("template c/\(name).tmpl is missing from the bundle") }
        return text
    }

    /// Replaces every `{{KEY}}`; an unknown or unused key is a bug in the caller.
    package static func fill(_ name: String, _ values: [String: String]) -> String {
        // Templates are split into literal and key pieces once; filling only concatenates, so
        // the JIT's spec-to-callable time does not pay for string searches.
        guard let pieces = parsed[name] else { preconditionFailure("template c/\(name).tmpl is missing") }
        var text = ""
        var used = Set<String>()
        for piece in pieces {
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

    private enum Piece {
        case literal(String)
        case key(String)
    }

    private static let parsed: [String: [Piece]] = loaded.mapValues(pieces)

    /// `text` cut at each `{{KEY}}`, searched in its UTF-8 bytes (Foundation's `range(of:)` over
    /// every template was a large part of a process's first spec → callable).
    private static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        let bytes = text.utf8
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var literalStart = bytes.startIndex
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let next = bytes.index(after: i)
            guard bytes[i] == open, next != bytes.endIndex, bytes[next] == open else { i = next; continue }
            let keyStart = bytes.index(after: next)
            var j = keyStart
            var keyEnd: String.Index?
            while j != bytes.endIndex {
                let after = bytes.index(after: j)
                if bytes[j] == close, after != bytes.endIndex, bytes[after] == close { keyEnd = j; break }
                j = after
            }
            guard let keyEnd else { break }
            pieces.append(.literal(String(text[literalStart..<i])))
            pieces.append(.key(String(text[keyStart..<keyEnd])))
            literalStart = bytes.index(keyEnd, offsetBy: 2)
            i = literalStart
        }
        pieces.append(.literal(String(text[literalStart...])))
        return pieces
    }

    /// Every template, read once per process: emitting must not touch the disk each time.
    private static let loaded: [String: String] = {
        guard let dir = Bundle.module.url(forResource: "c", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
        else { preconditionFailure("template folder c/ is missing from the bundle") }
        return Dictionary(uniqueKeysWithValues: names.filter { $0.hasSuffix(".tmpl") }.map {
            (String($0.dropLast(5)), text(String($0.dropLast(5))))
        })
    }()

    /// The text of `c/<name>.tmpl`, from the in-memory copy.
    package static func cached(_ name: String) -> String { loaded[name] ?? text(name) }
}
