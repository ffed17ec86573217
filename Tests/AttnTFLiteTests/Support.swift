// Where the int8 fixtures are, and a seedable generator for the fuzz test.

import Foundation

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = root.appendingPathComponent("Tests/TFLiteFixtures")

    /// One model of index.json: its name, shapes, sample count and the kinds of its blocks.
    struct Model: Decodable {
        let name: String
        let input_shape: [Int]
        let output_shape: [Int]
        let samples: Int
        let blocks: [String]
    }

    static func models() throws -> [Model] {
        struct Index: Decodable { let models: [Model] }
        let data = try Data(contentsOf: folder.appendingPathComponent("index.json"))
        return try JSONDecoder().decode(Index.self, from: data).models
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, identical on every platform, so a failing
/// mutation can be replayed from its iteration number.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
