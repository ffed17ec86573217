// The spec JSON parser: what it accepts and how it types it, and every class of input it refuses,
// with the position and JSON path the refusal must carry.

import AttnGen
import Foundation
import Testing

private func parse(_ text: String) throws(SpecError) -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

private func refusal(_ bytes: [UInt8]) -> SpecError? {
    do {
        _ = try JSONValue.parse(Data(bytes))
        return nil
    } catch {
        return error
    }
}

private func refusal(_ text: String) -> SpecError? { refusal(Array(text.utf8)) }

/// One input the parser must refuse: the path it must name and fragments of its message.
struct Refusal: CustomTestStringConvertible, Sendable {
    let label: String
    let bytes: [UInt8]
    let path: String
    let fragments: [String]

    init(_ label: String, _ text: String, path: String = "", _ fragments: String...) {
        self.label = label
        self.bytes = Array(text.utf8)
        self.path = path
        self.fragments = fragments
    }

    init(_ label: String, bytes: [UInt8], path: String = "", _ fragments: String...) {
        self.label = label
        self.bytes = bytes
        self.path = path
        self.fragments = fragments
    }

    var testDescription: String { label }
}

@Suite("Strict spec JSON")
struct StrictJSONTests {
    // MARK: accepted

    @Test func everyGeneratedSpecRoundTrips() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.generated.path).filter { $0.hasSuffix(".spec.json") }
        #expect(files.count >= 20)
        for file in files {
            let value = try JSONValue.parse(Data(contentsOf: Paths.generated.appendingPathComponent(file)))
            let text = value.serialized()
            #expect(try parse(text) == value, "\(file)")
            #expect(try parse(text).serialized() == text, "\(file)")
        }
    }

    @Test func serializedTextIsUnchanged() throws {
        // The canonical form is embedded in generated C; it must stay byte-identical.
        let value = try parse(#"{"b": [1, 2.5, "x\u0001\n", null, true], "a": {"z": [], "y": {}, "x": [{"k": -0.0}]}}"#)
        #expect(value.serialized() == """
            {
              "a": {
                "x": [
                  {
                    "k": -0.0
                  }
                ],
                "y": {},
                "z": []
              },
              "b": [1, 2.5, "x\\u0001\\n", null, true]
            }

            """)
    }

    @Test func everyFixtureSpecParses() throws {
        for name in Paths.fixtureNames() {
            let data = try Data(contentsOf: Paths.fixtures.appendingPathComponent("\(name)/spec.json"))
            let value = try JSONValue.parse(data)
            // Parsing the serialized form gives the same tree.
            #expect(try parse(value.serialized()) == value, "\(name)")
        }
    }

    @Test func valuesAndTypes() throws {
        let text = #"""
            {"i": 1, "neg": -7, "zero": -0, "f": 1.0, "e": 1e2, "E": 2.5E-3, "max": 9223372036854775807,
             "min": -9223372036854775808, "t": true, "n": null, "s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é",
             "a": [], "o": {}, "nested": [[{"k": [null]}]]}
            """#
        guard case .object(let o) = try parse(text) else {
            Issue.record("not an object")
            return
        }
        // An integer token (no fraction, no exponent) is .int; anything with '.' or an exponent is .double.
        #expect(o["i"] == .int(1))
        #expect(o["neg"] == .int(-7))
        #expect(o["zero"] == .int(0))
        #expect(o["f"] == .double(1.0))
        #expect(o["e"] == .double(100))
        #expect(o["E"] == .double(0.0025))
        #expect(o["max"] == .int(Int.max))
        #expect(o["min"] == .int(Int.min))
        #expect(o["t"] == .bool(true))
        #expect(o["n"] == .null)
        #expect(o["s"] == .string("a\"\\/\u{08}\u{0C}\n\r\té😀é"))
        #expect(o["a"] == .array([]))
        #expect(o["o"] == .object([:]))
        #expect(o["nested"] == .array([.array([.object(["k": .array([.null])])])]))
    }

    @Test func bigAndSmallNumbersThatFit() throws {
        #expect(try parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try parse("-1.7976931348623157e308") == .double(-.greatestFiniteMagnitude))
        #expect(try parse("4.9e-324") == .double(.leastNonzeroMagnitude))
        #expect(try parse("0e-400") == .double(0))
        #expect(try parse("0.000e99999") == .double(0))
        #expect(try parse("123456789012345678901234567890.0") == .double(123456789012345678901234567890.0))
    }

    @Test func whitespaceAroundTheDocument() throws {
        #expect(try parse(" \t\r\n{\"a\" :\n1 } \n") == .object(["a": .int(1)]))
    }

    @Test func nestingUpToTheCap() throws {
        let depth = 100
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) }
        let objects = String(repeating: #"{"k":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: Never.self) { try parse(objects) }
    }

    // MARK: refused

    static let refusals: [Refusal] = [
        Refusal("duplicate key", #"{"name": "a", "name": "b"}"#, #"duplicate key "name""#, "line 1, column 15 (byte 14)",
                "first given at line 1, column 2 (byte 1)"),
        Refusal("nested duplicate key", "{\"blocks\": [{}, {\"input\": {\"c\": 1,\n  \"c\": 2}}]}", path: "blocks[1].input",
                #"duplicate key "c""#, "line 2, column 3"),
        Refusal("duplicate key by escape", #"{"n": 1, "\u006e": 2}"#, #"duplicate key "n""#),
        Refusal("duplicate key by canonical equivalence", "{\"\u{E9}\": 1, \"e\u{301}\": 2}", "duplicate key", "canonical equivalence"),
        Refusal("trailing comma in array", #"{"a": [1, 2,]}"#, path: "a", "trailing comma before ']'"),
        Refusal("trailing comma in object", #"{"a": {"b": 1,}}"#, path: "a", "trailing comma before '}'"),
        Refusal("line comment", "{\"a\": 1 // x\n}", "comments are not allowed"),
        Refusal("block comment", "/* x */ {}", "comments are not allowed", "column 1"),
        Refusal("single-quoted key", "{'a': 1}", "double quotes, not single quotes"),
        Refusal("single-quoted value", "{\"a\": 'x'}", path: "a", "double quotes, not single quotes"),
        Refusal("NaN", #"{"a": NaN}"#, path: "a", "NaN is not a JSON value"),
        Refusal("Infinity", "[Infinity]", path: "[0]", "Infinity is not a JSON value"),
        Refusal("-Infinity", #"{"a": [1, -Infinity]}"#, path: "a[1]", "-Infinity is not a JSON value"),
        Refusal("capitalised True", "True", #"unexpected word "True""#),
        Refusal("null with a tail", "[nullx]", path: "[0]", #"unexpected word "nullx""#),
        Refusal("UTF-16LE with BOM", bytes: [0xFF, 0xFE] + Array("{}".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
                "UTF-16LE", "spec files must be UTF-8"),
        Refusal("UTF-16BE without BOM", bytes: Array("{}".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, "UTF-16BE",
                "spec files must be UTF-8"),
        Refusal("UTF-32BE", bytes: [0, 0, 0, 0x7B, 0, 0, 0, 0x7D], "UTF-32BE", "spec files must be UTF-8"),
        Refusal("UTF-32LE with BOM", bytes: [0xFF, 0xFE, 0, 0, 0x7B, 0, 0, 0], "UTF-32LE", "spec files must be UTF-8"),
        Refusal("UTF-8 BOM", bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), "byte-order mark", "spec files must be UTF-8"),
        Refusal("invalid UTF-8", bytes: Array("{\"a\": \"x".utf8) + [0xFF] + Array("\"}".utf8), "invalid UTF-8 (byte 0xFF)",
                "(byte 8)"),
        Refusal("truncated UTF-8 sequence", bytes: Array("[\"".utf8) + [0xE2, 0x82] + Array("\"]".utf8), "invalid UTF-8", "(byte 2)"),
        Refusal("encoded surrogate", bytes: Array("[\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"]".utf8), "invalid UTF-8"),
        Refusal("lone high surrogate", #"{"a": "\ud800"}"#, path: "a", #"lone high surrogate \ud800"#),
        Refusal("lone high surrogate at the end", #"{"a": "x\udbff"}"#, path: "a", #"lone high surrogate \udbff"#),
        Refusal("lone low surrogate", #"["\udc00"]"#, path: "[0]", #"lone low surrogate \udc00"#),
        Refusal("mismatched surrogates", #"["\ud800\u0041"]"#, path: "[0]", #"high surrogate \ud800 is followed by \u0041"#),
        Refusal("two high surrogates", #"["\ud800\ud800"]"#, path: "[0]", "not by a low surrogate"),
        Refusal("raw newline in a string", "[\"a\nb\"]", path: "[0]", "control character U+000A", #"\n"#),
        Refusal("raw NUL in a string", "[\"a\u{0}b\"]", path: "[0]", "control character U+0000", #"\u0000"#),
        Refusal("raw control character in a key", "{\"a\u{1}\": 1}", "control character U+0001"),
        Refusal("invalid escape", #"["\x41"]"#, path: "[0]", #"invalid escape \x"#),
        Refusal("short unicode escape", #"["\u12"]"#, path: "[0]", "expected 4 hex digits"),
        Refusal("leading zero", #"{"a": 064}"#, path: "a", "number 064 has a leading zero"),
        Refusal("negative leading zero", "[-01]", path: "[0]", "number -01 has a leading zero"),
        Refusal("double overflow", #"{"a": 1e400}"#, path: "a", "number 1e400 is out of range"),
        Refusal("negative double overflow", "[-1.8e308]", path: "[0]", "out of range"),
        Refusal("double underflow", "[1e-400]", path: "[0]", "1e-400", "round to 0"),
        Refusal("integer overflow", "[9223372036854775808]", path: "[0]", "integer 9223372036854775808 is out of range"),
        Refusal("integer underflow", "[-9223372036854775809]", path: "[0]", "integer -9223372036854775809 is out of range"),
        Refusal("bare minus", "[-]", path: "[0]", "expected a digit after '-'"),
        Refusal("trailing dot", "[1.]", path: "[0]", "expected a digit after the '.' in 1."),
        Refusal("leading dot", "[.5]", path: "[0]", "must start with a digit, not '.'"),
        Refusal("plus sign", "[+5]", path: "[0]", "must not start with '+'"),
        Refusal("empty exponent", "[1e]", path: "[0]", "exponent"),
        Refusal("hex number", "[0x10]", "expected ',' or ']'"),
        Refusal("trailing garbage", "{} x", "unexpected 'x' after the end of the JSON document", "column 4 (byte 3)"),
        Refusal("second document", "{}\n{}", "after the end of the JSON document", "line 2, column 1"),
        Refusal("empty input", "", "the file is empty"),
        Refusal("whitespace only", " \n ", "only whitespace", "line 2, column 2"),
        Refusal("unterminated string", #"{"a": "b"#, path: "a", "unterminated string"),
        Refusal("unterminated object", #"{"a": 1"#, "unexpected end of input inside an object"),
        Refusal("unterminated array", #"{"a": [1"#, path: "a", "unexpected end of input inside an array"),
        Refusal("missing colon", #"{"a" 1}"#, #"expected ':' after key "a""#),
        Refusal("missing comma", #"{"a": 1 "b": 2}"#, #"expected ',' or '}' after the value of "a""#),
        Refusal("lone comma", "[,]", path: "[0]", "expected a JSON value, found ','"),
        Refusal("too deep", String(repeating: "[", count: 101) + String(repeating: "]", count: 101), "nested deeper than 100 levels"),
        Refusal("100000 deep", String(repeating: "[", count: 100_000), "nested deeper than 100 levels"),
        Refusal("100000 deep objects", String(repeating: #"{"k":"#, count: 100_000), "nested deeper than 100 levels"),
    ]

    @Test(arguments: refusals)
    func refused(_ c: Refusal) {
        guard let error = refusal(c.bytes) else {
            Issue.record("accepted")
            return
        }
        // Deep inputs name a long path of [0] or .k steps; only its start is pinned.
        if c.label.contains("deep") {
            #expect(error.path.hasPrefix(c.label.contains("objects") ? "k.k" : "[0][0]"), "\(error)")
        } else {
            #expect(error.path == c.path, "\(error)")
        }
        #expect(error.message.hasPrefix("malformed JSON at line "), "\(error)")
        for f in c.fragments {
            #expect(error.message.contains(f), "\(error) lacks \(f)")
        }
        for leak in ["DecodingError", "Dictionary<", "Swift.", "NSCocoa", "typeMismatch"] {
            #expect(!error.description.contains(leak), "\(error)")
        }
    }

    @Test func documentSizeIsCapped() throws {
        // Padding with whitespace keeps the document valid; only its size is wrong.
        let doc = "{}" + String(repeating: " ", count: JSONValue.maxDocumentBytes - 2)
        #expect(try parse(doc) == .object([:]))
        let error = refusal(doc + " ")
        #expect(error?.path == "")
        #expect(error?.message == "the document is \(JSONValue.maxDocumentBytes + 1) bytes; a spec document may be at most \(JSONValue.maxDocumentBytes) bytes")
    }

    @Test func columnsCountCharactersNotBytes() {
        let error = refusal("{\"é\": 1,\n \"ü\": 2, \"ü\": 3}")
        #expect(error?.message.contains("line 2, column 10 (byte 20)") == true, "\(String(describing: error))")
    }

    @Test func aFractionIsNotAnInteger() {
        let spec = #"{"name": "b", "kind": "se", "input": {"c": 16.0, "h": 4, "w": 4}}"#
        do {
            _ = try BlockSpec.decodeFile(Data(spec.utf8))
            Issue.record("16.0 accepted as an integer")
        } catch {
            #expect(error.path == "input.c")
            #expect(error.message == "must be an integer, got 16.0")
        }
    }

    @Test func blockPathsComeFromOneParse() throws {
        let one = #"{"name": "b", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#
        #expect(try BlockSpec.decodeBlocks(Data(one.utf8)).map(\.path) == [""])
        let two = #"{"blocks": [\#(one), {"name": "c", "kind": "eca", "input": {"c": 16, "h": 4, "w": 4}}]}"#
        #expect(try BlockSpec.decodeBlocks(Data(two.utf8)).map(\.path) == ["blocks[0]", "blocks[1]"])
    }
}
