import Testing
import AttnWeights

/// One test per rule: the file is built by hand to break exactly that rule, and the error
/// must name the rule, the file, and the tensor when there is one.
@Suite struct ErrorRuleTests {
    /// A valid F32 entry, for headers that need a well-formed neighbour.
    private static func entry(_ name: String, shape: String = "[2]", offsets: String = "[0,8]", dtype: String = "\"F32\"") -> String {
        #""\#(name)":{"dtype":\#(dtype),"shape":\#(shape),"data_offsets":\#(offsets)}"#
    }

    /// Asserts that `bytes` is refused for `rule` and that the message names `tensor`.
    private func expectRefused(_ bytes: [UInt8], _ rule: WeightsError.Rule, tensor: String?,
                               mentions: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = parseError(bytes, source: "case.safetensors") else {
            Issue.record("accepted, expected \(rule)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.rule == rule, "\(error)", sourceLocation: sourceLocation)
        #expect(error.source == "case.safetensors", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("case.safetensors: "), sourceLocation: sourceLocation)
        #expect(error.tensor == tensor, "\(error)", sourceLocation: sourceLocation)
        if let tensor {
            #expect(error.description.contains("tensor \"\(tensor)\": "), "\(error)", sourceLocation: sourceLocation)
        }
        if let mentions {
            #expect(error.description.contains(mentions), "\(error)", sourceLocation: sourceLocation)
        }
    }

    private let eightBytes = [UInt8](repeating: 0, count: 8)

    @Test func fileNotFound() {
        let path = "/tmp/attnweights-definitely-missing-\(UInt64.random(in: 0...UInt64.max)).safetensors"
        #expect(throws: WeightsError(source: path, rule: .fileNotFound, detail: "no such file")) {
            try SafeTensorsFile.load(path: path)
        }
    }

    @Test func fileUnreadable() {
        do {
            _ = try SafeTensorsFile.load(path: "/tmp")
            Issue.record("a directory was loaded")
        } catch {
            #expect(error.rule == .fileUnreadable)
            #expect(error.source == "/tmp")
            #expect(error.tensor == nil)
        }
    }

    @Test func fileTooShort() {
        expectRefused([], .fileTooShort, tensor: nil, mentions: "0 bytes")
        expectRefused([1, 0, 0, 0, 0, 0, 0], .fileTooShort, tensor: nil, mentions: "7 bytes")
    }

    @Test func headerLengthOutOfRange() {
        expectRefused(Array(handMadeFile(header: "{}").dropLast()), .headerLengthOutOfRange, tensor: nil)
        expectRefused(littleEndianBytes([UInt64(1000)]) + Array("{}".utf8), .headerLengthOutOfRange, tensor: nil,
                      mentions: "runs past the end of the file")
        expectRefused(littleEndianBytes([UInt64.max]), .headerLengthOutOfRange, tensor: nil, mentions: "limit")
        expectRefused(littleEndianBytes([UInt64(100_000_001)]) + Array("{}".utf8), .headerLengthOutOfRange, tensor: nil,
                      mentions: "limit")
        expectRefused(littleEndianBytes([UInt64(1) << 63]), .headerLengthOutOfRange, tensor: nil)
    }

    @Test func invalidHeader() {
        expectRefused(eightBytes, .invalidHeader, tensor: nil, mentions: "not valid JSON")
        expectRefused(handMadeFile(header: "{") , .invalidHeader, tensor: nil)
        expectRefused(littleEndianBytes([UInt64(4)]) + [0x7B, 0xFF, 0xFE, 0x7D], .invalidHeader, tensor: nil,
                      mentions: "UTF-8 (byte 1")
        expectRefused(littleEndianBytes([UInt64(4)]) + [0x7B, 0xED, 0xA0, 0x80], .invalidHeader, tensor: nil,
                      mentions: "UTF-8")  // an encoded surrogate is not valid UTF-8
        expectRefused(handMadeFile(header: "{} x"), .invalidHeader, tensor: nil, mentions: "after the end")
        expectRefused(handMadeFile(header: "{}{}"), .invalidHeader, tensor: nil)
        expectRefused(handMadeFile(header: "[]"), .invalidHeader, tensor: nil, mentions: "not a JSON object")
        expectRefused(handMadeFile(header: "\"x\""), .invalidHeader, tensor: nil)
        expectRefused(handMadeFile(header: "{\"a\":1,}"), .invalidHeader, tensor: nil)
        expectRefused(handMadeFile(header: "{\"a\"\u{0}:1}"), .invalidHeader, tensor: nil)
        expectRefused(handMadeFile(header: "{\"a\u{1}\":1}"), .invalidHeader, tensor: nil, mentions: "control character")
        expectRefused(handMadeFile(header: #"{"\ud800":1}"#), .invalidHeader, tensor: nil, mentions: "surrogate")
        expectRefused(handMadeFile(header: #"{"a":01}"#), .invalidHeader, tensor: nil)
        expectRefused(handMadeFile(header: #"{"a":tru}"#), .invalidHeader, tensor: nil)
        // Deep nesting is refused, not recursed into until the stack runs out.
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        expectRefused(handMadeFile(header: deep), .invalidHeader, tensor: nil, mentions: "nested deeper")
    }

    @Test func malformedEntry() {
        let cases: [String] = [
            #"{"w":[1,2]}"#,
            #"{"w":{"shape":[2],"data_offsets":[0,8]}}"#,
            #"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#,
            #"{"w":{"dtype":"F32","shape":[2]}}"#,
            #"{"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#,
            #"{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#,
            #"{"w":{"dtype":"F32","shape":[2],"data_offsets":{"begin":0}}}"#,
            #"{"w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
        ]
        for header in cases {
            expectRefused(handMadeFile(header: header, data: eightBytes), .malformedEntry, tensor: "w")
        }
    }

    @Test func malformedMetadata() {
        let valid = Self.entry("w")
        for metadata in [#"{"a":1}"#, #"["a"]"#, #"{"a":"x","a":"y"}"#, #"{"a":null}"#] {
            expectRefused(handMadeFile(header: "{\"__metadata__\":\(metadata),\(valid)}", data: eightBytes),
                          .malformedMetadata, tensor: nil, mentions: "__metadata__")
        }
    }

    @Test func unknownDType() {
        for dtype in ["\"F4\"", "\"f32\"", "\"C64\"", "\"\""] {
            expectRefused(handMadeFile(header: "{\(Self.entry("fc1.weight", dtype: dtype))}", data: eightBytes),
                          .unknownDType, tensor: "fc1.weight", mentions: "unknown dtype")
        }
    }

    @Test func invalidShape() {
        for shape in ["[-1]", "[2.0]", "[\"2\"]", "[1e2]", "[null]", "[2,-99999999999999999999]"] {
            expectRefused(handMadeFile(header: "{\(Self.entry("w", shape: shape))}", data: eightBytes),
                          .invalidShape, tensor: "w", mentions: "shape[")
        }
    }

    @Test func shapeOverflow() {
        for shape in ["[4294967296,4294967296]", "[99999999999999999999]", "[2305843009213693952]", "[3037000500,3037000500,0]"] {
            expectRefused(handMadeFile(header: "{\(Self.entry("w", shape: shape))}", data: eightBytes),
                          .shapeOverflow, tensor: "w", mentions: "64-bit")
        }
    }

    @Test func invalidOffsets() {
        for offsets in ["[0]", "[0,8,8]", "[8,0]", "[-1,7]", "[0,8.0]", "[\"0\",8]", "[0,99999999999999999999]", "[]"] {
            expectRefused(handMadeFile(header: "{\(Self.entry("w", offsets: offsets))}", data: eightBytes),
                          .invalidOffsets, tensor: "w", mentions: "data_offsets [")
        }
    }

    @Test func offsetsPastEnd() {
        let header = "{\(Self.entry("fc1.weight", shape: "[32,32]", offsets: "[0,4096]"))}"
        let error = parseError(handMadeFile(header: header, data: [UInt8](repeating: 0, count: 2048)),
                               source: "se.safetensors")
        #expect(error?.rule == .offsetsPastEnd)
        #expect(error?.tensor == "fc1.weight")
        #expect(error?.description
            == #"se.safetensors: tensor "fc1.weight": data_offsets [0, 4096] run past the end of the data (2048 bytes)"#)
        // Also past the end when the end is huge but still representable.
        expectRefused(handMadeFile(header: "{\(Self.entry("w", shape: "[0]", offsets: "[9223372036854775807,9223372036854775807]"))}"),
                      .offsetsPastEnd, tensor: "w")
    }

    @Test func byteLengthMismatch() {
        expectRefused(handMadeFile(header: "{\(Self.entry("w", shape: "[3]", offsets: "[0,8]"))}", data: eightBytes),
                      .byteLengthMismatch, tensor: "w", mentions: "needs 12")
        expectRefused(handMadeFile(header: "{\(Self.entry("w", shape: "[]", offsets: "[0,0]"))}", data: eightBytes),
                      .byteLengthMismatch, tensor: "w", mentions: "needs 4")
    }

    @Test func overlappingData() {
        let header = "{\(Self.entry("a", offsets: "[0,8]")),\(Self.entry("b", offsets: "[4,12]"))}"
        expectRefused(handMadeFile(header: header, data: [UInt8](repeating: 0, count: 12)),
                      .overlappingData, tensor: "b", mentions: "tensor \"a\"")
        // Identical ranges overlap too; empty tensors anywhere do not.
        let same = "{\(Self.entry("x", offsets: "[0,8]")),\(Self.entry("y", offsets: "[0,8]")),\(Self.entry("z", shape: "[0]", offsets: "[4,4]"))}"
        expectRefused(handMadeFile(header: same, data: eightBytes), .overlappingData, tensor: "y")
        let inside = "{\(Self.entry("big", shape: "[4]", offsets: "[0,16]")),\(Self.entry("small", shape: "[1]", offsets: "[4,8]"))}"
        expectRefused(handMadeFile(header: inside, data: eightBytes + eightBytes), .overlappingData, tensor: "small")
        let empties = "{\(Self.entry("x", offsets: "[0,8]")),\(Self.entry("z", shape: "[0]", offsets: "[4,4]"))}"
        #expect(parseError(handMadeFile(header: empties, data: eightBytes)) == nil)
    }

    @Test func duplicateName() {
        let header = "{\(Self.entry("w")),\(Self.entry("w", offsets: "[8,16]"))}"
        expectRefused(handMadeFile(header: header, data: eightBytes + eightBytes), .duplicateName, tensor: "w",
                      mentions: "appears twice")
        // The same name spelled with an escape is still the same name.
        let escaped = "{\(Self.entry("w")),\(Self.entry("\\u0077", offsets: "[8,16]"))}"
        expectRefused(handMadeFile(header: escaped, data: eightBytes + eightBytes), .duplicateName, tensor: "w")
        let metadataTwice = #"{"__metadata__":{},"__metadata__":{}}"#
        expectRefused(handMadeFile(header: metadataTwice), .duplicateName, tensor: nil, mentions: "__metadata__")
    }

    @Test func wrongDType() throws {
        let header = "{\(Self.entry("ids", shape: "[1]", dtype: "\"I64\""))}"
        let file = try SafeTensorsFile(bytes: handMadeFile(header: header, data: eightBytes), source: "case.safetensors")
        #expect(throws: WeightsError.self) { try file.floats("ids") }
        do {
            _ = try file.floats("ids")
        } catch {
            #expect(error.rule == .wrongDType)
            #expect(error.tensor == "ids")
            #expect(error.description.hasPrefix(#"case.safetensors: tensor "ids": dtype I64"#))
        }
    }

    @Test func unknownTensor() throws {
        let names = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "conv.weight", "head.weight", "head.bias", "zz"]
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode(names.map { (name: $0, shape: [1], values: [0]) }),
                                       source: "se.safetensors")
        do {
            _ = try file.floats("fc3.weight")
            Issue.record("unknown name accepted")
        } catch {
            #expect(error.rule == .unknownTensor)
            #expect(error.tensor == "fc3.weight")
            // Same last component first, longest shared prefix first among those; at most five.
            #expect(error.description
                == #"se.safetensors: tensor "fc3.weight": no such tensor; nearest: "fc1.weight", "fc2.weight", "conv.weight", "head.weight", "fc1.bias" (8 tensors in the file)"#)
        }
        do {
            _ = try file.firstNonFinite("qqq")
            Issue.record("unknown name accepted")
        } catch {
            #expect(error.rule == .unknownTensor)
            #expect(error.description.contains("none is similar"))
        }
        let empty = try SafeTensorsFile(bytes: SafeTensorsWriter.encode([]), source: "e.safetensors")
        #expect(throws: WeightsError(source: "e.safetensors", tensor: "x", rule: .unknownTensor,
                                     detail: "no such tensor; the file has no tensors")) {
            try empty.tensor("x")
        }
    }
}
