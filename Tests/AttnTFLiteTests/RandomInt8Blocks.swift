// Seeded random int8 blocks built directly as TFLiteModel values, op by op as the quantiser
// writes them: random shapes, channel counts, per-channel weight scales, int32 biases, zero
// points anywhere in int8, and requantisation multipliers drawn over several octaves. Used by the
// JIT-vs-interpreter grid.

@testable import AttnTFLite
import Foundation

/// A subgraph under construction.
struct ModelBuilder {
    var tensors: [TFLiteTensor] = []
    var buffers: [ArraySlice<UInt8>] = [[]]
    var operators: [TFLiteOperator] = []

    private mutating func tensor(_ shape: [Int], _ type: TFLiteType, _ bytes: [UInt8]?, _ q: TFLiteQuantization?) -> Int {
        var buffer = 0
        if let bytes {
            buffers.append(ArraySlice(bytes))
            buffer = buffers.count - 1
        }
        tensors.append(TFLiteTensor(name: "t\(tensors.count)", shape: shape, type: type, buffer: buffer, quantization: q))
        return tensors.count - 1
    }

    /// An int8 activation with per-tensor quantisation.
    mutating func activation(_ shape: [Int], _ scale: Float, _ zero: Int32) -> Int {
        tensor(shape, .int8, nil, TFLiteQuantization(scales: [scale], zeroPoints: [Int64(zero)], dimension: 0))
    }

    /// An int8 constant: symmetric per-channel (along dimension 0) or per-tensor with a zero point.
    mutating func int8s(_ shape: [Int], _ values: [Int8], scales: [Float], zero: Int32 = 0) -> Int {
        tensor(
            shape, .int8, values.map { UInt8(bitPattern: $0) },
            TFLiteQuantization(scales: scales, zeroPoints: Array(repeating: Int64(zero), count: scales.count), dimension: 0))
    }

    /// An int32 constant (biases, axes, shapes).
    mutating func int32s(_ shape: [Int], _ values: [Int32]) -> Int {
        tensor(shape, .int32, values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: v) >> (8 * UInt32($0))) } }, nil)
    }

    mutating func op(_ code: Int64, _ inputs: [Int], _ output: Int, _ options: TFLiteOptions = .other(0)) {
        operators.append(TFLiteOperator(opcode: code, customCode: nil, inputs: inputs, outputs: [output], options: options))
    }

    func model(input: Int, output: Int) -> TFLiteModel {
        TFLiteModel(tensors: tensors, operators: operators, inputs: [input], outputs: [output], buffers: buffers)
    }
}

/// Random draws for the blocks.
struct BlockRandom {
    var rng: SplitMix64

    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + rng.below(r.count) }
    mutating func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    /// 2^u with u uniform in `octaves`.
    mutating func pow2(_ octaves: ClosedRange<Double>) -> Float {
        Float(exp2(octaves.lowerBound + unit() * (octaves.upperBound - octaves.lowerBound)))
    }
    mutating func zero() -> Int32 { Int32(int(-128...127)) }
    mutating func int8s(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: int(-127...127)) } }
    mutating func biases(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(int(-(1 << 14)...(1 << 14))) } }

    /// Per-channel weight scales and the conv's output scale, so that multipliers land over a
    /// few octaves around the one that keeps a typical accumulator inside int8.
    mutating func convScales(input inScale: Float, channels: Int, fanIn: Int) -> ([Float], Float) {
        let base = pow2(-9...(-5))
        let scales = (0..<channels).map { _ in base * pow2(-1...1) }
        let multiplier = pow2(-9...(-4)) / Float(fanIn).squareRoot()
        return (scales, inScale * base / multiplier)
    }

    /// A 1×1 CONV_2D on [n,1,1,cin] → [n,1,1,cout].
    mutating func dense(_ b: inout ModelBuilder, _ x: Int, _ inScale: Float, _ n: Int, _ cin: Int, _ cout: Int, _ act: TFLiteActivation,
                        weights: Int? = nil, bias: Int? = nil) -> (Int, Float) {
        let (scales, outScale) = convScales(input: inScale, channels: cout, fanIn: cin)
        let w = weights ?? b.int8s([cout, 1, 1, cin], int8s(cout * cin), scales: scales)
        let bt = bias ?? b.int32s([cout], biases(cout))
        let y = b.activation([n, 1, 1, cout], outScale, zero())
        b.op(BuiltinOp.conv2D, [x, w, bt], y, .conv2D(padding: 0, strideW: 1, strideH: 1, activation: act, dilationW: 1, dilationH: 1))
        return (y, outScale)
    }

    /// MUL of two tensors into a new one of `shape` whose scale makes the multiplier 2^(−11...−7)
    /// (a typical product of two offsets, around 2^14, lands inside int8).
    mutating func mul(_ b: inout ModelBuilder, _ x: Int, _ xs: Float, _ g: Int, _ gs: Float, _ shape: [Int]) -> (Int, Float) {
        let scale = xs * gs / pow2(-11...(-7))
        let y = b.activation(shape, scale, zero())
        b.op(BuiltinOp.mul, [x, g], y, .arithmetic(activation: .none))
        return (y, scale)
    }

    mutating func logistic(_ b: inout ModelBuilder, _ x: Int, _ shape: [Int]) -> Int {
        let y = b.activation(shape, 1.0 / 256, -128)
        b.op(BuiltinOp.logistic, [x], y)
        return y
    }

    /// A pool over `axes` with keep_dims.
    mutating func pool(_ b: inout ModelBuilder, _ code: Int64, _ x: Int, _ axes: [Int32], _ shape: [Int], _ scale: Float, _ zero: Int32) -> Int {
        let a = b.int32s([axes.count], axes)
        let y = b.activation(shape, scale, zero)
        b.op(code, [x, a], y, .reducer(keepDims: true))
        return y
    }

    /// SE: sigmoid or hard-sigmoid gate, ReLU or HARD_SWISH between the convs.
    mutating func se(hardSigmoid: Bool, hardSwish: Bool) -> TFLiteModel {
        var b = ModelBuilder()
        let (n, h, w, c) = (int(1...2), int(1...6), int(1...6), int(1...40))
        let rd = int(1...max(1, c / 2))
        let xs = pow2(-7...(-2))
        let x = b.activation([n, h, w, c], xs, zero())
        let ss = xs * pow2(-1...1)
        let s = pool(&b, BuiltinOp.mean, x, [1, 2], [n, 1, 1, c], ss, zero())
        var (r, rs) = dense(&b, s, ss, n, c, rd, hardSwish ? .none : .relu)
        if hardSwish {
            let hs = rs * pow2(-2...1)
            let y = b.activation([n, 1, 1, rd], hs, zero())
            b.op(BuiltinOp.hardSwish, [r], y)
            (r, rs) = (y, hs)
        }
        let (e, es) = dense(&b, r, rs, n, rd, c, hardSigmoid ? .relu6 : .none)
        let g: Int, gs: Float
        if hardSigmoid {
            let ks = pow2(-9...(-6))
            let k = b.int8s([1], [Int8(int(1...127))], scales: [ks], zero: zero())
            (g, gs) = mul(&b, e, es, k, ks, [n, 1, 1, c])
        } else {
            (g, gs) = (logistic(&b, e, [n, 1, 1, c]), 1.0 / 256)
        }
        let (y, _) = mul(&b, x, xs, g, gs, [n, h, w, c])
        return b.model(input: x, output: y)
    }

    /// ECA as the converter lowers a Keras Conv1D: MEAN → RESHAPE → CONV_2D [1,1,k,1] → (RESHAPE,
    /// LOGISTIC | LOGISTIC, RESHAPE) → MUL.
    mutating func eca() -> TFLiteModel {
        var b = ModelBuilder()
        let (h, w, c) = (int(1...6), int(1...6), int(1...48))
        let k = [1, 3, 5, 7][int(0...3)]
        let xs = pow2(-7...(-2))
        let x = b.activation([1, h, w, c], xs, zero())
        let ss = xs * pow2(-1...1), sz = zero()
        let axes = b.int32s([2], [1, 2])
        let s = b.activation([1, c], ss, sz)
        b.op(BuiltinOp.mean, [x, axes], s, .reducer(keepDims: false))
        let v = b.activation([1, 1, c, 1], ss, sz)
        let toConv = b.int32s([4], [1, 1, Int32(c), 1])
        b.op(BuiltinOp.reshape, [s, toConv], v)
        let (scales, es) = convScales(input: ss, channels: 1, fanIn: k)
        let wt = b.int8s([1, 1, k, 1], int8s(k), scales: scales)
        let ez = zero()
        let e = b.activation([1, 1, c, 1], es, ez)
        let bias = b.int32s([1], biases(1))
        b.op(BuiltinOp.conv2D, [v, wt, bias], e, .conv2D(padding: 0, strideW: 1, strideH: 1, activation: .none, dilationW: 1, dilationH: 1))
        let g: Int
        if int(0...1) == 0 {
            let e2 = b.activation([1, 1, 1, c], es, ez)
            let fromConv = b.int32s([4], [1, 1, 1, Int32(c)])
            b.op(BuiltinOp.reshape, [e, fromConv], e2)
            g = logistic(&b, e2, [1, 1, 1, c])
        } else {
            let g1 = logistic(&b, e, [1, 1, c, 1])
            g = b.activation([1, 1, 1, c], 1.0 / 256, -128)
            let fromConv = b.int32s([4], [1, 1, 1, Int32(c)])
            b.op(BuiltinOp.reshape, [g1, fromConv], g)
        }
        let (y, _) = mul(&b, x, xs, g, 1.0 / 256, [1, h, w, c])
        return b.model(input: x, output: y)
    }

    /// CBAM as the quantiser writes it, with or without the QUANTIZEs before the CONCATENATION.
    mutating func cbam() -> TFLiteModel {
        var b = ModelBuilder()
        let (n, h, w, c) = (int(1...2), int(1...7), int(1...7), int(1...32))
        let rd = int(1...max(1, c / 2))
        let k = [1, 2, 3, 4, 5, 7][int(0...5)]
        let xs = pow2(-7...(-2)), xz = zero()
        let x = b.activation([n, h, w, c], xs, xz)
        let avgS = xs * pow2(-1...1)
        let avg = pool(&b, BuiltinOp.mean, x, [1, 2], [n, 1, 1, c], avgS, zero())
        let mx = pool(&b, BuiltinOp.reduceMax, x, [1, 2], [n, 1, 1, c], xs, xz)
        // The MLP's weights are shared tensors; each branch's outputs have their own quantisation.
        let (s1, _) = convScales(input: 1, channels: rd, fanIn: c)
        let (s2, _) = convScales(input: 1, channels: c, fanIn: rd)
        let w1 = b.int8s([rd, 1, 1, c], int8s(rd * c), scales: s1), b1 = b.int32s([rd], biases(rd))
        let w2 = b.int8s([c, 1, 1, rd], int8s(c * rd), scales: s2), b2 = b.int32s([c], biases(c))
        let (ra, ras) = dense(&b, avg, avgS, n, c, rd, .relu, weights: w1, bias: b1)
        let (ea, eas) = dense(&b, ra, ras, n, rd, c, .none, weights: w2, bias: b2)
        let (rm, rms) = dense(&b, mx, xs, n, c, rd, .relu, weights: w1, bias: b1)
        let (em, ems) = dense(&b, rm, rms, n, rd, c, .none, weights: w2, bias: b2)
        let sumS = max(eas, ems) * pow2(0...1.5)
        let sum = b.activation([n, 1, 1, c], sumS, zero())
        b.op(BuiltinOp.add, int(0...1) == 0 ? [ea, em] : [em, ea], sum, .arithmetic(activation: .none))
        let gate = logistic(&b, sum, [n, 1, 1, c])
        let (x1, x1s) = mul(&b, x, xs, gate, 1.0 / 256, [n, h, w, c])
        let x1z = b.tensors[x1].quantization!.zeroPoints[0]
        let quantise = int(0...1) == 0
        let catS = quantise ? x1s * pow2(-1...1) : x1s, catZ = quantise ? zero() : Int32(x1z)
        let cavgS = quantise ? x1s * pow2(-2...0) : catS, cavgZ = quantise ? zero() : catZ
        var planes = [
            pool(&b, BuiltinOp.mean, x1, [3], [n, h, w, 1], cavgS, cavgZ),
            pool(&b, BuiltinOp.reduceMax, x1, [3], [n, h, w, 1], x1s, Int32(x1z)),
        ]
        if quantise {
            planes = planes.map { p in
                let q = b.activation([n, h, w, 1], catS, catZ)
                b.op(BuiltinOp.quantize, [p], q)
                return q
            }
        }
        if int(0...1) == 0 { planes.reverse() }
        let cat = b.activation([n, h, w, 2], catS, catZ)
        b.op(BuiltinOp.concatenation, planes, cat, .concatenation(axis: int(0...1) == 0 ? 3 : -1, activation: .none))
        let (cs, convS) = convScales(input: catS, channels: 1, fanIn: 2 * k * k)
        let cw = b.int8s([1, k, k, 2], int8s(2 * k * k), scales: cs)
        let conv = b.activation([n, h, w, 1], convS, zero())
        let convBias = b.int32s([1], biases(1))
        b.op(BuiltinOp.conv2D, [cat, cw, convBias], conv, .conv2D(padding: 0, strideW: 1, strideH: 1, activation: .none, dilationW: 1, dilationH: 1))
        let sgate = logistic(&b, conv, [n, h, w, 1])
        let (y, _) = mul(&b, x1, x1s, sgate, 1.0 / 256, [n, h, w, c])
        return b.model(input: x, output: y)
    }
}
