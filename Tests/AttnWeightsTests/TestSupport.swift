import AttnWeights

/// A file made by hand: the 8-byte little-endian length of `header`, `header`, then `data`.
/// Used to build files the writer would never produce.
func handMadeFile(header: String, data: [UInt8] = []) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
    return out + headerBytes + data
}

/// The little-endian bytes of fixed-width values, for writing tensor data by hand.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    var out: [UInt8] = []
    for value in values {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
    return out
}

/// The error `SafeTensorsFile(bytes:)` throws, or nil when it parses.
func parseError(_ bytes: [UInt8], source: String = "test.safetensors") -> WeightsError? {
    do {
        _ = try SafeTensorsFile(bytes: bytes, source: source)
        return nil
    } catch {
        return error
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, and identical on every platform,
/// so a failing mutation can be replayed from its iteration number.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<n (n > 0); the slight modulo bias does not matter for fuzzing.
    mutating func below(_ n: Int) -> Int {
        Int(next() % UInt64(n))
    }
}
