// TensorFlow Lite's integer requantisation, as its reference kernels compute it (facts from
// tensorflow/lite/kernels/internal/common.{h,cc}, quantization_util.cc and gemmlowp's
// fixedpoint.h; written here from those descriptions). The generator uses these to fold
// multipliers and shifts at generation time and to tabulate LOGISTIC; the C kernels carry the
// same integer steps (Int8Helpers.swift) so the run-time arithmetic is identical.
//
// TFLM's default build is the double-rounding MultiplyByQuantizedMultiplier (TFLITE_SINGLE_ROUNDING
// unset): a saturating rounding doubling high multiply (ARM's VQRDMULH), then a rounding right
// shift with ties away from zero.

import Foundation

/// A real multiplier as TFLite stores it: `multiplier · 2^(shift − 31)`, multiplier in [2^30, 2^31).
package struct QuantizedMultiplier: Equatable, Sendable {
    /// The Q31 significand.
    package let multiplier: Int32
    /// The power of two; positive is a left shift.
    package let shift: Int

    /// `QuantizeMultiplier`: frexp, round half away from zero to Q31, renormalise 2^31, flush
    /// exponents below −31 to zero.
    package init(_ real: Double) {
        guard real != 0 else {
            self.multiplier = 0
            self.shift = 0
            return
        }
        let (fraction, exponent) = frexpParts(real)
        var fixed = Int64((fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero))
        var e = exponent
        if fixed == 1 << 31 {
            fixed /= 2
            e += 1
        }
        if e < -31 {
            e = 0
            fixed = 0
        }
        self.multiplier = Int32(fixed)
        self.shift = e
    }

    /// A multiplier and shift given directly (MEAN's folded 1/N).
    package init(multiplier: Int32, shift: Int) {
        self.multiplier = multiplier
        self.shift = shift
    }
}

/// `std::frexp`: x = fraction · 2^exponent with |fraction| in [0.5, 1).
func frexpParts(_ x: Double) -> (Double, Int) {
    let e = x.exponent + 1
    return (x / Double(sign: .plus, exponent: e, significand: 1), Int(e))
}

/// gemmlowp's SaturatingRoundingDoublingHighMul on int32.
package func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == Int32.min { return Int32.max }
    let ab = Int64(a) * Int64(b)
    let nudge: Int64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30)
    // C++ integer division truncates toward zero; so does Swift's.
    return Int32(truncatingIfNeeded: (ab + nudge) / (1 << 31))
}

/// gemmlowp's RoundingDivideByPOT: an arithmetic right shift rounding to nearest, ties away from 0.
package func roundingDivideByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    let mask = Int32(truncatingIfNeeded: (Int64(1) << exponent) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
    return (x >> Int32(exponent)) + (remainder > threshold ? 1 : 0)
}

/// TFLite's MultiplyByQuantizedMultiplier(int32, multiplier, shift), double-rounding form.
package func multiplyByQuantizedMultiplier(_ x: Int32, _ m: QuantizedMultiplier) -> Int32 {
    let left = m.shift > 0 ? m.shift : 0
    let right = m.shift > 0 ? 0 : -m.shift
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x &* Int32(truncatingIfNeeded: 1 << left), m.multiplier), right)
}

/// MEAN's multiplier with 1/N folded in, as reference_ops::QuantizedMeanOrSum adapts it:
/// shift by floor(log2 N) (at most 32, and at most 31 + the shift), divide the widened
/// significand by N.
package func meanMultiplier(_ base: QuantizedMultiplier, count: Int) -> QuantizedMultiplier {
    var shift = 63 - UInt64(count).leadingZeroBitCount
    shift = min(shift, 32)
    shift = min(shift, 31 + base.shift)
    let multiplier = Int32(truncatingIfNeeded: (Int64(base.multiplier) << Int64(shift)) / Int64(count))
    return QuantizedMultiplier(multiplier: multiplier, shift: base.shift - shift)
}

/// TFLite's `Quantize` of an activation bound: zero point + round(f / scale) in float; nil
/// where TFLite refuses the model (the quotient outside int32).
package func quantizeBound(_ f: Float, scale: Float, zeroPoint: Int32) -> Int32? {
    let q = (f / scale).rounded(.toNearestOrAwayFromZero)
    guard q >= -2147483648, q <= 2147483520 else { return nil }  // the largest floats TFLite accepts
    let (sum, overflow) = zeroPoint.addingReportingOverflow(Int32(q))
    return overflow ? nil : sum
}

/// The int8 clamp of a fused activation on an output of `scale`, `zeroPoint`
/// (CalculateActivationRangeQuantized); nil for an activation TFLite's int8 kernels refuse.
package func activationRange(_ activation: TFLiteActivation, scale: Float, zeroPoint: Int32) -> (Int32, Int32)? {
    func bound(_ f: Float) -> Int32? { quantizeBound(f, scale: scale, zeroPoint: zeroPoint) }
    switch activation {
    case .none: return (-128, 127)
    case .relu:
        guard let lo = bound(0), lo <= 127 else { return nil }
        return (max(-128, lo), 127)
    case .relu6:
        // An empty range (TFLite only DCHECKs it) is refused rather than clamped one way or the other.
        guard let lo = bound(0), let hi = bound(6), max(-128, lo) <= min(127, hi) else { return nil }
        return (max(-128, lo), min(127, hi))
    case .reluN1To1:
        guard let lo = bound(-1), let hi = bound(1), max(-128, lo) <= min(127, hi) else { return nil }
        return (max(-128, lo), min(127, hi))
    case .other: return nil
    }
}

/// MultiplyByQuantizedMultiplier for a product of two offset int8 values (|v| ≤ 2^16), in the
/// short form the fused kernel's scale pass uses: SaturatingRoundingDoublingHighMul's nudge
/// and truncation toward zero are, for every sign, floor((a·M + 2^30) / 2^31), and
/// RoundingDivideByPOT's ties away from zero are floor((x + 2^(r−1) − [x < 0]) / 2^r). Equal to
/// `multiplyByQuantizedMultiplier` whenever the multiplier is not Int32.min (QuantizeMultiplier
/// never gives it) and, with a right shift, |v| < 2^30 (RequantizeProductTests check every
/// product of two offset int8 values).
package func requantizeProduct(_ v: Int32, _ m: QuantizedMultiplier) -> Int32 {
    let left = max(m.shift, 0)
    let right = max(-m.shift, 0)
    let a = Int64(Int32(truncatingIfNeeded: Int64(v) << Int64(left)))
    let high = Int32(truncatingIfNeeded: (a * Int64(m.multiplier) + (1 << 30)) >> 31)
    guard right > 0 else { return high }
    return (high + (Int32(1) << Int32(right - 1)) - (high < 0 ? 1 : 0)) >> Int32(right)
}
