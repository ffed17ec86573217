// RFC 8259 JSON → JSONValue, refusing everything the RFC does not allow and everything it allows
// but leaves to the reader (duplicate keys, numbers no Double or Int64 can hold).
//
// Why our own parser: Foundation's JSONDecoder keeps the first of two equal keys where Python and
// jq keep the last (so one file meant two things to two tools), reads 2.0 as the integer 2, and
// reports what it cannot hold (1e400, 064) as Swift `DecodingError` text without a position; its
// leniencies also differ between Darwin and Linux. Owning the grammar lets every refusal say what
// is wrong, where (line:column, byte offset) and inside which value (its JSON path).
//
// Typing of numbers: a token with neither fraction nor exponent is `.int` (it must fit in Int64);
// any token with a fraction or exponent is `.double`, even `2.0` or `1e2`, so a field that needs
// an integer refuses them rather than guessing.

import AttnJSON

/// Parses spec files; tokens come from the shared `JSONScanner`, the value model, limits and
/// wording are the spec reader's own. Recursion depth is bounded by `maxDepth`, so no input can exhaust the stack.
struct StrictJSONParser {
    /// Deeper than any spec needs (a graph block in a block list is 6 levels) while keeping the
    /// recursion (two frames per level) far from the stack limit of any thread.
    static let maxDepth = 100

    private var scanner: JSONScanner
    private var bytes: [UInt8] { scanner.bytes }
    private var position: Int {
        get { scanner.position }
        set { scanner.position = newValue }
    }
    /// Where the value being parsed sits: object keys and array indices from the root.
    private var path: [PathStep] = []

    private enum PathStep {
        case key(String)
        case index(Int)
    }

    private init(_ bytes: [UInt8]) { scanner = JSONScanner(bytes) }

    /// The one entry point: a whole document, or a `SpecError` naming where it breaks the rules.
    static func parse(_ bytes: [UInt8]) throws(SpecError) -> JSONValue {
        var parser = StrictJSONParser(bytes)
        try parser.checkEncoding()
        parser.skipWhitespace()
        guard parser.position < bytes.count else {
            throw parser.failure(bytes.isEmpty ? "the file is empty" : "the file holds only whitespace, no JSON value")
        }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.failure("unexpected \(parser.describeHere()) after the end of the JSON document")
        }
        return value
    }

    // MARK: - Errors

    /// `path: malformed JSON at line L, column C (byte B): message`.
    private func failure(_ message: String, at offset: Int? = nil) -> SpecError {
        SpecError(renderedPath, "malformed JSON at \(location(offset ?? position)): \(message)")
    }

    /// `line L, column C (byte B)`: lines and columns from 1, columns in characters, bytes from 0.
    private func location(_ offset: Int) -> String {
        let offset = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // UTF-8 continuation bytes (10xxxxxx) do not start a character.
        let column = 1 + bytes[lineStart..<offset].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return "line \(line), column \(column) (byte \(offset))"
    }

    private var renderedPath: String {
        var out = ""
        for step in path {
            switch step {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// The byte at `position` for messages: a quoted ASCII character or a U+ code.
    private func describeHere() -> String { describe(at: position) }

    private func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 { return "character U+\(hex(UInt32(b)))" }
        var iterator = bytes[offset...].makeIterator()
        var decoder = Unicode.UTF8()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return "character U+\(hex(s.value))" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    private func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: - Encoding

    /// UTF-8 without a byte-order mark, as RFC 8259 §8.1 requires of JSON exchanged between systems.
    private mutating func checkEncoding() throws(SpecError) {
        // RFC 4627 §3: the pattern of zero bytes among the first four tells UTF-16 and UTF-32 apart.
        let h = Array(bytes.prefix(4)) + [UInt8](repeating: 0xAA, count: max(0, 4 - bytes.count))
        let zero = h.map { $0 == 0 }
        let encoding: String?
        if h == [0x00, 0x00, 0xFE, 0xFF] || zero == [true, true, true, false] {
            encoding = "UTF-32BE"
        } else if h == [0xFF, 0xFE, 0x00, 0x00] || zero == [false, true, true, true] {
            encoding = "UTF-32LE"
        } else if h.starts(with: [0xFE, 0xFF]) || (zero == [true, false, true, false]) {
            encoding = "UTF-16BE"
        } else if h.starts(with: [0xFF, 0xFE]) || (zero == [false, true, false, true]) {
            encoding = "UTF-16LE"
        } else {
            encoding = nil
        }
        if let encoding {
            let first = bytes.prefix(4).map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
            throw failure("the file looks like \(encoding) (it starts with bytes \(first.joined(separator: " "))); spec files must be UTF-8", at: 0)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw failure("the file starts with a UTF-8 byte-order mark (EF BB BF); spec files must be UTF-8 without one", at: 0)
        }
        // ASCII is the common case and needs no scalar walk.
        if bytes.allSatisfy({ $0 < 0x80 }) { return }
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return
            case .error:
                throw failure("invalid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true))); spec files must be UTF-8", at: offset)
            }
        }
    }

    // MARK: - Reading

    private var peek: UInt8? { scanner.peek }

    private mutating func skipWhitespace() { scanner.skipWhitespace() }

    private static func isDigit(_ b: UInt8?) -> Bool { JSONScanner.isDigit(b) }

    /// What a value cannot start with, named for the mistakes people actually make.
    private mutating func notAValue() -> SpecError {
        guard let b = peek else { return failure("unexpected end of input; expected a JSON value") }
        switch b {
        case UInt8(ascii: "/"): return failure("comments are not allowed in JSON")
        case UInt8(ascii: "'"): return failure("strings must be in double quotes, not single quotes")
        case UInt8(ascii: "."): return failure("a number must start with a digit, not '.' (write 0.5, not .5)")
        case UInt8(ascii: "+"): return failure("a number must not start with '+'")
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","): return failure("expected a JSON value, found \(describeHere())")
        default: break
        }
        if let word = wordHere() {
            switch word {
            case "NaN", "Infinity", "-Infinity", "inf", "-inf", "nan":
                return failure("\(word) is not a JSON value; JSON numbers must be finite")
            default:
                return failure("unexpected word \"\(word)\"; expected a JSON value (true, false and null are lower case)")
            }
        }
        return failure("expected a JSON value, found \(describeHere())")
    }

    /// The run of ASCII letters (after an optional '-') at `position`, for naming bare words.
    private func wordHere() -> String? {
        var end = position
        if end < bytes.count, bytes[end] == UInt8(ascii: "-") { end += 1 }
        let lettersStart = end
        while end < bytes.count, end - position < 32,
              (0x41...0x5A).contains(bytes[end]) || (0x61...0x7A).contains(bytes[end]) || bytes[end] == 0x5F {
            end += 1
        }
        return end > lettersStart ? String(decoding: bytes[position..<end], as: UTF8.self) : nil
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(SpecError) -> JSONValue {
        guard let b = peek else { throw failure("unexpected end of input; expected a JSON value") }
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
            return b == UInt8(ascii: "{") ? try parseObject(depth: depth + 1) : try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), 0x30...0x39:
            if b == UInt8(ascii: "-"), let word = wordHere(), word != "-" { throw notAValue() }
            return try parseNumber()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, value) in [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)]
            where bytes[position...].starts(with: word.utf8) {
                let end = position + word.utf8.count
                // `nullx` or `true1` is one bad word, not a literal followed by garbage.
                if end < bytes.count, (0x41...0x5A).contains(bytes[end]) || (0x61...0x7A).contains(bytes[end]) || Self.isDigit(bytes[end]) {
                    break
                }
                position = end
                return value
            }
            throw notAValue()
        default:
            throw notAValue()
        }
    }

    private mutating func parseObject(depth: Int) throws(SpecError) -> JSONValue {
        position += 1  // {
        var fields: [String: JSONValue] = [:]
        var keyOffsets: [String: (offset: Int, written: String)] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            switch peek {
            case UInt8(ascii: "\"")?: break
            case UInt8(ascii: "}")?: throw failure("trailing comma before '}'; JSON allows no comma after the last field")
            case UInt8(ascii: "'")?: throw failure("object keys must be in double quotes, not single quotes")
            case UInt8(ascii: "/")?: throw failure("comments are not allowed in JSON")
            case nil: throw failure("unexpected end of input inside an object; expected a key in double quotes")
            default: throw failure("expected a key in double quotes, found \(describeHere())")
            }
            let key = try parseString()
            if let first = keyOffsets[key] {
                let alias = first.written.unicodeScalars.elementsEqual(key.unicodeScalars)
                    ? "" : " (the same as \"\(first.written)\" under Unicode canonical equivalence)"
                throw failure("duplicate key \"\(key)\"\(alias); it was first given at \(location(first.offset)), and a key may appear once per object", at: keyOffset)
            }
            keyOffsets[key] = (keyOffset, key)
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                throw failure(peek == nil ? "unexpected end of input; expected ':' after key \"\(key)\"" : "expected ':' after key \"\(key)\", found \(describeHere())")
            }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            fields[key] = try parseValue(depth: depth)
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ",")?: position += 1
            case UInt8(ascii: "}")?:
                position += 1
                return .object(fields)
            case UInt8(ascii: "/")?: throw failure("comments are not allowed in JSON")
            case nil: throw failure("unexpected end of input inside an object; expected ',' or '}'")
            default: throw failure("expected ',' or '}' after the value of \"\(key)\", found \(describeHere())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SpecError) -> JSONValue {
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "]") { throw failure("trailing comma before ']'; JSON allows no comma after the last element") }
            path.append(.index(items.count))
            items.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ",")?: position += 1
            case UInt8(ascii: "]")?:
                position += 1
                return .array(items)
            case UInt8(ascii: "/")?: throw failure("comments are not allowed in JSON")
            case nil: throw failure("unexpected end of input inside an array; expected ',' or ']'")
            default: throw failure("expected ',' or ']' after element \(items.count - 1), found \(describeHere())")
            }
        }
    }

    // MARK: - Numbers

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, refused when it does not
    /// fit: integers in Int64, the rest in Double without overflowing or vanishing to zero.
    private mutating func parseNumber() throws(SpecError) -> JSONValue {
        let start = position
        let token: JSONNumberToken
        do {
            token = try scanner.scanNumber()
        } catch {
            switch error {
            case .noDigit:
                throw failure(peek == UInt8(ascii: ".") ? "a number must start with a digit, not '.'" : "expected a digit after '-'")
            case .noDigitAfterPoint:
                throw failure("expected a digit after the '.' in \(literal(from: start)) (write 1.0, not 1.)")
            case .noDigitInExponent:
                throw failure("expected a digit in the exponent of \(literal(from: start))")
            }
        }
        // The scanner ends a number at a leading 0; digits right after it are that 0's.
        if Self.isDigit(peek) {
            while Self.isDigit(peek) { position += 1 }
            throw failure("number \(literal(from: start)) has a leading zero; JSON numbers have none (octal is not JSON)", at: start)
        }
        let isInteger = token.isInteger
        let text = literal(from: start)
        if isInteger {
            guard let value = Int64(text) else {
                throw failure("integer \(text) is out of range (\(Int64.min) to \(Int64.max))", at: start)
            }
            return .int(Int(value))
        }
        guard let value = Double(text), value.isFinite else {
            throw failure("number \(text) is out of range for a 64-bit float (magnitude at most 1.7976931348623157e308)", at: start)
        }
        // A non-zero literal that rounds to zero would silently become 0.
        if value == 0, text.utf8.prefix(while: { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }).contains(where: { $0 >= 0x31 && $0 <= 0x39 }) {
            throw failure("number \(text) is out of range for a 64-bit float (too small: it would round to 0)", at: start)
        }
        return .double(value)
    }

    private func literal(from start: Int) -> String { scanner.literal(from: start) }

    // MARK: - Strings

    private mutating func parseString() throws(SpecError) -> String {
        do {
            return try scanner.scanString()
        } catch {
            throw stringFailure(error)
        }
    }

    private func stringFailure(_ error: JSONStringSyntax) -> SpecError {
        switch error {
        case .unterminated(let start):
            return failure("unterminated string (it starts at byte \(start))")
        case .controlCharacter(let b):
            let named: [UInt8: String] = [0x0A: "\\n", 0x09: "\\t", 0x0D: "\\r", 0x08: "\\b", 0x0C: "\\f"]
            return failure("control character U+\(hex(UInt32(b))) in a string must be escaped (as \(named[b] ?? "\\u\(hex(UInt32(b)).lowercased())"))")
        case .unterminatedEscape:
            return failure("unterminated escape at the end of input")
        case .invalidEscape(let escapeStart):
            let e = bytes[position - 1]
            let shown = e >= 0x21 && e < 0x7F ? "\\" + String(Unicode.Scalar(e)) : "\\ followed by \(describe(at: position - 1))"
            return failure("invalid escape \(shown) in a string (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: escapeStart)
        case .notHexDigit:
            return failure("expected 4 hex digits after \\u, found \(describeHere())")
        case .loneLowSurrogate(let value, let escapeStart):
            return failure("lone low surrogate \\u\(hex(UInt32(value)).lowercased()); it must follow a high surrogate \\ud800-\\udbff", at: escapeStart)
        case .loneHighSurrogate(let value, let escapeStart):
            return failure("lone high surrogate \\u\(hex(UInt32(value)).lowercased()); it must be followed by a low surrogate \\udc00-\\udfff", at: escapeStart)
        case .notLowSurrogate(let high, let low, let lowStart):
            return failure("high surrogate \\u\(hex(UInt32(high)).lowercased()) is followed by \\u\(hex(UInt32(low)).lowercased()), not by a low surrogate \\udc00-\\udfff", at: lowStart)
        }
    }
}
