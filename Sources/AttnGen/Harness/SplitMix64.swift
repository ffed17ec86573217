// Seeded random numbers for inputs and weights: the same seed gives the same tensors everywhere.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for test data.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    package mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
}

extension Program {
    /// Random parameters scaled so activations stay O(1): weights ±1/√fan-in, BatchNorm
    /// scales in [0.5, 1.5).
    package func randomParams(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        // Written in place, each tensor's range chosen once (an append and a switch per float were
        // most of a wide block's first `Kernel(spec, weights: .random)`); the same numbers.
        return [Float](unsafeUninitializedCapacity: paramCount) { out, written in
            var i = 0
            for p in params {
                let lo: Float, hi: Float
                switch p.role {
                case .weight:
                    let bound = 1 / Float(p.fanIn).squareRoot()
                    (lo, hi) = (-bound, bound)
                case .bias, .shift: (lo, hi) = (-0.5, 0.5)
                case .scale: (lo, hi) = (0.5, 1.5)
                }
                for _ in 0..<p.count {
                    out[i] = rng.uniform(lo, hi)
                    i += 1
                }
            }
            written = i
        }
    }

    /// A random input in [-2, 2).
    package func randomInput(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<input.count).map { _ in rng.uniform(-2, 2) }
    }
}
