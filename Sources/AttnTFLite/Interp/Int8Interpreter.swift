// The interpreter's int8 mode: subgraph 0's operators run one at a time, each with TFLM's
// reference arithmetic on whole tensors (every intermediate stored, quantisation parameters
// derived per op from the tensors as each op's Prepare derives them). It knows nothing of the
// recognised blocks or their fused kernels, so a kernel checked against it is checked against
// the ops it replaces. Operands are read as 4-D NHWC (shorter shapes padded with leading 1s).

/// An operator the interpreter cannot run, or a model it cannot run it on.
package struct Int8InterpreterError: Error, CustomStringConvertible {
    /// What and where.
    package let description: String
    init(_ description: String) { self.description = description }
}

/// Runs int8 TFLite operators as TFLM's reference kernels do.
package struct Int8Interpreter: Sendable {
    /// The model run.
    package let model: TFLiteModel

    /// An interpreter for `model`'s subgraph 0.
    package init(_ model: TFLiteModel) { self.model = model }

    /// Runs `operators` (indices, in order) with `inputs` bound (tensor index → int8 values) and
    /// returns every tensor value known afterwards, constants included.
    package func run(_ inputs: [Int: [Int8]], operators: [Int]) throws(Int8InterpreterError) -> [Int: [Int8]] {
        var values = inputs
        for i in operators {
            guard model.operators.indices.contains(i) else { throw Int8InterpreterError("operator \(i) does not exist") }
            let op = model.operators[i]
            guard op.outputs.count == 1 else { throw Int8InterpreterError("operator \(i) has \(op.outputs.count) outputs") }
            values[op.outputs[0]] = try evaluate(i, op, &values)
        }
        return values
    }

    /// The whole subgraph on one input: its (first) output.
    package func callAsFunction(_ input: [Int8]) throws(Int8InterpreterError) -> [Int8] {
        let values = try run([model.inputs[0]: input], operators: Array(model.operators.indices))
        guard let y = values[model.outputs[0]] else { throw Int8InterpreterError("the subgraph's output was never computed") }
        return y
    }

    private func shape4(_ t: Int) -> [Int] {
        let s = model.tensors[t].shape
        return Array(repeating: 1, count: max(0, 4 - s.count)) + s
    }

    private func quant(_ t: Int) throws(Int8InterpreterError) -> (Float, Int32) {
        guard let q = model.tensors[t].quantization, q.scales.count >= 1 else { throw Int8InterpreterError("tensor \(t) is not quantised") }
        return (q.scales[0], Int32(q.zeroPoints[0]))
    }

    private func value(_ t: Int, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        if let v = values[t] { return v }
        let data = model.data(t)
        guard model.tensors[t].type == .int8, data.count == model.tensors[t].elementCount else {
            throw Int8InterpreterError("tensor \(t) has no value and is not an int8 constant")
        }
        let v = data.map { Int8(bitPattern: $0) }
        values[t] = v
        return v
    }

    private func int32s(_ t: Int) throws(Int8InterpreterError) -> [Int32] {
        let data = Array(model.data(t))
        guard model.tensors[t].type == .int32, data.count == 4 * model.tensors[t].elementCount else {
            throw Int8InterpreterError("tensor \(t) is not an int32 constant")
        }
        return (0..<(data.count / 4)).map { i in
            Int32(bitPattern: UInt32(data[4 * i]) | UInt32(data[4 * i + 1]) << 8 | UInt32(data[4 * i + 2]) << 16 | UInt32(data[4 * i + 3]) << 24)
        }
    }

    private func clamp(_ v: Int32, _ lo: Int32 = -128, _ hi: Int32 = 127) -> Int8 { Int8(min(max(v, lo), hi)) }

    private func range(_ act: TFLiteActivation, _ t: Int) throws(Int8InterpreterError) -> (Int32, Int32) {
        let (s, z) = try quant(t)
        guard let r = activationRange(act, scale: s, zeroPoint: z) else { throw Int8InterpreterError("tensor \(t): an activation int8 kernels refuse") }
        return r
    }

    private func evaluate(_ index: Int, _ op: TFLiteOperator, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        let out = op.outputs[0]
        switch op.opcode {
        case BuiltinOp.reshape, BuiltinOp.squeeze, BuiltinOp.expandDims:
            return try value(op.inputs[0], &values)  // TFLM copies the bytes
        case BuiltinOp.mean, BuiltinOp.reduceMax:
            return try reduce(op, out, &values)
        case BuiltinOp.conv2D:
            return try conv(op, out, &values)
        case BuiltinOp.add, BuiltinOp.mul:
            return try binary(op, out, &values)
        case BuiltinOp.logistic:
            let (s, z) = try quant(op.inputs[0])
            guard let logistic = Int8Logistic(scale: s, zeroPoint: z) else { throw Int8InterpreterError("LOGISTIC \(index): input scale \(s)") }
            return try value(op.inputs[0], &values).map { logistic($0) }
        case BuiltinOp.hardSwish:
            let (s, z) = try quant(op.inputs[0]), (os, oz) = try quant(out)
            guard let hs = Int8HardSwish(inputScale: s, inputZeroPoint: z, outputScale: os, outputZeroPoint: oz) else {
                throw Int8InterpreterError("HARD_SWISH \(index): scales \(s) → \(os)")
            }
            return try value(op.inputs[0], &values).map { hs($0) }
        case BuiltinOp.quantize:
            let (s, z) = try quant(op.inputs[0]), (os, oz) = try quant(out)
            let m = QuantizedMultiplier(Double(s) / Double(os))
            return try value(op.inputs[0], &values).map { clamp(multiplyByQuantizedMultiplier(Int32($0) - z, m) + oz) }
        case BuiltinOp.concatenation:
            return try concatenation(op, out, &values)
        default:
            throw Int8InterpreterError("operator \(index): \(BuiltinOp.name(op.opcode)) is not run by the int8 interpreter")
        }
    }

    /// MEAN (QuantizedMeanOrSum: int32 sums, 1/count folded into the multiplier) or REDUCE_MAX
    /// over the axes of the second input; the output laid out as with keep_dims (the same order).
    private func reduce(_ op: TFLiteOperator, _ out: Int, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        let x = try value(op.inputs[0], &values)
        let s = shape4(op.inputs[0])
        let rankShift = 4 - model.tensors[op.inputs[0]].shape.count
        let axes = Set(try int32s(op.inputs[1]).map { a in Int(a < 0 ? a + Int32(model.tensors[op.inputs[0]].shape.count) : a) + rankShift })
        let o = (0..<4).map { axes.contains($0) ? 1 : s[$0] }
        let count = (0..<4).filter { axes.contains($0) }.reduce(1) { $0 * s[$1] }
        var sums = [Int32](repeating: 0, count: o.reduce(1, *))
        var maxima = [Int8](repeating: -128, count: sums.count)
        for n in 0..<s[0] { for h in 0..<s[1] { for w in 0..<s[2] { for c in 0..<s[3] {
            let v = x[((n * s[1] + h) * s[2] + w) * s[3] + c]
            let j = (((o[0] == 1 ? 0 : n) * o[1] + (o[1] == 1 ? 0 : h)) * o[2] + (o[2] == 1 ? 0 : w)) * o[3] + (o[3] == 1 ? 0 : c)
            sums[j] &+= Int32(v)
            maxima[j] = max(maxima[j], v)
        } } } }
        if op.opcode == BuiltinOp.reduceMax { return maxima }
        let (inS, inZ) = try quant(op.inputs[0]), (outS, outZ) = try quant(out)
        let m = meanMultiplier(QuantizedMultiplier(Double(inS) / Double(outS)), count: count)
        return sums.map { clamp(multiplyByQuantizedMultiplier($0 &- inZ &* Int32(count), m) + outZ) }
    }

    /// ConvPerChannel: NHWC input, OHWI weights, stride and dilation, SAME or VALID padding,
    /// taps outside the input skipped, per-channel multipliers, fused activation.
    private func conv(_ op: TFLiteOperator, _ out: Int, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        guard case .conv2D(let padding, let strideW, let strideH, let act, let dilationW, let dilationH) = op.options else {
            throw Int8InterpreterError("CONV_2D without Conv2DOptions")
        }
        let x = try value(op.inputs[0], &values), wt = try value(op.inputs[1], &values)
        let s = shape4(op.inputs[0]), ws = model.tensors[op.inputs[1]].shape, os = shape4(out)
        let bias = op.inputs.count >= 3 && op.inputs[2] >= 0 ? try int32s(op.inputs[2]) : [Int32](repeating: 0, count: ws[0])
        let (inS, inZ) = try quant(op.inputs[0]), (outS, outZ) = try quant(out)
        guard let wq = model.tensors[op.inputs[1]].quantization else { throw Int8InterpreterError("CONV_2D weights not quantised") }
        let (lo, hi) = try range(act, out)
        func pad(_ input: Int, _ output: Int, _ stride: Int, _ k: Int, _ dilation: Int) -> Int {
            guard padding == 0 else { return 0 }  // VALID
            let effective = (k - 1) * dilation + 1
            return max((output - 1) * stride + effective - input, 0) / 2
        }
        let (sh, sw, dh, dw) = (Int(strideH), Int(strideW), Int(dilationH), Int(dilationW))
        let padH = pad(s[1], os[1], sh, ws[1], dh), padW = pad(s[2], os[2], sw, ws[2], dw)
        var y: [Int8] = []
        y.reserveCapacity(os.reduce(1, *))
        for n in 0..<os[0] { for oy in 0..<os[1] { for ox in 0..<os[2] { for oc in 0..<os[3] {
            var acc: Int32 = 0
            for ky in 0..<ws[1] {
                let iy = oy * sh - padH + ky * dh
                guard iy >= 0, iy < s[1] else { continue }
                for kx in 0..<ws[2] {
                    let ix = ox * sw - padW + kx * dw
                    guard ix >= 0, ix < s[2] else { continue }
                    for ic in 0..<ws[3] {
                        acc &+= Int32(wt[((oc * ws[1] + ky) * ws[2] + kx) * ws[3] + ic]) * (Int32(x[((n * s[1] + iy) * s[2] + ix) * s[3] + ic]) - inZ)
                    }
                }
            }
            acc &+= bias[oc]
            let m = QuantizedMultiplier(Double(inS) * Double(wq.scales[wq.scales.count == 1 ? 0 : oc]) / Double(outS))
            y.append(clamp(multiplyByQuantizedMultiplier(acc, m) + outZ, lo, hi))
        } } } }
        return y
    }

    /// ADD (CalculateOpDataAdd's 2^20 left shift and three rescales) or MUL, broadcasting 4-D
    /// operands as BroadcastBinaryFunction4DSlow does.
    private func binary(_ op: TFLiteOperator, _ out: Int, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        guard op.inputs.count == 2, case .arithmetic(let act) = op.options else { throw Int8InterpreterError("ADD/MUL without two inputs and options") }
        let a = try value(op.inputs[0], &values), b = try value(op.inputs[1], &values)
        let sa = shape4(op.inputs[0]), sb = shape4(op.inputs[1]), so = shape4(out)
        let (aS, aZ) = try quant(op.inputs[0]), (bS, bZ) = try quant(op.inputs[1]), (oS, oZ) = try quant(out)
        let (lo, hi) = try range(act, out)
        let f: (Int8, Int8) -> Int8
        if op.opcode == BuiltinOp.mul {
            let m = QuantizedMultiplier(Double(aS) * Double(bS) / Double(oS))
            f = { x, y in self.clamp(oZ + multiplyByQuantizedMultiplier((Int32(x) - aZ) * (Int32(y) - bZ), m), lo, hi) }
        } else {
            let twiceMax = 2 * Double(max(aS, bS))
            let ma = QuantizedMultiplier(Double(aS) / twiceMax), mb = QuantizedMultiplier(Double(bS) / twiceMax)
            let mo = QuantizedMultiplier(twiceMax / (Double(1 << 20) * Double(oS)))
            f = { x, y in
                let xs = multiplyByQuantizedMultiplier((Int32(x) - aZ) * (1 << 20), ma)
                let ys = multiplyByQuantizedMultiplier((Int32(y) - bZ) * (1 << 20), mb)
                return self.clamp(multiplyByQuantizedMultiplier(xs &+ ys, mo) + oZ, lo, hi)
            }
        }
        func at(_ v: [Int8], _ s: [Int], _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int8 {
            v[(((s[0] == 1 ? 0 : n) * s[1] + (s[1] == 1 ? 0 : h)) * s[2] + (s[2] == 1 ? 0 : w)) * s[3] + (s[3] == 1 ? 0 : c)]
        }
        var y: [Int8] = []
        y.reserveCapacity(so.reduce(1, *))
        for n in 0..<so[0] { for h in 0..<so[1] { for w in 0..<so[2] { for c in 0..<so[3] {
            y.append(f(at(a, sa, n, h, w, c), at(b, sb, n, h, w, c)))
        } } } }
        return y
    }

    /// CONCATENATION of int8 inputs (TFLM copies the bytes; the inputs share the output's
    /// quantisation) along the options' axis.
    private func concatenation(_ op: TFLiteOperator, _ out: Int, _ values: inout [Int: [Int8]]) throws(Int8InterpreterError) -> [Int8] {
        guard case .concatenation(let rawAxis, _) = op.options else { throw Int8InterpreterError("CONCATENATION without options") }
        let rank = model.tensors[out].shape.count
        let axis = Int(rawAxis < 0 ? rawAxis + Int64(rank) : rawAxis)
        let outShape = model.tensors[out].shape
        let outer = outShape[..<axis].reduce(1, *)
        var parts: [([Int8], Int)] = []
        for t in op.inputs { parts.append((try value(t, &values), model.tensors[t].shape[axis...].reduce(1, *))) }
        var y: [Int8] = []
        for o in 0..<outer { for (v, inner) in parts { y += v[(o * inner)..<((o + 1) * inner)] } }
        return y
    }
}
