// TFLM's int8 LOGISTIC (reference_integer_ops::Logistic with LogisticPrepare's parameters) and
// gemmlowp's fixed-point logistic under it, on raw int32 values. An int8 LOGISTIC is a function
// of its int8 input alone, so the generator evaluates it here for all 256 inputs and the kernel
// looks the gate up: the table holds exactly what TFLM would compute, element by element.
//
// Fixed-point formats below are written Qk for k integer bits of an int32 (Q0: 31 fractional
// bits, Q4: 27). Sums wrap as gemmlowp's int32 adds do (they do not overflow on these paths).

/// Saturating multiply by 2^exponent (exponent > 0), gemmlowp's SaturatingRoundingMultiplyByPOT.
private func saturatingShiftLeft(_ x: Int32, _ exponent: Int) -> Int32 {
    let threshold = Int32((1 << (31 - exponent)) - 1)
    if x > threshold { return Int32.max }
    if x < -threshold { return Int32.min }
    return x << Int32(exponent)
}

/// exp(a) for a Q0 a in [−1/4, 0): a Taylor expansion around −1/8.
private func expOnInterval(_ a: Int32) -> Int32 {
    let constantTerm: Int32 = 1_895_147_668  // exp(−1/8) in Q0
    let oneThird: Int32 = 715_827_883
    let x = a &+ (1 << 28)  // a + 1/8
    let x2 = saturatingRoundingDoublingHighMul(x, x)
    let x3 = saturatingRoundingDoublingHighMul(x2, x)
    let x4 = saturatingRoundingDoublingHighMul(x2, x2)
    let x4Over4 = roundingDivideByPOT(x4, 2)
    let tail = roundingDivideByPOT(saturatingRoundingDoublingHighMul(x4Over4 &+ x3, oneThird) &+ x2, 1)
    return constantTerm &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ tail)
}

/// exp(a) in Q0 for a Q4 a ≤ 0 (gemmlowp's exp_on_negative_values with 4 integer bits).
private func expOnNegativeValuesQ4(_ a: Int32) -> Int32 {
    let fractionalBits = 27
    let oneQuarter: Int32 = 1 << Int32(fractionalBits - 2)
    let aModQuarterMinusQuarter = (a & (oneQuarter - 1)) &- oneQuarter
    var result = expOnInterval(saturatingShiftLeft(aModQuarterMinusQuarter, 4))
    let remainder = aModQuarterMinusQuarter &- a
    // exp(−2^k) in Q0 for k = −2 ... 3 (the Q4 input cannot reach 16).
    let factors: [(Int, Int32)] = [(-2, 1_672_461_947), (-1, 1_302_514_674), (0, 790_015_084), (1, 290_630_308), (2, 39_332_535), (3, 720_401)]
    for (exponent, factor) in factors where remainder & (Int32(1) << Int32(fractionalBits + exponent)) != 0 {
        result = saturatingRoundingDoublingHighMul(result, factor)
    }
    return a == 0 ? Int32.max : result
}

/// 1/(1 + a) in Q0 for a Q0 a in (0, 1): three Newton-Raphson steps from 48/17 − 32/17·d.
private func oneOverOnePlus(_ a: Int32) -> Int32 {
    let sum = Int64(a) + Int64(Int32.max)
    let halfDenominator = Int32((sum + (sum >= 0 ? 1 : -1)) / 2)  // RoundingHalfSum, Q0
    let c48Over17: Int32 = 1_515_870_810  // Q2
    let cNeg32Over17: Int32 = -1_010_580_540  // Q2
    var x = c48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, cNeg32Over17)
    for _ in 0..<3 {
        let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)  // Q2
        let oneMinus = (Int32(1) << 29) &- halfDenominatorTimesX  // Q2
        x = x &+ saturatingShiftLeft(saturatingRoundingDoublingHighMul(x, oneMinus), 2)  // Q4 → Q2
    }
    return saturatingShiftLeft(x, 1)  // x/2 read as Q1, rescaled to Q0
}

/// gemmlowp's logistic of a Q4 value, in Q0.
package func fixedPointLogisticQ4(_ a: Int32) -> Int32 {
    if a == 0 { return 1 << 30 }
    let positive = a > 0
    let magnitude = positive ? a : 0 &- a
    let onPositive = oneOverOnePlus(expOnNegativeValuesQ4(0 &- magnitude))
    return positive ? onPositive : Int32.max &- onPositive
}

/// TFLM's int8 LOGISTIC parameters for an input of `scale`, `zeroPoint` (LogisticPrepare), and the
/// resulting int8 output (scale 1/256, zero point −128) for every int8 input, indexed q + 128.
package struct Int8Logistic: Equatable, Sendable {
    /// The input's zero point.
    package let zeroPoint: Int32
    /// round(frexp(scale · 2^27).fraction · 2^31), not renormalised (as LogisticPrepare).
    package let multiplier: Int32
    /// frexp's exponent.
    package let leftShift: Int
    /// Inputs at or beyond ±radius (after the zero point) saturate.
    package let radius: Int32

    /// LogisticPrepare's arithmetic; nil when the scale is outside what it handles (a shift
    /// that would be negative or overflow the radius computation).
    package init?(scale: Float, zeroPoint: Int32) {
        let real = Double(scale) * Double(1 << 27)
        guard real > 0, real.isFinite else { return nil }
        let (fraction, exponent) = frexpParts(real)
        guard exponent >= 0, exponent < 62 else { return nil }
        self.zeroPoint = zeroPoint
        multiplier = Int32(truncatingIfNeeded: Int64((fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero)))
        leftShift = exponent
        // CalculateInputRadius(4, shift, 31): floor(15 · 2^27 / 2^shift).
        radius = Int32((15.0 * Double(1 << 27) / Double(Int64(1) << Int64(exponent))).rounded(.down))
    }

    /// The int8 output for one int8 input.
    package func callAsFunction(_ q: Int8) -> Int8 {
        let input = Int32(q) - zeroPoint
        if input <= -radius { return -128 }
        if input >= radius { return 127 }
        let inQ4 = multiplyByQuantizedMultiplier(input, QuantizedMultiplier(multiplier: multiplier, shift: leftShift))
        let outQ0 = fixedPointLogisticQ4(inQ4)
        let outQ23 = roundingDivideByPOT(outQ0, 23) - 128
        return Int8(min(max(outQ23, -128), 127))
    }

    /// All 256 outputs, indexed by input + 128.
    package var table: [Int8] { (-128...127).map { self(Int8($0)) } }
}
