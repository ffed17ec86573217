import Testing
import AttnWeights

/// Seeded random mutations of a valid file. The reader may accept or refuse each one, but
/// must never trap; every accepted file must then also survive every accessor. A crash
/// here kills the test process, which is the failure signal.
@Suite struct MutationFuzzTests {
    static let iterations = 20_000

    /// A valid file exercising several dtypes, a scalar, an empty tensor and metadata.
    static let seedFile: [UInt8] = {
        let header = """
            {"__metadata__":{"format":"pt"},\
            "a.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},\
            "a.bias":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},\
            "b":{"dtype":"BF16","shape":[],"data_offsets":[20,22]},\
            "c":{"dtype":"F64","shape":[1],"data_offsets":[22,30]},\
            "e":{"dtype":"F32","shape":[0,3],"data_offsets":[30,30]},\
            "ids":{"dtype":"I64","shape":[1],"data_offsets":[30,38]},\
            "q":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[38,40]}}
            """
        return handMadeFile(header: header, data: (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
    }()

    /// Fragments that push the parser and validator into their edge cases.
    static let tokens: [String] = [
        "-1", "0", "1e3", "2.5", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "\"", "\\", "\\u", "\\ud800", "{", "}", "[", "]", ",", ":", "null", "true", "[]", "{}",
        "\"F16\"", "\"U8\"", "\"X\"", "\"__metadata__\"", "\"a.weight\"", "\"shape\"", "\"dtype\"",
        "\"data_offsets\"", "[0,0]", "[0,40]", "[40,0]", " ", "\u{00}", "\u{FF}", "é",
    ]

    /// The declared header length when it fits inside `bytes`, else nil.
    private func headerLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 8 else { return nil }
        let declared = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return declared <= UInt64(bytes.count - 8) ? Int(declared) : nil
    }

    private func withLength(_ header: [UInt8], data: ArraySlice<UInt8>) -> [UInt8] {
        littleEndianBytes([UInt64(header.count)]) + header + data
    }

    private func mutate(_ base: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = base
        guard !bytes.isEmpty else { return bytes }
        // Header edits need a consistent length prefix; without one, flip bytes instead.
        let headerEnd = 8 + (headerLength(base) ?? 0)
        var kind = rng.below(7)
        if kind >= 3 && headerLength(base) == nil { kind = 2 }
        switch kind {
        case 0:  // truncate anywhere
            bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 1:  // flip 1-4 random bits anywhere
            for _ in 0...rng.below(4) {
                let i = rng.below(bytes.count)
                bytes[i] ^= UInt8(1) << UInt8(rng.below(8))
            }
        case 2:  // set random bytes to random values
            for _ in 0...rng.below(4) {
                bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 3:  // rewrite the length prefix with an edge value or a random one
            let choices: [UInt64] = [0, 1, 7, 8, UInt64(max(headerEnd - 9, 0)), UInt64(headerEnd - 7), UInt64(bytes.count),
                                     100_000_000, 100_000_001, UInt64(Int.max), UInt64(Int.max) + 1, .max, rng.next()]
            let value = choices[rng.below(choices.count)]
            bytes.replaceSubrange(0..<8, with: littleEndianBytes([value]))
        case 4, 5:  // replace a header span with a token, fixing up the length prefix
            var header = Array(bytes[8..<headerEnd])
            let start = rng.below(header.count + 1)
            let length = min(rng.below(6), header.count - start)
            let token = Self.tokens[rng.below(Self.tokens.count)]
            header.replaceSubrange(start..<(start + length), with: Array(token.utf8))
            bytes = withLength(header, data: bytes[headerEnd...])
        default:  // delete or duplicate a header span, fixing up the length prefix
            var header = Array(bytes[8..<headerEnd])
            let start = rng.below(header.count + 1)
            let length = min(rng.below(12), header.count - start)
            if rng.below(2) == 0 {
                header.removeSubrange(start..<(start + length))
            } else {
                header.insert(contentsOf: header[start..<(start + length)], at: start)
            }
            bytes = withLength(header, data: bytes[headerEnd...])
        }
        return bytes
    }

    @Test func mutatedFilesNeverCrashTheReader() throws {
        #expect(parseError(Self.seedFile) == nil, "the seed file itself must be valid")
        var rng = SplitMix64(state: 0x5EED_A77E)
        var accepted = 0
        var refusedByRule: [WeightsError.Rule: Int] = [:]
        for iteration in 0..<Self.iterations {
            var bytes = mutate(Self.seedFile, &rng)
            // Sometimes stack a second mutation so errors deeper in the header are reached.
            if rng.below(4) == 0 {
                bytes = mutate(bytes, &rng)
            }
            do {
                let file = try SafeTensorsFile(bytes: bytes, source: "fuzz-\(iteration)")
                accepted += 1
                for name in file.names() {
                    let tensor = try file.tensor(name)
                    #expect(tensor.bytes.count == tensor.elementCount * tensor.dtype.byteSize)
                    if tensor.dtype.isFloatingPoint {
                        #expect(try file.floats(name).count == tensor.elementCount)
                        _ = try file.firstNonFinite(name)
                    } else {
                        #expect(throws: WeightsError.self) { try file.floats(name) }
                    }
                }
            } catch {
                refusedByRule[error.rule, default: 0] += 1
                #expect(!error.description.isEmpty)
            }
        }
        // The mutations must actually reach both outcomes and a good spread of rules.
        #expect(accepted > 100)
        #expect(refusedByRule.count >= 10, "\(refusedByRule)")
    }
}
