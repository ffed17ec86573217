import AttnJSON

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

/// A recursive-descent parser for RFC 8259 JSON over raw UTF-8 bytes; tokens come from the
/// shared `JSONScanner`, the value model, depth cap and wording are the header's own.
///
/// The input must already be valid UTF-8 (the caller checks), which lets string contents be
/// copied byte for byte.
struct HeaderJSONParser {
    /// Deep enough for any header (which needs 3 levels) while keeping recursion far from
    /// the stack limit even on small thread stacks.
    static let maxDepth = 64

    private var scanner: JSONScanner

    private init(bytes: [UInt8]) {
        scanner = JSONScanner(bytes)
    }

    /// Parses one JSON value that must span all of `bytes`, give or take whitespace.
    static func parse(_ bytes: [UInt8]) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        var parser = HeaderJSONParser(bytes: bytes)
        parser.scanner.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.scanner.skipWhitespace()
        guard parser.scanner.position == bytes.count else {
            throw parser.failure("unexpected text after the end of the JSON value")
        }
        return value
    }

    // MARK: - Reading

    private var peek: UInt8? { scanner.peek }

    private func failure(_ message: String) -> HeaderJSONSyntaxError {
        HeaderJSONSyntaxError(offset: scanner.position, message: message)
    }

    private mutating func skipWhitespace() { scanner.skipWhitespace() }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(HeaderJSONSyntaxError) {
        guard peek == byte else { throw failure("expected \(what)") }
        scanner.position += 1
    }

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
        let start = scanner.position
        let bytes = scanner.bytes
        let matched = word.withUTF8Buffer { expected -> Bool in
            guard bytes.count - start >= expected.count else { return false }
            for (i, e) in expected.enumerated() where bytes[start + i] != e { return false }
            return true
        }
        guard matched else { throw failure("expected \(word)") }
        scanner.position = start + word.utf8CodeUnitCount
    }

    private mutating func parseObject(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        scanner.position += 1  // "{"
        var members: [(key: String, value: HeaderJSON)] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            scanner.position += 1
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
            case UInt8(ascii: ","): scanner.position += 1
            case UInt8(ascii: "}"): scanner.position += 1; return .object(members)
            default: throw failure("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        scanner.position += 1  // "["
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            scanner.position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): scanner.position += 1
            case UInt8(ascii: "]"): scanner.position += 1; return .array(elements)
            default: throw failure("expected ',' or ']' in an array")
            }
        }
    }

    /// Integers are accumulated exactly with overflow checks; anything with a fraction or
    /// exponent is kept as its literal, since no header field may hold one. A leading zero ends
    /// the number (`01` is `0` and then a stray `1`).
    private mutating func parseNumber() throws(HeaderJSONSyntaxError) -> HeaderJSON.Number {
        let token: JSONNumberToken
        do {
            token = try scanner.scanNumber()
        } catch {
            switch error {
            case .noDigit: throw failure("expected a digit")
            case .noDigitAfterPoint: throw failure("expected a digit after '.'")
            case .noDigitInExponent: throw failure("expected a digit in the exponent")
            }
        }
        let literal = scanner.literal(from: token.start)
        if !token.isInteger { return .fractional(literal) }
        // The magnitude is accumulated before the sign is applied, so Int.min is out of range.
        var magnitude = 0
        for d in literal.utf8 where JSONScanner.isDigit(d) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(d &- 0x30))
            if o1 || o2 { return .outOfRange(literal) }
            magnitude = sum
        }
        return .integer(literal.utf8.first == UInt8(ascii: "-") ? -magnitude : magnitude)
    }

    private mutating func parseString() throws(HeaderJSONSyntaxError) -> String {
        do {
            return try scanner.scanString()
        } catch {
            switch error {
            case .unterminated: throw failure("unterminated string")
            case .controlCharacter: throw failure("control character in a string (must be escaped)")
            case .unterminatedEscape: throw failure("unterminated escape")
            case .invalidEscape: throw failure("invalid escape character")
            case .notHexDigit: throw failure("expected 4 hex digits after \\u")
            case .loneLowSurrogate, .loneHighSurrogate, .notLowSurrogate:
                throw failure("unpaired surrogate in \\u escape")
            }
        }
    }
}
