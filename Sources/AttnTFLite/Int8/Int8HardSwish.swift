// TFLM's int8 HARD_SWISH (reference_ops::HardSwish with HardSwishPrepare's parameters): int16
// fixed-point, an input on a "high-res" scale (×2^7), a "relu-ish" factor in [0, 1] from the
// input rescaled so that 3.0 is 32768, multiplied with the input on the output's scale. Like
// LOGISTIC, an int8 HARD_SWISH is a function of its int8 input alone: the generator evaluates it
// here for all 256 inputs and the kernel looks the result up.

/// gemmlowp's SaturatingRoundingDoublingHighMul on int16.
private func roundingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == Int16.min { return Int16.max }
    let ab = Int32(a) * Int32(b)
    let nudge: Int32 = ab >= 0 ? 1 << 14 : 1 - (1 << 14)
    return Int16(truncatingIfNeeded: (ab + nudge) / (1 << 15))
}

/// TFLite's SaturatingDoublingHighMul on int16 (ARM's SQDMULH: truncating, not rounding).
private func doublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == Int16.min { return Int16.max }
    return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
}

/// TFLite's SaturatingLeftShift on int16.
private func saturatingLeftShift16(_ x: Int16, _ amount: Int) -> Int16 {
    let r = Int64(x) * (Int64(1) << Int64(amount))
    return Int16(min(max(r, Int64(Int16.min)), Int64(Int16.max)))
}

/// gemmlowp's RoundingDivideByPOT on int16.
private func roundingDivideByPOT16(_ x: Int16, _ exponent: Int) -> Int16 {
    let x32 = Int32(x)
    let mask = Int32((1 << exponent) - 1)
    let remainder = x32 & mask
    let threshold = (mask >> 1) + (x32 < 0 ? 1 : 0)
    return Int16(truncatingIfNeeded: (x32 >> Int32(exponent)) + (remainder > threshold ? 1 : 0))
}

/// DownScaleInt32ToInt16Multiplier: the Q31 significand rounded to Q15.
private func downScale(_ m: Int32) -> Int16 {
    let rounding: Int32 = 1 << 15
    if m >= Int32.max - rounding { return Int16.max }
    return Int16(truncatingIfNeeded: (m + rounding) >> 16)
}

/// HardSwishPrepare's parameters for an int8 input and output quantisation, and the output for
/// every int8 input.
package struct Int8HardSwish: Equatable, Sendable {
    /// Zero points.
    package let inputZeroPoint: Int32, outputZeroPoint: Int32
    /// The high-res input scale over the output scale: Q15 significand, exponent (≤ 0).
    package let outputMultiplier: Int16, outputExponent: Int
    /// The high-res input scale over 3/32768: Q15 significand, exponent.
    package let reluishMultiplier: Int16, reluishExponent: Int

    /// Prepare's arithmetic (in float, as TFLM computes it); nil where TFLM refuses the op (an
    /// output multiplier of 1 or more) or the scales are not finite and positive.
    package init?(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        guard inputScale > 0, outputScale > 0, inputScale.isFinite, outputScale.isFinite else { return nil }
        let hires = (Float(1) / 128) * inputScale
        let reluishScale = Float(3) / 32768
        let outReal = Double(hires / outputScale), reluishReal = Double(hires / reluishScale)
        // Both ratios must be finite, positive numbers QuantizeMultiplier can take (a hostile
        // file's scales can make the float quotients 0 or infinite).
        guard outReal > 0, outReal < 1, reluishReal > 0, reluishReal < Double(1 << 30) else { return nil }
        let out = QuantizedMultiplier(outReal)
        let reluish = QuantizedMultiplier(reluishReal)
        guard out.shift <= 0, out.multiplier > 0, reluish.multiplier > 0, reluish.shift > -15, reluish.shift < 16 else { return nil }
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        outputMultiplier = downScale(out.multiplier)
        outputExponent = out.shift
        reluishMultiplier = downScale(reluish.multiplier)
        reluishExponent = reluish.shift
    }

    /// The int8 output for one int8 input.
    package func callAsFunction(_ q: Int8) -> Int8 {
        let input = Int16(Int32(q) - inputZeroPoint)
        let hires = input &* (1 << 7)
        let preshiftOutput = roundingDoublingHighMul16(hires, outputMultiplier)
        var reluish = hires
        if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, reluishExponent - 1) }
        reluish = roundingDoublingHighMul16(reluish, reluishMultiplier)
        if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, 1) }
        if reluishExponent < 0 { reluish = roundingDivideByPOT16(reluish, -reluishExponent) }
        reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
        let preshift = doublingHighMul16(reluish, preshiftOutput)
        // The zero point is added in int16, as TFLite's int16_t output_value (it cannot wrap for
        // outputs an int8 clamp keeps, but is written as TFLite does).
        let y = Int16(truncatingIfNeeded: Int32(roundingDivideByPOT16(preshift, -outputExponent)) + outputZeroPoint)
        return Int8(min(max(y, -128), 127))
    }

    /// All 256 outputs, indexed by input + 128.
    package var table: [Int8] { (-128...127).map { self(Int8($0)) } }
}
