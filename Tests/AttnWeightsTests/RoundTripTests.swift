import Testing
import AttnWeights

@Suite struct RoundTripTests {
    let tensors: [(name: String, shape: [Int], values: [Float])] = [
        (name: "fc1.weight", shape: [2, 3], values: [1, -2, 3.5, 0, -0.0, .leastNonzeroMagnitude]),
        (name: "fc1.bias", shape: [2], values: [0.25, -7]),
        (name: "scale", shape: [], values: [42]),
        (name: "empty", shape: [0, 4], values: []),
        (name: "conv.weight", shape: [1, 1, 2, 2], values: [.infinity, -.infinity, .nan, .greatestFiniteMagnitude]),
    ]

    @Test func writerOutputReadsBackBitForBit() throws {
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode(tensors), source: "rt.safetensors")
        #expect(file.names() == ["conv.weight", "empty", "fc1.bias", "fc1.weight", "scale"])
        #expect(file.metadata.isEmpty)
        for t in tensors {
            let read = try file.floats(t.name)
            #expect(read.map(\.bitPattern) == t.values.map(\.bitPattern), "\(t.name)")
            #expect(file.tensors[t.name]?.shape == t.shape)
            #expect(file.tensors[t.name]?.dtype == .f32)
            #expect(file.tensors[t.name]?.elementCount == t.values.count)
        }
        #expect(try file.tensor("scale").shape == [])
        #expect(try file.floats("empty") == [])
    }

    @Test func writerIsDeterministicAndOrderIndependent() throws {
        let a = try SafeTensorsWriter.encode(tensors, metadata: ["b": "2", "a": "1"])
        let b = try SafeTensorsWriter.encode(tensors.reversed(), metadata: ["a": "1", "b": "2"])
        #expect(a == b)
    }

    @Test func headerMatchesReferenceLayout() throws {
        let bytes = try SafeTensorsWriter.encode([(name: "b", shape: [2], values: [1, 2]), (name: "a", shape: [], values: [3])],
                                             metadata: ["format": "pt"])
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        let expected = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(header.hasPrefix(expected))
        #expect(header.dropFirst(expected.count).allSatisfy { $0 == " " })
        #expect(bytes.count == 8 + length + 12)
    }

    @Test func emptyFileHasAnEightByteHeader() throws {
        let bytes = try SafeTensorsWriter.encode([])
        #expect(bytes.count == 16)
        #expect(String(decoding: bytes[8...], as: UTF8.self) == "{}      ")
        let file = try SafeTensorsFile(bytes: bytes, source: "empty.safetensors")
        #expect(file.names().isEmpty)
    }

    @Test func metadataRoundTrips() throws {
        let metadata = ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t ü", "": "empty key"]
        let bytes = try SafeTensorsWriter.encode([(name: "x", shape: [1], values: [1])], metadata: metadata)
        let file = try SafeTensorsFile(bytes: bytes, source: "m.safetensors")
        #expect(file.metadata == metadata)
        #expect(try file.floats("x") == [1])
    }

    @Test func namesWithEscapesRoundTrip() throws {
        let names = ["with \"quotes\"", "back\\slash", "ctrl\u{01}", "ünï.cödé", "emoji😀"]
        let bytes = try SafeTensorsWriter.encode(names.enumerated().map { (name: $1, shape: [1], values: [Float($0)]) })
        let file = try SafeTensorsFile(bytes: bytes, source: "n.safetensors")
        #expect(Set(file.names()) == Set(names))
        for (i, name) in names.enumerated() {
            #expect(try file.floats(name) == [Float(i)])
        }
    }

    @Test func readerAcceptsEscapedNamesAndExtraKeys() throws {
        // \u escapes (including a surrogate pair) and unknown entry keys, as other writers may emit.
        let header = #"{"a\u00e9\ud83d\ude00\/" : {"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":[1,{"x":null}]}}"#
        let file = try SafeTensorsFile(bytes: handMadeFile(header: header, data: littleEndianBytes([Float(2).bitPattern])),
                                       source: "e.safetensors")
        #expect(file.names() == ["aé😀/"])
        #expect(try file.floats("aé😀/") == [2])
    }

    @Test func largeTensorRoundTrips() throws {
        let n = 1 << 20
        let values = (0..<n).map { Float($0) * 0.5 }
        let file = try SafeTensorsFile(bytes: SafeTensorsWriter.encode([(name: "big", shape: [1024, 1024], values: values)]),
                                       source: "big.safetensors")
        #expect(try file.floats("big") == values)
        #expect(try file.firstNonFinite("big") == nil)
    }

    @Test func loadsFromDisk() throws {
        let path = "/tmp/attnweights-test-\(UInt64.random(in: 0...UInt64.max)).safetensors"
        let bytes = try SafeTensorsWriter.encode(tensors)
        #expect(FileManagerShim.write(bytes, to: path))
        defer { FileManagerShim.remove(path) }
        let file = try SafeTensorsFile.load(path: path)
        #expect(file.source == path)
        #expect(try file.floats("fc1.bias") == [0.25, -7])
        #expect(file.tensors == (try SafeTensorsFile(bytes: bytes, source: "other")).tensors)
    }

    @Test func firstNonFiniteFindsTheIndex() throws {
        let bytes = try SafeTensorsWriter.encode([
            (name: "ok", shape: [3], values: [1, 2, 3]),
            (name: "nan", shape: [4], values: [1, 2, .nan, .infinity]),
            (name: "inf", shape: [2, 2], values: [0, 0, 0, -.infinity]),
        ])
        let file = try SafeTensorsFile(bytes: bytes, source: "nf.safetensors")
        #expect(try file.firstNonFinite("ok") == nil)
        #expect(try file.firstNonFinite("nan") == 2)
        #expect(try file.firstNonFinite("inf") == 3)
    }
}

/// `encodeRaw` lays files out as given; the reader takes what it writes and refuses what lies.
@Test func rawEncodingKeepsOrderAndBytes() throws {
    let w: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]  // 1.0, 2.0 as F32
    let good = SafeTensorsWriter.encodeRaw([("b", "F32", [2], w), ("a", "I64", [1], [7, 0, 0, 0, 0, 0, 0, 0])])
    let file = try SafeTensorsFile(bytes: good, source: "raw")
    #expect(try file.floats("b") == [1, 2])
    #expect(file.tensors["a"]?.dtype == .i64)
    #expect(throws: WeightsError.self) { try SafeTensorsFile(bytes: SafeTensorsWriter.encodeRaw([("c", "F32", [3], w)]), source: "raw") }
}
