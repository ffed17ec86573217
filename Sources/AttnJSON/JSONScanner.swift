// The lexical half of RFC 8259 shared by attn-gen's two JSON readers (spec files in AttnSpec, the
// safetensors header in AttnWeights): whitespace, number tokens and strings with their escapes.
// Each reader keeps its own value model, limits and wording; the scanner reports what went wrong
// as a typed case with the offsets a message needs, and leaves `position` where the fault is.

/// A cursor over raw UTF-8 bytes. Every read goes through `peek`, which is nil at the end, so no
/// input can index out of bounds. The caller checks the bytes are valid UTF-8 first, which lets
/// string contents be copied byte for byte.
package struct JSONScanner: Sendable {
    /// The whole document.
    package let bytes: [UInt8]
    /// Offset of the next byte to read.
    package var position = 0

    /// A cursor at the start of `bytes`.
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The byte at `position`, or nil at the end of the input.
    package var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Steps over the four whitespace bytes JSON allows (space, tab, LF, CR).
    package mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 }
    }

    /// Whether `b` is an ASCII digit; false at the end of the input.
    package static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    /// The bytes from `start` up to `position`, as written.
    package func literal(from start: Int) -> String { String(decoding: bytes[start..<position], as: UTF8.self) }

    // MARK: - Numbers

    /// Scans `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` at `position`, which holds
    /// '-' or a digit. A leading 0 ends the integer part, so `01` scans as `0` followed by `1`:
    /// whether that is an error, and how it is worded, is the reader's choice.
    package mutating func scanNumber() throws(JSONNumberSyntax) -> JSONNumberToken {
        let start = position
        if peek == UInt8(ascii: "-") { position += 1 }
        guard Self.isDigit(peek) else { throw .noDigit }
        if peek == UInt8(ascii: "0") {
            position += 1
        } else {
            while Self.isDigit(peek) { position += 1 }
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            position += 1
            guard Self.isDigit(peek) else { throw .noDigitAfterPoint }
            while Self.isDigit(peek) { position += 1 }
            isInteger = false
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard Self.isDigit(peek) else { throw .noDigitInExponent }
            while Self.isDigit(peek) { position += 1 }
            isInteger = false
        }
        return JSONNumberToken(start: start, isInteger: isInteger)
    }

    // MARK: - Strings

    /// Scans a string whose opening quote is at `position` and returns its contents with the
    /// escapes decoded; `position` ends after the closing quote.
    package mutating func scanString() throws(JSONStringSyntax) -> String {
        let start = position
        position += 1  // "
        var utf8: [UInt8] = []
        while true {
            guard let b = peek else { throw .unterminated(start: start) }
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                // Valid: the input was checked to be UTF-8 and escapes append whole scalars.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try scanEscape(into: &utf8)
            case 0x00..<0x20:
                throw .controlCharacter(b)
            default:
                utf8.append(b)
                position += 1
            }
        }
    }

    private mutating func scanEscape(into utf8: inout [UInt8]) throws(JSONStringSyntax) {
        let escapeStart = position - 1
        guard let e = peek else { throw .unterminatedEscape }
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
            let high = try scanHex4()
            var value = UInt32(high)
            if (0xDC00...0xDFFF).contains(high) {
                throw .loneLowSurrogate(high, escapeStart: escapeStart)
            }
            if (0xD800...0xDBFF).contains(high) {
                // A high surrogate must be followed by an escaped low surrogate.
                let lowStart = position
                guard peek == UInt8(ascii: "\\") else { throw .loneHighSurrogate(high, escapeStart: escapeStart) }
                position += 1
                guard peek == UInt8(ascii: "u") else { throw .loneHighSurrogate(high, escapeStart: escapeStart) }
                position += 1
                let low = try scanHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw .notLowSurrogate(high: high, low: low, lowStart: lowStart)
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            // Every non-surrogate value up to 0x10FFFF is a scalar.
            Unicode.UTF8.encode(Unicode.Scalar(value)!) { utf8.append($0) }
        default:
            throw .invalidEscape(escapeStart: escapeStart)
        }
    }

    private mutating func scanHex4() throws(JSONStringSyntax) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch peek {
            case let h? where (0x30...0x39).contains(h): digit = h - 0x30
            case let h? where (0x41...0x46).contains(h): digit = h - 0x41 + 10
            case let h? where (0x61...0x66).contains(h): digit = h - 0x61 + 10
            default: throw .notHexDigit
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}

/// A number token as written: where it starts (it ends at the scanner's `position`) and whether
/// it has neither fraction nor exponent.
package struct JSONNumberToken: Sendable {
    /// Offset of its first byte ('-' or a digit).
    package let start: Int
    /// True when it has neither a fraction nor an exponent, so an integer field may take it.
    package let isInteger: Bool
}

/// Why a number token breaks the grammar; the scanner's `position` is at the offending byte.
package enum JSONNumberSyntax: Error, Sendable {
    /// '-' not followed by a digit.
    case noDigit
    /// '.' not followed by a digit.
    case noDigitAfterPoint
    /// 'e' or 'E' (and a sign) not followed by a digit.
    case noDigitInExponent
}

/// Why a string breaks the grammar; the scanner's `position` is where reading stopped, and the
/// cases carry the earlier offsets a message may point at instead.
package enum JSONStringSyntax: Error, Sendable {
    /// The input ends inside the string that opens at `start`.
    case unterminated(start: Int)
    /// A raw byte below U+0020, which must be escaped.
    case controlCharacter(UInt8)
    /// The input ends right after a backslash.
    case unterminatedEscape
    /// A backslash followed by a byte that starts no escape (`position` is past that byte).
    case invalidEscape(escapeStart: Int)
    /// `\u` not followed by four hex digits (`position` is at the first non-hex byte).
    case notHexDigit
    /// `\uDC00`–`\uDFFF` with no high surrogate before it.
    case loneLowSurrogate(UInt16, escapeStart: Int)
    /// `\uD800`–`\uDBFF` not followed by a `\u` escape.
    case loneHighSurrogate(UInt16, escapeStart: Int)
    /// A high surrogate followed by a `\u` escape, at `lowStart`, that is not a low surrogate.
    case notLowSurrogate(high: UInt16, low: UInt16, lowStart: Int)
}
