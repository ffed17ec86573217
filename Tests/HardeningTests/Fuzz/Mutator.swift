// Byte-level mutations for the seeded fuzzers in the test suite (libFuzzer has its own).

enum Mutator {
    /// One to three random edits of `base`: truncation, bit flips, byte overwrites, token splices,
    /// span deletion and duplication. With `safetensors`, edits inside the header keep the
    /// 8-byte length prefix consistent half of the time, so the JSON rules behind it are reached.
    static func mutate(_ base: [UInt8], tokens: [String], safetensors: Bool, _ c: inout SeededChoices) -> [UInt8] {
        var bytes = base
        for _ in 0...(c.chance(60) ? 0 : c.below(3)) {
            if safetensors, c.chance(50), let edited = editHeader(bytes, tokens: tokens, &c) {
                bytes = edited
            } else {
                bytes = edit(bytes, tokens: tokens, &c)
            }
        }
        return bytes
    }

    static func edit(_ input: [UInt8], tokens: [String], _ c: inout SeededChoices) -> [UInt8] {
        var bytes = input
        let at = c.below(bytes.count + 1)
        switch c.below(7) {
        case 0:
            bytes = Array(bytes.prefix(at))
        case 1 where !bytes.isEmpty:
            for _ in 0...c.below(4) { bytes[c.below(bytes.count)] ^= UInt8(1) << UInt8(c.below(8)) }
        case 2 where !bytes.isEmpty:
            for _ in 0...c.below(4) { bytes[c.below(bytes.count)] = UInt8(truncatingIfNeeded: c.next()) }
        case 3, 4:
            let length = min(c.below(8), bytes.count - at)
            bytes.replaceSubrange(at..<(at + length), with: Array(c.pick(tokens).utf8))
        case 5:
            bytes.removeSubrange(at..<(at + min(c.below(16), bytes.count - at)))
        default:
            let span = bytes[at..<(at + min(c.below(24), bytes.count - at))]
            bytes.insert(contentsOf: span, at: c.below(bytes.count + 1))
        }
        return bytes
    }

    /// An edit of the JSON header with the length prefix rewritten to match, or a new prefix.
    static func editHeader(_ bytes: [UInt8], tokens: [String], _ c: inout SeededChoices) -> [UInt8]? {
        guard bytes.count >= 8 else { return nil }
        let declared = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(bytes.count - 8) else { return nil }
        let headerEnd = 8 + Int(declared)
        if c.chance(15) {
            let lengths: [UInt64] = [0, 1, 7, declared &- 1, declared + 1, UInt64(bytes.count), 100_000_001, UInt64(Int.max), .max]
            return FuzzSeeds.littleEndian([c.pick(lengths)]) + bytes.dropFirst(8)
        }
        let header = edit(Array(bytes[8..<headerEnd]), tokens: tokens, &c)
        return FuzzSeeds.littleEndian([UInt64(header.count)]) + header + bytes[headerEnd...]
    }
}
