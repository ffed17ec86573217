// The golden data of an on-device self-check, computed by the caller from the interpreter.

/// Checks for `<name>_selftest()`: the input comes from a 32-bit LCG seeded with `seed`
/// (`s = s·1664525 + 1013904223`, value `((s >> 9) - 2^22) / 2^22`, exact in float, in memory
/// order), and `checks` are output elements (memory order) with their expected values.
package struct Selftest: Hashable, Sendable {
    package struct Check: Hashable, Sendable {
        package let index: Int
        package let value: Float
        package init(index: Int, value: Float) {
            self.index = index
            self.value = value
        }
    }

    package let seed: UInt32
    package let checks: [Check]
    /// Allowed |y - expected| as a fraction of max |expected|.
    package let tolerance: Float

    package init(seed: UInt32, checks: [Check], tolerance: Float) {
        self.seed = seed
        self.checks = checks
        self.tolerance = tolerance
    }

    /// The generator's input, in memory order (empty for a count below 1).
    package static func input(seed: UInt32, count: Int) -> [Float] {
        var s = seed
        return (0..<max(count, 0)).map { _ in
            s = s &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(s >> 9) - 4_194_304) * (1 / 4_194_304)
        }
    }
}
