// Every public symbol carries a `///` comment, since `import AttnGen` is the product and DocC
// renders what these say. Checked on the source text, so it runs in milliseconds: each line that
// declares something `public` or `open` (not an extension or import), each `case` of a public
// enum and each requirement of a public protocol must have a `///` line right above it (attributes such as `@inlinable` may sit between).
// Any module counts, not only the ones AttnGen re-exports: `public` there is an export waiting.

import Foundation
import Testing

@Suite struct DocCommentTests {
    @Test func everyPublicSymbolHasADocComment() throws {
        let sources = Paths.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 100, "found only \(files.count) Swift files under \(sources.path)")
        var declarations = 0
        var missing: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let scan = DocCoverage.scan(text, file: file)
            declarations += scan.declarations
            missing += scan.undocumented
        }
        #expect(declarations > 300, "the scan saw only \(declarations) public declarations")
        #expect(missing.isEmpty, "\(missing.count) public symbols without a /// comment:\n\(missing.joined(separator: "\n"))")
    }

    /// The scanner itself: what it must flag, and what it must leave alone.
    @Test func scannerFlagsUndocumentedDeclarationsAndCases() {
        let sample = """
            /// A documented type.
            public struct S {
                public var bare: Int
                /// Documented.
                @inlinable public func f() {}
                @discardableResult public func g() -> Int { 0 }
                private var hidden: Int
                let open = 1
            }

            public extension S {}

            /// Cases of a public enum are public symbols too.
            public enum E {
                /// Documented.
                case a
                case b(Int)
                func h(_ e: E) { switch e { case .a: break
                    case b: break } }
            }

            enum Internal {
                case c
            }

            /// A public protocol's requirements are public symbols.
            public protocol P {
                var q: Int { get }
                /// Documented.
                func r()
            }
            """
        let scan = DocCoverage.scan(sample, file: "x.swift")
        #expect(scan.declarations == 10)
        #expect(
            scan.undocumented == [
                "x.swift:3: public var bare: Int", "x.swift:6: @discardableResult public func g() -> Int { 0 }",
                "x.swift:17: case b(Int)", "x.swift:28: var q: Int { get }",
            ])
    }
}

/// A line-based reading of Swift source good enough for this codebase's formatting (one
/// declaration per line, no `{` or `}` inside string literals it does not strip).
struct DocCoverage {
    private enum Body {
        case publicEnum, publicProtocol, other
    }

    struct Scan {
        var declarations = 0
        var undocumented: [String] = []
    }

    // Attributes and modifiers may precede the access level; `extension` and `import` are not symbols.
    private let publicDeclaration = try! Regex(
        #"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:static|final|nonisolated|override|indirect|mutating|convenience|required)\s+)*(?:public|open)\s+(?!extension\b|import\b)"#)
    private let publicEnum = try! Regex(#"^(?:@\w+\s+)*public\s+(?:indirect\s+)?enum\b"#)
    private let publicProtocol = try! Regex(#"^(?:@\w+\s+)*public\s+protocol\b"#)
    private let enumCase = try! Regex(#"^case\s+[a-z_]\w*\s*(?:\(|,|=|$)"#)
    private let requirement = try! Regex(#"^(?:(?:static|mutating)\s+)*(?:var|func|init|subscript|associatedtype)\b"#)
    /// A line holding only attributes (`@inlinable`, `@available(...)`), which may separate a
    /// declaration from its comment.
    private let attributeLine = try! Regex(#"^(?:@\w+(?:\([^)]*\))?\s*)+$"#)
    private let stringLiteral = try! Regex(#""(?:\\.|[^"\\])*""#)

    /// The scan of one file's text; `file` only labels the lines reported.
    static func scan(_ text: String, file: String) -> Scan { DocCoverage().scan(text, file: file) }

    // Regex is not Sendable, so the patterns live in an instance rather than in statics.
    private func scan(_ text: String, file: String) -> Scan {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var scan = Scan()
        // One entry per open brace: whose body it opened.
        var braces: [Body] = []
        for (i, line) in lines.enumerated() {
            let s = line.trimmingCharacters(in: .whitespaces)
            let isComment = s.hasPrefix("//")
            let isMember: Bool
            switch braces.last {
            case .publicEnum?: isMember = s.prefixMatch(of: enumCase) != nil
            case .publicProtocol?: isMember = s.prefixMatch(of: requirement) != nil
            case .other?, nil: isMember = false
            }
            if !isComment, s.prefixMatch(of: publicDeclaration) != nil || isMember {
                scan.declarations += 1
                var j = i - 1
                while j >= 0, lines[j].trimmingCharacters(in: .whitespaces).wholeMatch(of: attributeLine) != nil { j -= 1 }
                if j < 0 || !lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("///") {
                    scan.undocumented.append("\(file):\(i + 1): \(s)")
                }
            }
            guard !isComment else { continue }
            let unquoted = line.replacing(stringLiteral, with: "\"\"")
            let code = unquoted.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var opens: Body =
                s.prefixMatch(of: publicEnum) != nil ? .publicEnum : s.prefixMatch(of: publicProtocol) != nil ? .publicProtocol : .other
            for ch in code {
                if ch == "{" {
                    braces.append(opens)
                    opens = .other
                } else if ch == "}", !braces.isEmpty {
                    braces.removeLast()
                }
            }
        }
        return scan
    }
}
