/// A parsed JSON value, just rich enough to validate a safetensors header.
///
/// Why a parser of our own instead of JSONSerialization: JSONSerialization keeps only one
/// of two equal keys, so a header naming a tensor twice would load silently with one of
/// the two definitions. It also reports no byte position, turns numbers into NSNumber
/// (blurring 3, 3.0 and true) and differs between Darwin and Linux. JSON's grammar is
/// small; owning it lets us keep key order, see duplicate keys, tell integers from other
/// numbers exactly, reject trailing garbage, and cap nesting so hostile input cannot
/// exhaust the stack.
enum HeaderJSON {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(Number)
    case bool(Bool)
    case null

    /// A JSON number, kept exact: header fields only ever want integers, and anything
    /// else must be reported as written rather than rounded.
    enum Number {
        /// A plain integer literal (no fraction, no exponent) that fits in `Int`.
        case integer(Int)
        /// A plain integer literal too large for `Int`; the literal as written.
        case outOfRange(String)
        /// A literal with a fraction or exponent; the literal as written.
        case fractional(String)
    }

    /// How the value is named in messages ("an array", "a string", ...).
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// Where and why the header text is not JSON.
struct HeaderJSONSyntaxError: Error {
    /// Byte offset inside the header.
    let offset: Int
    let message: String
}

/// A recursive-descent parser for RFC 8259 JSON over raw UTF-8 bytes.
///
/// Every read goes through `peek`, which returns nil at the end, so no input can index out
/// of bounds. The input must already be valid UTF-8 (the caller checks), which lets string
/// contents be copied byte for byte.
struct HeaderJSONParser {
    /// Deep enough for any header (which needs 3 levels) while keeping recursion far from
    /// the stack limit even on small thread stacks.
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON value that must span all of `bytes`, give or take whitespace.
    static func parse(_ bytes: [UInt8]) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        var parser = HeaderJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.failure("unexpected text after the end of the JSON value")
        }
        return value
    }

    // MARK: - Reading

    private var peek: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private func failure(_ message: String) -> HeaderJSONSyntaxError {
        HeaderJSONSyntaxError(offset: position, message: message)
    }

    private mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(HeaderJSONSyntaxError) {
        guard peek == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        guard depth <= Self.maxDepth else {
            throw failure("nested deeper than \(Self.maxDepth) levels")
        }
        guard let b = peek else { throw failure("unexpected end of the header") }
        switch b {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), 0x30...0x39: return .number(try parseNumber())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        default: throw failure("expected a JSON value")
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws(HeaderJSONSyntaxError) {
        let start = position
        let matched = word.withUTF8Buffer { expected -> Bool in
            guard bytes.count - position >= expected.count else { return false }
            for (i, e) in expected.enumerated() where bytes[position + i] != e { return false }
            return true
        }
        guard matched else { throw failure("expected \(word)") }
        position = start + word.utf8CodeUnitCount
    }

    private mutating func parseObject(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        position += 1  // "{"
        var members: [(key: String, value: HeaderJSON)] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key: key, value: value))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        position += 1  // "["
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    /// Integers are accumulated exactly with overflow checks; anything with a fraction or
    /// exponent is kept as its literal, since no header field may hold one.
    private mutating func parseNumber() throws(HeaderJSONSyntaxError) -> HeaderJSON.Number {
        let start = position
        let negative = peek == UInt8(ascii: "-")
        if negative { position += 1 }
        guard let first = peek, Self.isDigit(first) else { throw failure("expected a digit") }
        var magnitude = 0
        var overflowed = false
        if first == UInt8(ascii: "0") {
            position += 1  // JSON forbids leading zeros, so "0" stands alone
        } else {
            while let d = peek, Self.isDigit(d) {
                if !overflowed {
                    let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int(d &- 0x30))
                    if o1 || o2 { overflowed = true } else { magnitude = sum }
                }
                position += 1
            }
        }
        var fractional = false
        if peek == UInt8(ascii: ".") {
            position += 1
            guard let d = peek, Self.isDigit(d) else { throw failure("expected a digit after '.'") }
            while let d = peek, Self.isDigit(d) { position += 1 }
            fractional = true
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard let d = peek, Self.isDigit(d) else { throw failure("expected a digit in the exponent") }
            while let d = peek, Self.isDigit(d) { position += 1 }
            fractional = true
        }
        let literal = String(decoding: bytes[start..<position], as: UTF8.self)
        if fractional { return .fractional(literal) }
        if overflowed { return .outOfRange(literal) }
        return .integer(negative ? -magnitude : magnitude)
    }

    private mutating func parseString() throws(HeaderJSONSyntaxError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let b = peek else { throw failure("unterminated string") }
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw failure("control character in a string (must be escaped)")
            default:
                utf8.append(b)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(HeaderJSONSyntaxError) {
        guard let e = peek else { throw failure("unterminated escape") }
        position += 1
        switch e {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var value = UInt32(try parseHex4())
            if (0xD800...0xDBFF).contains(value) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard peek == UInt8(ascii: "\\") else { throw failure("unpaired surrogate in \\u escape") }
                position += 1
                guard peek == UInt8(ascii: "u") else { throw failure("unpaired surrogate in \\u escape") }
                position += 1
                let low = UInt32(try parseHex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in \\u escape") }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(value) {
                throw failure("unpaired surrogate in \\u escape")
            }
            guard let scalar = Unicode.Scalar(value) else { throw failure("invalid \\u escape") }
            Unicode.UTF8.encode(scalar) { utf8.append($0) }
        default:
            throw failure("invalid escape character")
        }
    }

    private mutating func parseHex4() throws(HeaderJSONSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let h = peek else { throw failure("expected 4 hex digits after \\u") }
            let digit: UInt8
            switch h {
            case 0x30...0x39: digit = h - 0x30
            case 0x41...0x46: digit = h - 0x41 + 10
            case 0x61...0x66: digit = h - 0x61 + 10
            default: throw failure("expected 4 hex digits after \\u")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}
