// A plain JSON tree. Decoding specs walks this tree by hand so every error can name its path.

import Foundation

/// A parsed JSON document.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written with neither fraction nor exponent, within Int64.
    case int(Int)
    /// A number written with a fraction or an exponent, even `2.0`: integer fields refuse it.
    case double(Double)
    /// A string, escapes decoded.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object; the parser has refused duplicate keys, so none was lost.
    case object([String: JSONValue])

    /// The largest spec document accepted: 1 MiB, thousands of blocks, while the parsed tree of
    /// the worst document (a flat array of small objects) stays within tens of megabytes.
    public static let maxDocumentBytes = 1 << 20

    /// Parses a spec document: strict RFC 8259 UTF-8 JSON (see `StrictJSONParser`) of at most
    /// `maxDocumentBytes`; anything else is a `SpecError` naming line, column, byte offset and
    /// the JSON path of the enclosing value.
    public static func parse(_ data: Data) throws(SpecError) -> JSONValue {
        guard data.count <= maxDocumentBytes else {
            throw SpecError("", "the document is \(data.count) bytes; a spec document may be at most \(maxDocumentBytes) bytes")
        }
        return try StrictJSONParser.parse([UInt8](data))
    }

    /// A name for the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a fractional number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Deterministic pretty text: sorted keys, two-space indent, trailing newline.
    public func serialized() -> String { render(indent: "") + "\n" }

    private func render(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s): return Self.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ !$0.isContainer }) {
                return "[" + items.map { $0.render(indent: inner) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.render(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let body = fields.keys.sorted().map { "\(inner)\(Self.quote($0)): \(fields[$0]!.render(indent: inner))" }
            return "{\n" + body.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    private var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
