import Testing
@testable import AttnTFLite

/// Seeded random mutations of the committed models. The reader may accept or refuse each one,
/// but never trap; every accepted model must then survive the importer too (which reads every
/// tensor's data and quantisation it matches on). A crash kills the test process: the failure.
@Suite struct TFLiteMutationFuzzTests {
    static let iterations = 4_000

    /// 32-bit values that make offsets, counts and indices interesting.
    static let words: [UInt32] = [0, 1, 2, 3, 4, 7, 8, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]

    private func mutate(_ base: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        // A second mutation of a model truncated to a few bytes has nothing left to pick from.
        guard base.count >= 4 else { return base }
        var bytes = base
        switch rng.below(5) {
        case 0:  // truncate
            bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 1:  // flip bits
            for _ in 0...rng.below(4) {
                bytes[rng.below(bytes.count)] ^= UInt8(1) << UInt8(rng.below(8))
            }
        case 2:  // random bytes
            for _ in 0...rng.below(4) {
                bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 3:  // an aligned 32-bit word (offsets, counts, indices) set to an edge value
            let at = rng.below(bytes.count / 4) * 4
            let w = Self.words[rng.below(Self.words.count)]
            for i in 0..<4 where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: w >> (8 * UInt32(i))) }
        default:  // a 16-bit vtable-sized value
            let at = rng.below(bytes.count / 2) * 2
            let v = [0, 2, 4, 6, 0xFFFF, rng.below(64)][rng.below(6)]
            bytes[at] = UInt8(v & 0xFF)
            if at + 1 < bytes.count { bytes[at + 1] = UInt8(v >> 8) }
        }
        return bytes
    }

    @Test func mutatedModelsNeverCrashTheReader() throws {
        let seeds = try Fixtures.models().map { try Fixtures.bytes("\($0.name).tflite") }
        var rng = SplitMix64(state: 0x7F11_7E00)
        var accepted = 0
        var recognised = 0
        var refused: [TFLiteError.Rule: Int] = [:]
        for _ in 0..<Self.iterations {
            var bytes = mutate(seeds[rng.below(seeds.count)], &rng)
            if rng.below(4) == 0 { bytes = mutate(bytes, &rng) }
            do {
                let model = try TFLiteReader.read(bytes)
                accepted += 1
                for i in model.tensors.indices { _ = model.data(i) }
                let imported = try TFLiteImport(bytes: bytes, modelName: "fuzz")
                for k in imported.kernels { #expect(k.files.count == 2) }
                if !imported.kernels.isEmpty { recognised += 1 }
            } catch {
                refused[error.rule, default: 0] += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted > 100)
        #expect(recognised > 50, "mutations that keep a block must still reach the matcher and emitter")
        #expect(refused.count >= 3, "\(refused)")
    }
}
