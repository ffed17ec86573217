// Shared with the libFuzzer targets in scripts/fuzz (compiled there together with the package's
// modules), so this folder imports only what both builds have: AttnGen and Foundation.
//
// The generators below take their decisions from a `Choices`: seeded random numbers in the test
// suite, the fuzzer's own input bytes under libFuzzer, so that coverage guidance steers the
// structure of the specs as well as their bytes.

import AttnGen
import Foundation

protocol Choices {
    /// A number in 0..<n (n ≥ 1).
    mutating func below(_ n: Int) -> Int
}

extension Choices {
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Seeded decisions: the same seed replays the same inputs.
struct SeededChoices: Choices {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(rng.next() % UInt64(n)) }

    mutating func next() -> UInt64 { rng.next() }
}

/// Decisions read from bytes, one or two per choice; past the end every choice is 0, so any
/// input, even an empty one, yields a (small) document.
struct ByteChoices: Choices {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func below(_ n: Int) -> Int {
        guard n > 1 else { return 0 }
        var value = 0
        var range = 1
        while range < n {
            let byte = position < bytes.count ? Int(bytes[position]) : 0
            position += 1
            value = value << 8 | byte
            range <<= 8
        }
        return value % n
    }
}
