// Finds int8 SE and ECA blocks in subgraph 0. Every squeeze (a MEAN or REDUCE_MAX over H and W)
// starts a candidate; the chain after it is followed one single consumer at a time, through
// int8 RESHAPE/SQUEEZE/EXPAND_DIMS that only relabel the vector:
//   MEAN → CONV_2D 1×1 → CONV_2D 1×1 → LOGISTIC | MUL(const) → MUL(x)     (SE, hard-sigmoid SE)
//          (a HARD_SWISH may sit between the two convs)
//   MEAN → CONV_2D [1,1,k,1] on [1,1,C,1] → LOGISTIC → MUL(x)             (ECA)
// where x is the MEAN's own input. A candidate that breaks the chain is reported with the step
// and the reason, so the user sees why a block that looks like attention stays in TFLM.

/// A block the importer recognised.
package struct RecognisedBlock: Sendable {
    /// `se` (sigmoid gate), `se_hard_sigmoid` (Keras MobileNetV3's gate) or `eca`.
    package let kind: String
    /// The subgraph's operator indices the kernel replaces, in order.
    package let operators: [Int]
    /// The tensor the kernel reads (the MEAN's input) and the one it writes (the last MUL's output).
    package let inputTensor: Int, outputTensor: Int
    /// The arithmetic.
    package let block: Int8Block
}

/// An attention-like pattern the importer did not turn into a kernel.
package struct UnrecognisedPattern: Sendable, Equatable {
    /// The operators it followed before stopping.
    package let operators: [Int]
    /// Why it stopped.
    package let why: String
}

struct Mismatch: Error {
    let why: String
    init(_ why: String) { self.why = why }
}

/// Matches SE chains in a model.
package struct SEMatcher {
    let model: TFLiteModel
    /// Operators reading each tensor.
    let readers: [Int: [Int]]
    /// N of the candidate being matched: every shape check expects it (each image of a batch
    /// goes through the same ops, so the kernel loops over them).
    let batch: Int

    /// Indexes `model`'s tensor readers.
    package init(_ model: TFLiteModel) {
        self.model = model
        var readers: [Int: [Int]] = [:]
        for (i, op) in model.operators.enumerated() {
            for t in Set(op.inputs) where t >= 0 { readers[t, default: []].append(i) }
        }
        self.readers = readers
        self.batch = 1
    }

    private init(_ other: SEMatcher, batch: Int) {
        model = other.model
        readers = other.readers
        self.batch = batch
    }

    /// This matcher expecting batch `n`.
    func batched(_ n: Int) -> SEMatcher { SEMatcher(self, batch: n) }

    /// Every squeeze in the model, matched or explained. A MEAN and a REDUCE_MAX over H and W of
    /// the same tensor start a CBAM candidate; a MEAN alone an SE or ECA one.
    package func run() -> (blocks: [RecognisedBlock], unrecognised: [UnrecognisedPattern]) {
        var blocks: [RecognisedBlock] = []
        var unrecognised: [UnrecognisedPattern] = []
        var consumed = Set<Int>()
        for (i, op) in model.operators.enumerated() where !consumed.contains(i) && op.customCode == nil && (op.opcode == BuiltinOp.mean || op.opcode == BuiltinOp.reduceMax) {
            if isChannelPool(op) {
                unrecognised.append(UnrecognisedPattern(
                    operators: [i], why: "a \(BuiltinOp.name(op.opcode)) over C outside a recognised CBAM block (its spatial attention map)"))
                continue
            }
            guard isSpatialSqueeze(op) else { continue }
            let other = op.opcode == BuiltinOp.mean ? BuiltinOp.reduceMax : BuiltinOp.mean
            let sibling = (readers[op.inputs[0]] ?? []).first { j in
                j != i && model.operators[j].opcode == other && model.operators[j].customCode == nil && isSpatialSqueeze(model.operators[j])
            }
            var chain = [i]
            do throws(Mismatch) {
                if let sibling {
                    let (meanIndex, maxIndex) = op.opcode == BuiltinOp.mean ? (i, sibling) : (sibling, i)
                    chain = [meanIndex, maxIndex]
                    consumed.formUnion(chain)
                    let block = try matchCBAM(mean: meanIndex, max: maxIndex, &chain)
                    consumed.formUnion(block.operators)
                    blocks.append(block)
                } else {
                    if op.opcode == BuiltinOp.reduceMax {
                        throw Mismatch("a REDUCE_MAX over H and W without a MEAN of the same tensor (CBAM's other descriptor) is not recognised")
                    }
                    blocks.append(try match(i, &chain))
                }
            } catch {
                // A broken CBAM's pools over C belong to its report, not to reports of their own.
                if sibling != nil { consumed.formUnion(chain) }
                unrecognised.append(UnrecognisedPattern(operators: chain, why: error.why))
            }
        }
        return (blocks, unrecognised)
    }

    func isChannelPool(_ op: TFLiteOperator) -> Bool {
        guard op.inputs.count == 2, op.inputs[1] >= 0, let axes = try? int32s(op.inputs[1]) else { return false }
        return Set(axes) == [3] && model.tensors[op.inputs[0]].shape.count == 4
    }

    func isSpatialSqueeze(_ op: TFLiteOperator) -> Bool {
        guard op.inputs.count == 2, op.inputs[1] >= 0, let axes = try? int32s(op.inputs[1]) else { return false }
        return Set(axes) == [1, 2] && model.tensors[op.inputs[0]].shape.count == 4
    }

    private func match(_ meanIndex: Int, _ chain: inout [Int]) throws(Mismatch) -> RecognisedBlock {
        let mean = model.operators[meanIndex]
        let x = mean.inputs[0]
        let xt = model.tensors[x]
        guard xt.shape[0] >= 1, xt.shape[0] <= 1 << 16 else { throw Mismatch("batch \(xt.shape[0]) is outside 1...65536") }
        if xt.shape[0] != batch { return try batched(xt.shape[0]).match(meanIndex, &chain) }
        let (h, w, c) = (xt.shape[1], xt.shape[2], xt.shape[3])
        // MEAN sums raw int8 in int32: at most 2^23 values per channel keep it exact.
        guard h * w >= 1, c >= 1, h * w <= 1 << 23 else { throw Mismatch("H·W = \(h * w) with C = \(c) is outside 1...2^23") }
        let (xScale, xZero) = try activation(x, "the block input")
        guard mean.outputs.count == 1, isVector(mean.outputs[0], c) else { throw Mismatch("MEAN's output is not a vector of \(c)") }
        let s = mean.outputs[0]
        guard batch == 1 || model.tensors[s].shape == [batch, 1, 1, c] else {
            throw Mismatch("batch \(batch): MEAN's output \(model.tensors[s].shape) is not [\(batch), 1, 1, \(c)] (ECA's layout is generated for batch 1 only)")
        }
        let (sScale, sZero) = try activation(s, "MEAN's output")
        let meanBase = try requantization(Double(xScale) / Double(sScale), "MEAN")

        let (convIndex, convOp, convIn) = try nextReader(of: s, "MEAN's output", chain: &chain)
        guard convOp.opcode == BuiltinOp.conv2D, convOp.inputs.count >= 2, convOp.inputs[1] >= 0, convOp.outputs.count == 1 else {
            throw Mismatch("the pooled vector feeds \(BuiltinOp.name(convOp.opcode)) at operator \(convIndex), not a CONV_2D")
        }
        let excitation: Int8Excitation
        let e: Int
        var expandActivation = TFLiteActivation.none
        let weightShape = model.tensors[convOp.inputs[1]].shape
        // With C = 1 an SE reduce conv to one channel has ECA's shapes too: what reads its
        // output (another conv, or a HARD_SWISH before one) says which it is.
        let feedsMLP = (readers[convOp.outputs[0]] ?? []).contains { [BuiltinOp.conv2D, BuiltinOp.hardSwish].contains(model.operators[$0].opcode) }
        if weightShape.count == 4, weightShape[0] == 1, weightShape[1] == 1, weightShape[3] == 1, model.tensors[convIn].shape == [1, 1, c, 1],
            !(c == 1 && feedsMLP)
        {
            excitation = .channelConv(try channelConv(convOp, convIndex, input: convIn, inputZero: sZero, inputScale: sScale, channels: c))
            e = convOp.outputs[0]
        } else {
            let reduce = try dense(convOp, convIndex, input: convIn, inputZero: sZero, inputScale: sScale, inputs: c)
            var r = convOp.outputs[0]
            var (rScale, rZero) = try activation(r, "the reduce conv's output")
            var (expandIndex, expandOp, expandIn) = try nextReader(of: r, "the reduce conv's output", chain: &chain)
            var hidden: [Int8]?
            if expandOp.opcode == BuiltinOp.hardSwish {
                // MobileNetV3-style hard-swish between the convs, as its own int8 op.
                guard expandOp.outputs.count == 1, isVector(expandOp.outputs[0], reduce.outputs) else {
                    throw Mismatch("HARD_SWISH at operator \(expandIndex) does not give a vector of \(reduce.outputs)")
                }
                let (hScale, hZero) = try activation(expandOp.outputs[0], "HARD_SWISH \(expandIndex)'s output")
                guard let hardSwish = Int8HardSwish(inputScale: rScale, inputZeroPoint: rZero, outputScale: hScale, outputZeroPoint: hZero) else {
                    throw Mismatch("HARD_SWISH at operator \(expandIndex): scales \(rScale) → \(hScale) are outside what TFLM's int8 HARD_SWISH takes")
                }
                hidden = hardSwish.table
                r = expandOp.outputs[0]
                (rScale, rZero) = (hScale, hZero)
                (expandIndex, expandOp, expandIn) = try nextReader(of: r, "HARD_SWISH's output", chain: &chain)
            }
            let expand = try dense(expandOp, expandIndex, input: expandIn, inputZero: rZero, inputScale: rScale, inputs: reduce.outputs)
            guard expand.outputs == c else { throw Mismatch("the expand conv gives \(expand.outputs) channels for an input of \(c)") }
            if case .conv2D(_, _, _, let act, _, _) = expandOp.options { expandActivation = act }
            excitation = .mlp(reduce: reduce, hidden: hidden, expand: expand)
            e = expandOp.outputs[0]
        }
        let (eScale, eZero) = try activation(e, "the excitation's output")

        let (gateIndex, gateOp, gateIn) = try nextReader(of: e, "the excitation's output", chain: &chain)
        let gate: Int8Gate
        let kind: String
        guard gateOp.outputs.count == 1, isVector(gateOp.outputs[0], c) else {
            throw Mismatch("\(BuiltinOp.name(gateOp.opcode)) at operator \(gateIndex) does not give a vector of \(c)")
        }
        let g = gateOp.outputs[0]
        let (gScale, gZero) = try activation(g, "the gate")
        switch gateOp.opcode {
        case BuiltinOp.logistic:
            guard gZero == -128, gScale == 1.0 / 256 else {
                throw Mismatch("LOGISTIC's output is quantised (\(gScale), \(gZero)), not TFLM's required (1/256, -128)")
            }
            guard let table = Int8Logistic(scale: eScale, zeroPoint: eZero)?.table else {
                throw Mismatch("LOGISTIC's input scale \(eScale) is outside what TFLM's int8 LOGISTIC handles")
            }
            gate = .logistic(table: table)
            if case .channelConv = excitation { kind = "eca" } else { kind = "se" }
        case BuiltinOp.mul:
            guard gateOp.inputs.count == 2 else { throw Mismatch("MUL at operator \(gateIndex) has \(gateOp.inputs.count) inputs") }
            let k = gateOp.inputs[0] == gateIn ? gateOp.inputs[1] : gateOp.inputs[0]
            guard k >= 0, !model.data(k).isEmpty else {
                throw Mismatch("the gate MUL at operator \(gateIndex) multiplies by a tensor that is not constant")
            }
            guard case .mlp = excitation, expandActivation == .relu6 else {
                throw Mismatch("a MUL by a constant after an excitation without ReLU6 is not MobileNetV3's hard sigmoid")
            }
            let values = try int8s(k)
            guard values.count == 1 || values.count == c else {
                throw Mismatch("the hard-sigmoid constant has \(values.count) values for \(c) channels")
            }
            let (kScale, kZero) = try activation(k, "the hard-sigmoid constant")
            gate = .mulConstant(values: values, mul: try mul(gateOp, gScale, gZero, eScale, eZero, kScale, kZero))
            kind = "se_hard_sigmoid"
        default:
            throw Mismatch("the excitation feeds \(BuiltinOp.name(gateOp.opcode)), not LOGISTIC or a hard sigmoid's MUL")
        }

        let (scaleIndex, scaleOp, scaleIn) = try nextReader(of: g, "the gate", chain: &chain)
        guard scaleOp.opcode == BuiltinOp.mul, scaleOp.customCode == nil, scaleOp.inputs.count == 2,
            Set(scaleOp.inputs) == [x, scaleIn], model.tensors[scaleIn].shape.last == c,
            batch == 1 ? model.tensors[scaleIn].shape.dropLast().allSatisfy({ $0 == 1 }) : model.tensors[scaleIn].shape == [batch, 1, 1, c]
        else {
            throw Mismatch("the gate feeds \(BuiltinOp.name(scaleOp.opcode)) at operator \(scaleIndex), not a MUL with the block input")
        }
        let y = try single(scaleOp, "MUL", h, w, c)
        let (yScale, yZero) = try activation(y, "the block output")
        let scale = try mul(scaleOp, yScale, yZero, xScale, xZero, gScale, gZero)
        let block = Int8SE(
            batch: batch, height: h, width: w, channels: c, inputZeroPoint: xZero, meanMultiplier: meanMultiplier(meanBase, count: h * w),
            meanZeroPoint: sZero, excitation: excitation, gate: gate, scale: scale)
        return RecognisedBlock(kind: kind, operators: chain, inputTensor: x, outputTensor: y, block: .se(block))
    }

    /// An int8 tensor of `c` elements whose last dimension is `c` (any rank); for a batch, one
    /// such vector per image, [N, 1, 1, c].
    func isVector(_ t: Int, _ c: Int) -> Bool {
        let tensor = model.tensors[t]
        guard batch == 1 else { return tensor.shape == [batch, 1, 1, c] }
        return tensor.elementCount == c && (tensor.shape.last == c || tensor.shape.count == 4 && tensor.shape == [1, 1, c, 1])
    }

    /// The single operator after `t` that computes something, passing through int8 RESHAPE,
    /// SQUEEZE and EXPAND_DIMS that keep the elements and the quantisation (TFLM copies bytes);
    /// returns it, its index and the tensor it reads.
    func nextReader(of start: Int, _ what: String, chain: inout [Int]) throws(Mismatch) -> (Int, TFLiteOperator, Int) {
        var t = start
        var steps = 0
        while true {
            steps += 1
            guard steps <= model.operators.count else { throw Mismatch("\(what): the operators form a cycle") }
            let (i, op) = try onlyReader(of: t, what, chain: &chain)
            guard op.opcode == BuiltinOp.reshape || op.opcode == BuiltinOp.squeeze || op.opcode == BuiltinOp.expandDims else {
                return (i, op, t)
            }
            guard op.inputs.first == t, op.outputs.count == 1 else {
                throw Mismatch("\(BuiltinOp.name(op.opcode)) at operator \(i) does not read \(what) as its data")
            }
            let out = op.outputs[0]
            guard model.tensors[out].elementCount == model.tensors[t].elementCount,
                model.tensors[out].quantization == model.tensors[t].quantization
            else {
                throw Mismatch("\(BuiltinOp.name(op.opcode)) at operator \(i) changes the element count or the quantisation")
            }
            t = out
        }
    }

    /// ECA's conv along C: one filter [1, 1, k, 1] over [1, 1, C, 1], stride 1, SAME padding.
    private func channelConv(_ op: TFLiteOperator, _ index: Int, input: Int, inputZero: Int32, inputScale: Float, channels c: Int)
        throws(Mismatch) -> Int8ChannelConv
    {
        guard case .conv2D(let padding, let strideW, let strideH, let act, let dilationW, let dilationH) = op.options,
            padding == 0, strideW == 1, strideH == 1, dilationW == 1, dilationH == 1
        else {
            throw Mismatch("CONV_2D at operator \(index) along C is not stride 1, dilation 1, SAME padding")
        }
        let out = op.outputs[0]
        guard model.tensors[out].shape == [1, 1, c, 1] else {
            throw Mismatch("CONV_2D at operator \(index) gives \(model.tensors[out].shape), not [1, 1, \(c), 1]")
        }
        let (outScale, outZero) = try activation(out, "CONV_2D \(index)'s output")
        let wt = model.tensors[op.inputs[1]]
        guard wt.type == .int8, let wq = wt.quantization, wq.scales.count == 1, wq.zeroPoints == [0] else {
            throw Mismatch("CONV_2D at operator \(index): weights are not symmetric int8 with one scale")
        }
        let weights = try int8s(op.inputs[1])
        var bias: Int32 = 0
        if op.inputs.count >= 3, op.inputs[2] >= 0 {
            let b = try int32s(op.inputs[2])
            guard b.count == 1 else { throw Mismatch("CONV_2D at operator \(index): \(b.count) biases for one filter") }
            bias = b[0]
        }
        guard let (lo, hi) = activationRange(act, scale: outScale, zeroPoint: outZero) else {
            throw Mismatch("CONV_2D at operator \(index) has a fused activation TFLM's int8 conv does not take")
        }
        return Int8ChannelConv(
            weights: weights, bias: bias,
            multiplier: try requantization(Double(inputScale) * Double(wq.scales[0]) / Double(outScale), "CONV_2D at operator \(index)"),
            padding: (weights.count - 1) / 2, inputOffset: -inputZero, outputZeroPoint: outZero, clampMin: lo, clampMax: hi)
    }
    /// The op's only output, checked to be int8 [N, h, w, c].
    func single(_ op: TFLiteOperator, _ name: String, _ h: Int, _ w: Int, _ c: Int) throws(Mismatch) -> Int {
        guard op.outputs.count == 1 else { throw Mismatch("\(name) has \(op.outputs.count) outputs") }
        let t = model.tensors[op.outputs[0]]
        guard t.shape == [batch, h, w, c] else { throw Mismatch("\(name)'s output has shape \(t.shape), not [\(batch), \(h), \(w), \(c)]") }
        return op.outputs[0]
    }

    /// The single operator reading tensor `t`, appended to the chain; a tensor read by several
    /// operators or leaving the subgraph cannot be fused away.
    func onlyReader(of t: Int, _ what: String, chain: inout [Int]) throws(Mismatch) -> (Int, TFLiteOperator) {
        let ops = readers[t] ?? []
        guard !model.outputs.contains(t) else { throw Mismatch("\(what) is an output of the subgraph") }
        guard ops.count == 1 else { throw Mismatch("\(what) is read by \(ops.count) operators \(ops), not one") }
        let op = model.operators[ops[0]]
        guard op.customCode == nil else { throw Mismatch("\(what) feeds the custom op \(op.customCode!)") }
        chain.append(ops[0])
        return (ops[0], op)
    }

    /// Per-tensor int8 quantisation of an activation: (scale, zero point).
    func activation(_ t: Int, _ what: String) throws(Mismatch) -> (Float, Int32) {
        let tensor = model.tensors[t]
        guard tensor.type == .int8 else { throw Mismatch("\(what) is \(tensor.type), not INT8") }
        guard let q = tensor.quantization, q.scales.count == 1, q.scales[0] > 0, q.scales[0].isFinite,
            (-128...127).contains(q.zeroPoints[0])
        else {
            throw Mismatch("\(what) has no per-tensor int8 quantisation (a positive scale, a zero point in -128...127)")
        }
        return (q.scales[0], Int32(q.zeroPoints[0]))
    }

    /// A 1×1 CONV_2D on a [N,1,1,inputs] vector.
    func dense(_ op: TFLiteOperator, _ index: Int, input: Int, inputZero: Int32, inputScale: Float, inputs: Int)
        throws(Mismatch) -> Int8Dense
    {
        guard op.opcode == BuiltinOp.conv2D, case .conv2D(_, _, _, let act, _, _) = op.options, op.inputs.count >= 2,
            op.inputs[1] >= 0, op.inputs[0] == input, model.tensors[input].shape == [batch, 1, 1, inputs]
        else {
            throw Mismatch("operator \(index) is \(BuiltinOp.name(op.opcode)), not a 1×1 CONV_2D on the pooled vector")
        }
        let wt = model.tensors[op.inputs[1]]
        guard wt.type == .int8, wt.shape.count == 4, wt.shape[1] == 1, wt.shape[2] == 1, wt.shape[3] == inputs else {
            throw Mismatch("CONV_2D at operator \(index): weights \(wt.shape) \(wt.type) are not int8 [O, 1, 1, \(inputs)]")
        }
        let outputs = wt.shape[0]
        let out = try single(op, "CONV_2D at operator \(index)", 1, 1, outputs)
        let (outScale, outZero) = try activation(out, "CONV_2D \(index)'s output")
        guard let wq = wt.quantization, wq.scales.count == 1 || (wq.scales.count == outputs && wq.dimension == 0),
            wq.zeroPoints.allSatisfy({ $0 == 0 })
        else {
            throw Mismatch("CONV_2D at operator \(index): weights are not symmetric int8, per tensor or per output channel")
        }
        let weights = try int8s(op.inputs[1])
        var bias = [Int32](repeating: 0, count: outputs)
        if op.inputs.count >= 3, op.inputs[2] >= 0 {
            let bt = model.tensors[op.inputs[2]]
            guard bt.type == .int32, bt.elementCount == outputs else {
                throw Mismatch("CONV_2D at operator \(index): bias is \(bt.type) \(bt.shape), not int32 [\(outputs)]")
            }
            bias = try int32s(op.inputs[2])
        }
        guard let (lo, hi) = activationRange(act, scale: outScale, zeroPoint: outZero) else {
            throw Mismatch("CONV_2D at operator \(index) has a fused activation TFLM's int8 conv does not take")
        }
        var multipliers: [QuantizedMultiplier] = []
        for o in 0..<outputs {
            let f = wq.scales[wq.scales.count == 1 ? 0 : o]
            multipliers.append(try requantization(Double(inputScale) * Double(f) / Double(outScale), "CONV_2D at operator \(index), channel \(o)"))
        }
        return Int8Dense(
            inputs: inputs, outputs: outputs, weights: weights, bias: bias, multipliers: multipliers, inputOffset: -inputZero,
            outputZeroPoint: outZero, clampMin: lo, clampMax: hi)
    }

    /// MUL's requantisation for output (scale, zp) and operands a, b.
    func mul(_ op: TFLiteOperator, _ outScale: Float, _ outZero: Int32, _ aScale: Float, _ aZero: Int32, _ bScale: Float, _ bZero: Int32)
        throws(Mismatch) -> Int8Mul
    {
        guard case .arithmetic(let act) = op.options, let (lo, hi) = activationRange(act, scale: outScale, zeroPoint: outZero) else {
            throw Mismatch("a MUL without MulOptions or with a fused activation TFLM's int8 MUL does not take")
        }
        return Int8Mul(
            offsetA: -aZero, offsetB: -bZero, multiplier: try requantization(Double(aScale) * Double(bScale) / Double(outScale), "MUL"),
            outputZeroPoint: outZero, clampMin: lo, clampMax: hi)
    }

    /// QuantizeMultiplier of a real scale ratio, refused unless finite, positive and below 2^30
    /// (TFLite's own kernels assume as much; a quantiser never writes scales that far apart).
    func requantization(_ real: Double, _ what: String) throws(Mismatch) -> QuantizedMultiplier {
        guard real.isFinite, real > 0, real < Double(1 << 30) else {
            throw Mismatch("\(what): the requantisation multiplier \(real) is not a finite positive number below 2^30")
        }
        return QuantizedMultiplier(real)
    }

    func int8s(_ t: Int) throws(Mismatch) -> [Int8] {
        let tensor = model.tensors[t]
        let data = model.data(t)
        guard tensor.type == .int8, data.count == tensor.elementCount else {
            throw Mismatch("tensor \(t) holds \(data.count) bytes for \(tensor.elementCount) int8 values")
        }
        return data.map { Int8(bitPattern: $0) }
    }

    func int32s(_ t: Int) throws(Mismatch) -> [Int32] {
        let tensor = model.tensors[t]
        let data = Array(model.data(t))
        guard tensor.type == .int32, data.count == 4 * tensor.elementCount else {
            throw Mismatch("tensor \(t) holds \(data.count) bytes for \(tensor.elementCount) int32 values")
        }
        return (0..<tensor.elementCount).map { i in
            Int32(bitPattern: UInt32(data[4 * i]) | UInt32(data[4 * i + 1]) << 8 | UInt32(data[4 * i + 2]) << 16 | UInt32(data[4 * i + 3]) << 24)
        }
    }
}
