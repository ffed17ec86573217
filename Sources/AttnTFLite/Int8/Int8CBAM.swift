// One int8 CBAM block read out of a model (as a Keras port writes it and the quantiser lowers it),
// every constant TFLM's reference kernels would derive in Prepare already folded:
//
//   a = MEAN_HW(x), m = REDUCE_MAX_HW(x)          m keeps x's quantisation (TFLM requires it)
//   e_a = MLP(a), e_m = MLP(m)                     the shared 1×1 convs, requantised per branch
//   g = LOGISTIC(ADD(e_a, e_m))                    ADD's 2^20 left shift and three rescales
//   x1 = MUL(x, g)
//   map = CONCAT(QUANTIZE?(MEAN_C(x1)), QUANTIZE?(REDUCE_MAX_C(x1)))   along C, one quantisation
//   s = LOGISTIC(CONV_2D k×k(map))                 SAME padding, taps outside skipped
//   y = MUL(x1, s)

/// TFLM's int8 ADD (reference_integer_ops::Add with CalculateOpDataAdd's parameters).
package struct Int8Add: Equatable, Sendable {
    /// −(zero point) of each operand.
    package let offsetA: Int32, offsetB: Int32
    /// Each operand's scale over twice the larger one (shift ≤ 0).
    package let multiplierA: QuantizedMultiplier, multiplierB: QuantizedMultiplier
    /// Twice the larger operand scale over 2^20 · the output scale (shift ≤ 0).
    package let outputMultiplier: QuantizedMultiplier
    /// Output zero point.
    package let outputZeroPoint: Int32
    /// The fused activation's clamp.
    package let clampMin: Int32, clampMax: Int32
    /// The left shift int8 operands get before rescaling.
    package static let leftShift = 20

    /// One sum.
    package func callAsFunction(_ a: Int8, _ b: Int8) -> Int8 {
        let sa = multiplyByQuantizedMultiplier((Int32(a) + offsetA) * (1 << Int32(Self.leftShift)), multiplierA)
        let sb = multiplyByQuantizedMultiplier((Int32(b) + offsetB) * (1 << Int32(Self.leftShift)), multiplierB)
        let y = multiplyByQuantizedMultiplier(sa &+ sb, outputMultiplier) + outputZeroPoint
        return Int8(min(max(y, clampMin), clampMax))
    }
}

/// TFLM's int8 → int8 QUANTIZE (reference_ops::Requantize).
package struct Int8Requantize: Equatable, Sendable {
    /// Input and output zero points.
    package let inputZeroPoint: Int32, outputZeroPoint: Int32
    /// in scale / out scale.
    package let multiplier: QuantizedMultiplier

    /// One value.
    package func callAsFunction(_ q: Int8) -> Int8 {
        let y = multiplyByQuantizedMultiplier(Int32(q) - inputZeroPoint, multiplier) + outputZeroPoint
        return Int8(min(max(y, -128), 127))
    }
}

/// One plane of CBAM's spatial map: a pool over C of each pixel, then an optional QUANTIZE to the
/// CONCATENATION's quantisation.
package struct Int8ChannelPool: Equatable, Sendable {
    /// MEAN (QuantizedMeanOrSum over C) or REDUCE_MAX (raw int8 maximum).
    package enum Reduction: Equatable, Sendable {
        /// MEAN: the input's zero point, the multiplier with 1/C folded in, the output zero point.
        case mean(inputZeroPoint: Int32, multiplier: QuantizedMultiplier, outputZeroPoint: Int32)
        /// REDUCE_MAX.
        case max
    }

    /// The reduction.
    package let reduction: Reduction
    /// The QUANTIZE between the pool and the CONCATENATION, nil when the quantiser wrote none.
    package let requantize: Int8Requantize?

    /// The plane's value for one pixel's channels.
    package func callAsFunction(_ row: ArraySlice<Int8>) -> Int8 {
        var v: Int8
        switch reduction {
        case .mean(let zp, let multiplier, let outZp):
            var sum: Int32 = 0
            for q in row { sum += Int32(q) }
            let m = multiplyByQuantizedMultiplier(sum - zp * Int32(row.count), multiplier) + outZp
            v = Int8(min(max(m, -128), 127))
        case .max:
            v = row.max() ?? -128
        }
        if let requantize { v = requantize(v) }
        return v
    }
}

/// A CONV_2D with one output channel over a [H, W, planes] map, stride 1, dilation 1, SAME
/// padding (taps outside the map skipped, as ConvPerChannel skips them).
package struct Int8SpatialConv: Equatable, Sendable {
    /// Kernel extents.
    package let kernelHeight: Int, kernelWidth: Int
    /// Input planes (the CONCATENATION's inputs).
    package let planes: Int
    /// Weights [kh][kw][planes] (OHWI with O = 1); symmetric.
    package let weights: [Int8]
    /// int32 bias.
    package let bias: Int32
    /// in scale · weight scale / out scale.
    package let multiplier: QuantizedMultiplier
    /// TFLite's SAME padding before the first row and column.
    package let padTop: Int, padLeft: Int
    /// −(input zero point).
    package let inputOffset: Int32
    /// Output zero point.
    package let outputZeroPoint: Int32
    /// The fused activation's clamp.
    package let clampMin: Int32, clampMax: Int32

    /// The output at (oy, ox) of a map [height][width][planes].
    package func at(_ map: [Int8], _ oy: Int, _ ox: Int, height: Int, width: Int) -> Int8 {
        var acc: Int32 = 0
        for ky in 0..<kernelHeight {
            let iy = oy - padTop + ky
            guard iy >= 0, iy < height else { continue }
            for kx in 0..<kernelWidth {
                let ix = ox - padLeft + kx
                guard ix >= 0, ix < width else { continue }
                for p in 0..<planes {
                    acc &+= Int32(weights[(ky * kernelWidth + kx) * planes + p]) * (Int32(map[(iy * width + ix) * planes + p]) + inputOffset)
                }
            }
        }
        acc &+= bias
        acc = multiplyByQuantizedMultiplier(acc, multiplier) + outputZeroPoint
        return Int8(min(max(acc, clampMin), clampMax))
    }
}

/// A recognised int8 CBAM block: what its kernel computes, every constant folded.
package struct Int8CBAM: Equatable, Sendable {
    /// NHWC extents; each of the N images goes through the block on its own.
    package let batch: Int, height: Int, width: Int, channels: Int
    /// The block input's zero point (the average pool's MEAN subtracts it).
    package let inputZeroPoint: Int32
    /// The average pool's MEAN: multiplier with 1/(H·W) folded in, output zero point.
    package let meanMultiplier: QuantizedMultiplier, meanZeroPoint: Int32
    /// The shared MLP on the average-pooled and on the max-pooled descriptor (same weights, each
    /// branch with its own quantisation).
    package let averageReduce: Int8Dense, averageExpand: Int8Dense
    package let maxReduce: Int8Dense, maxExpand: Int8Dense
    /// ADD of the two branches, operand a being the average branch.
    package let add: Int8Add
    /// LOGISTIC of the sum, indexed q + 128.
    package let channelTable: [Int8]
    /// MUL(x, channel gate), operand a being x.
    package let channelScale: Int8Mul
    /// The CONCATENATION's planes, in its order.
    package let pools: [Int8ChannelPool]
    /// The conv on the map.
    package let conv: Int8SpatialConv
    /// LOGISTIC of the conv, indexed q + 128.
    package let spatialTable: [Int8]
    /// MUL(x1, spatial gate), operand a being x1.
    package let spatialScale: Int8Mul

    /// The same constants at another size, for device tests of sizes no fixture has (planes over
    /// 255 pixels, channel counts with a tail after the groups of four): H and W as given, C by
    /// cycling the MLP's weights, biases and multipliers over the new channels. The kernel and
    /// this model share every constant, so they must still agree; TFLM would fold other ones.
    package func resized(height: Int, width: Int, channels: Int? = nil) -> Int8CBAM {
        let c = channels ?? self.channels
        func cycled(_ d: Int8Dense, inputs: Int, outputs: Int) -> Int8Dense {
            Int8Dense(
                inputs: inputs, outputs: outputs,
                weights: (0..<(outputs * inputs)).map { d.weights[($0 / inputs % d.outputs) * d.inputs + $0 % inputs % d.inputs] },
                bias: (0..<outputs).map { d.bias[$0 % d.outputs] }, multipliers: (0..<outputs).map { d.multipliers[$0 % d.outputs] },
                inputOffset: d.inputOffset, outputZeroPoint: d.outputZeroPoint, clampMin: d.clampMin, clampMax: d.clampMax)
        }
        return Int8CBAM(
            batch: batch, height: height, width: width, channels: c, inputZeroPoint: inputZeroPoint, meanMultiplier: meanMultiplier,
            meanZeroPoint: meanZeroPoint, averageReduce: cycled(averageReduce, inputs: c, outputs: averageReduce.outputs),
            averageExpand: cycled(averageExpand, inputs: averageExpand.inputs, outputs: c),
            maxReduce: cycled(maxReduce, inputs: c, outputs: maxReduce.outputs), maxExpand: cycled(maxExpand, inputs: maxExpand.inputs, outputs: c),
            add: add, channelTable: channelTable, channelScale: channelScale, pools: pools, conv: conv, spatialTable: spatialTable,
            spatialScale: spatialScale)
    }

    /// The block's output for one input, as the generated kernel computes it.
    package func callAsFunction(_ x: [Int8]) -> [Int8] {
        let size = height * width * channels
        return stride(from: 0, to: x.count, by: size).flatMap { image(Array(x[$0..<min($0 + size, x.count)])) }
    }

    /// One image [H, W, C].
    private func image(_ x: [Int8]) -> [Int8] {
        let n = height * width
        let c = channels
        var avg: [Int8] = [], mx: [Int8] = []
        for k in 0..<c {
            var sum: Int32 = 0
            var m: Int8 = -128
            for p in 0..<n {
                sum += Int32(x[p * c + k])
                m = max(m, x[p * c + k])
            }
            let v = multiplyByQuantizedMultiplier(sum - inputZeroPoint * Int32(n), meanMultiplier) + meanZeroPoint
            avg.append(Int8(min(max(v, -128), 127)))
            mx.append(m)
        }
        let ea = averageExpand(averageReduce(avg)), em = maxExpand(maxReduce(mx))
        let gate = (0..<c).map { channelTable[Int(add(ea[$0], em[$0])) + 128] }
        let x1 = x.enumerated().map { i, v in channelScale(v, gate[i % c]) }
        var map: [Int8] = []
        for p in 0..<n {
            for pool in pools { map.append(pool(x1[(p * c)..<(p * c + c)])) }
        }
        var y = x1
        for oy in 0..<height {
            for ox in 0..<width {
                let p = oy * width + ox
                let s = spatialTable[Int(conv.at(map, oy, ox, height: height, width: width)) + 128]
                for k in 0..<c { y[p * c + k] = spatialScale(x1[p * c + k], s) }
            }
        }
        return y
    }
}
