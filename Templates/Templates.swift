// Access to the fixed C skeletons in Templates/c, shipped as a resource bundle.

import Foundation

/// The C file skeletons, filled with `{{KEY}}` substitution.
public enum Templates {
    /// The text of `c/<name>.tmpl`.
    public static func text(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "tmpl", subdirectory: "c"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("template c/\(name).tmpl is missing from the bundle") }
        return text
    }

    /// Replaces every `{{KEY}}`; an unknown or unused key is a bug in the caller.
    public static func fill(_ name: String, _ values: [String: String]) -> String {
        var text = cache(name)
        var used = Set<String>()
        while let open = text.range(of: "{{") {
            guard let close = text.range(of: "}}", range: open.upperBound..<text.endIndex) else { break }
            let key = String(text[open.upperBound..<close.lowerBound])
            guard let value = values[key] else { preconditionFailure("template \(name) has unknown key \(key)") }
            used.insert(key)
            text.replaceSubrange(open.lowerBound..<close.upperBound, with: value)
        }
        let unused = Set(values.keys).subtracting(used)
        precondition(unused.isEmpty, "template \(name) does not use \(unused.sorted())")
        return text
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
    public static func cached(_ name: String) -> String { loaded[name] ?? text(name) }

    private static func cache(_ name: String) -> String { cached(name) }
}
