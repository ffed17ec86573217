import Testing
@testable import AttnTFLite

/// The fused kernel's short requantisation of the scale pass (`requantizeProduct`, emitted by
/// `Int8SEEmitter.productRequantize`) against TFLite's MultiplyByQuantizedMultiplier: every
/// product of two offset int8 values (each in −255...255 once the zero points are applied), for
/// seeded multipliers over every right shift and a few left shifts, and the edge multipliers.
@Suite struct RequantizeProductTests {
    @Test func equalsMultiplyByQuantizedMultiplierOnEveryProduct() {
        var rng = SplitMix64(state: 15)
        var multipliers: [QuantizedMultiplier] = []
        for shift in -31...2 {
            for m: Int32 in [0, 1 << 30, Int32.max, Int32(1 << 30) + Int32(rng.below(1 << 30))] {
                multipliers.append(QuantizedMultiplier(multiplier: m, shift: shift))
            }
        }
        // Every value a product of two offset int8 values takes.
        var products = Set<Int32>()
        for a in Int32(-255)...255 { for b in Int32(-255)...255 { products.insert(a * b) } }
        var differing = 0
        for m in multipliers {
            for v in products where requantizeProduct(v, m) != multiplyByQuantizedMultiplier(v, m) { differing += 1 }
        }
        #expect(differing == 0)
        #expect(products.count > 10_000)
    }
}
