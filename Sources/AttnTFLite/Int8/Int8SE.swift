// One int8 SE or ECA block read out of a model, with every constant TFLM's reference kernels would
// derive in Prepare already folded: the kernel's complete arithmetic, nothing left to decide.
//
//   s = MEAN_HW(x)                        sum of raw int8, − zp·N, × (in/out scale with 1/N folded)
//   r = CONV_2D 1×1(s) (fused act)        Σ w·(s − zp_s) + bias, per-channel multiplier, clamp
//     [HARD_SWISH(r)]                     a 256-entry table (Int8HardSwish.swift)
//   e = CONV_2D 1×1(r) (fused act)        (ECA: one CONV_2D 1×k along C instead of the two)
//   g = LOGISTIC(e)                       a 256-entry table (Logistic.swift)
//     | MUL(e, k)                         Keras MobileNetV3's hard sigmoid after its ReLU6 conv
//   y = MUL(x, g)                         (x − zp_x)·(g − zp_g), requantised, clamped

/// A 1×1 CONV_2D on a vector, as ConvPerChannel computes it.
package struct Int8Dense: Equatable, Sendable {
    /// Input and output widths.
    package let inputs: Int, outputs: Int
    /// Weights [outputs][inputs] (OHWI with H = W = 1); symmetric, zero point 0.
    package let weights: [Int8]
    /// int32 biases, one per output (zeros when the conv has none).
    package let bias: [Int32]
    /// Per-output requantisation.
    package let multipliers: [QuantizedMultiplier]
    /// −(input zero point).
    package let inputOffset: Int32
    /// Output zero point.
    package let outputZeroPoint: Int32
    /// The fused activation's clamp.
    package let clampMin: Int32, clampMax: Int32

    /// The outputs for one input vector, exactly as the kernel computes them.
    package func callAsFunction(_ x: [Int8]) -> [Int8] {
        (0..<outputs).map { o in
            var acc: Int32 = 0
            for i in 0..<inputs { acc &+= Int32(weights[o * inputs + i]) * (Int32(x[i]) + inputOffset) }
            acc &+= bias[o]
            acc = multiplyByQuantizedMultiplier(acc, multipliers[o]) + outputZeroPoint
            return Int8(min(max(acc, clampMin), clampMax))
        }
    }
}

/// ECA's conv along C: a CONV_2D with one filter [1, 1, k, 1] over the pooled vector laid out as
/// [1, 1, C, 1], SAME padding (taps outside the vector skipped, as ConvPerChannel skips them).
package struct Int8ChannelConv: Equatable, Sendable {
    /// The k taps (symmetric int8, zero point 0).
    package let weights: [Int8]
    /// The int32 bias (0 when the conv has none).
    package let bias: Int32
    /// in scale · weight scale / out scale.
    package let multiplier: QuantizedMultiplier
    /// Taps before the centre: TFLite's SAME padding, (k − 1) / 2.
    package let padding: Int
    /// −(input zero point).
    package let inputOffset: Int32
    /// Output zero point.
    package let outputZeroPoint: Int32
    /// The fused activation's clamp.
    package let clampMin: Int32, clampMax: Int32

    /// The outputs for one input vector, exactly as the kernel computes them.
    package func callAsFunction(_ x: [Int8]) -> [Int8] {
        (0..<x.count).map { c in
            var acc: Int32 = 0
            for j in weights.indices {
                let i = c + j - padding
                guard i >= 0, i < x.count else { continue }
                acc &+= Int32(weights[j]) * (Int32(x[i]) + inputOffset)
            }
            acc &+= bias
            acc = multiplyByQuantizedMultiplier(acc, multiplier) + outputZeroPoint
            return Int8(min(max(acc, clampMin), clampMax))
        }
    }
}

/// How the pooled vector becomes the gate's input.
package enum Int8Excitation: Equatable, Sendable {
    /// SE: two 1×1 convs; `hidden` is a HARD_SWISH between them (its output for every int8
    /// input, indexed q + 128), nil when the reduce conv's fused activation is all there is.
    case mlp(reduce: Int8Dense, hidden: [Int8]?, expand: Int8Dense)
    /// ECA: one conv along C.
    case channelConv(Int8ChannelConv)
}

/// MUL's int8 arithmetic for one pair of operand quantisations.
package struct Int8Mul: Equatable, Sendable {
    /// −(zero point) of each operand.
    package let offsetA: Int32, offsetB: Int32
    /// in_a scale · in_b scale / out scale.
    package let multiplier: QuantizedMultiplier
    /// Output zero point.
    package let outputZeroPoint: Int32
    /// The fused activation's clamp.
    package let clampMin: Int32, clampMax: Int32

    /// One product.
    package func callAsFunction(_ a: Int8, _ b: Int8) -> Int8 {
        let product = (Int32(a) + offsetA) * (Int32(b) + offsetB)
        let y = outputZeroPoint + multiplyByQuantizedMultiplier(product, multiplier)
        return Int8(min(max(y, clampMin), clampMax))
    }
}

/// How the gate is computed from the expand conv's output.
package enum Int8Gate: Equatable, Sendable {
    /// LOGISTIC: the output for every int8 input, indexed q + 128.
    case logistic(table: [Int8])
    /// MUL by a constant (one value, or one per channel): Keras MobileNetV3's hard sigmoid.
    case mulConstant(values: [Int8], mul: Int8Mul)
}

/// A recognised int8 SE block: what its kernel computes, every constant folded.
package struct Int8SE: Equatable, Sendable {
    /// NHWC extents; each of the N images goes through the block on its own.
    package let batch: Int, height: Int, width: Int, channels: Int
    /// The block input's zero point (MEAN subtracts it).
    package let inputZeroPoint: Int32
    /// MEAN: multiplier with 1/(H·W) folded in, output zero point.
    package let meanMultiplier: QuantizedMultiplier
    /// MEAN's output zero point.
    package let meanZeroPoint: Int32
    /// The convs between the pooled vector and the gate.
    package let excitation: Int8Excitation
    /// The gate.
    package let gate: Int8Gate
    /// The final MUL, operand a being x and b the gate.
    package let scale: Int8Mul

    /// The same arithmetic at another plane (and, for ECA, whose conv does not depend on C,
    /// another channel count), MEAN's folded multiplier kept as it is: for tests of the kernels'
    /// row and channel loops at sizes the fixture models do not have (not a block TFLM would
    /// compute: its MEAN would fold 1/(H·W) anew). nil for an SE block asked for another C.
    package func resized(height: Int, width: Int, channels: Int? = nil) -> Int8SE? {
        let c = channels ?? self.channels
        if case .mlp = excitation, c != self.channels { return nil }
        if case .mulConstant(let values, _) = gate, values.count != 1, c != self.channels { return nil }
        return Int8SE(
            batch: batch, height: height, width: width, channels: c, inputZeroPoint: inputZeroPoint, meanMultiplier: meanMultiplier,
            meanZeroPoint: meanZeroPoint, excitation: excitation, gate: gate, scale: scale)
    }

    /// The block's output for one input, as the generated kernel computes it: the model of the
    /// C the emitter writes, for tests that pin the two to each other and to TFLM.
    package func callAsFunction(_ x: [Int8]) -> [Int8] {
        let size = height * width * channels
        return stride(from: 0, to: x.count, by: size).flatMap { image(Array(x[$0..<min($0 + size, x.count)])) }
    }

    /// One image [H, W, C].
    private func image(_ x: [Int8]) -> [Int8] {
        let n = height * width
        var s: [Int8] = []
        for c in 0..<channels {
            var sum: Int32 = 0
            for p in 0..<n { sum += Int32(x[p * channels + c]) }
            let shifted = sum - inputZeroPoint * Int32(n)
            let m = multiplyByQuantizedMultiplier(shifted, meanMultiplier) + meanZeroPoint
            s.append(Int8(min(max(m, -128), 127)))
        }
        let e: [Int8]
        switch excitation {
        case .mlp(let reduce, let hidden, let expand):
            let r = reduce(s)
            e = expand(hidden.map { table in r.map { table[Int($0) + 128] } } ?? r)
        case .channelConv(let conv): e = conv(s)
        }
        let g: [Int8] = e.enumerated().map { c, v in
            switch gate {
            case .logistic(let table): table[Int(v) + 128]
            case .mulConstant(let values, let mul): mul(v, values[values.count == 1 ? 0 : c])
            }
        }
        return x.enumerated().map { i, v in scale(v, g[i % channels]) }
    }
}
