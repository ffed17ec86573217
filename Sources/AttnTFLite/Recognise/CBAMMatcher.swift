// Finds CBAM as the quantiser writes a Keras CBAM: the channel gate from a MEAN and a REDUCE_MAX
// over H and W of x through a shared 1×1-conv MLP, ADD, LOGISTIC, MUL(x); then the spatial gate
// from a MEAN and a REDUCE_MAX over C of that product, each through an optional QUANTIZE into one
// CONCATENATION, a k×k CONV_2D (SAME), LOGISTIC, and MUL with the product. Every tensor inside
// the block must have the one reader the chain expects, so the kernel can replace all of it.

extension SEMatcher {
    /// The CBAM block whose channel descriptors are operators `meanIndex` (MEAN) and `maxIndex`
    /// (REDUCE_MAX); `chain` collects the operators followed, for the report when it breaks.
    func matchCBAM(mean meanIndex: Int, max maxIndex: Int, _ chain: inout [Int]) throws(Mismatch) -> RecognisedBlock {
        let meanOp = model.operators[meanIndex], maxOp = model.operators[maxIndex]
        let x = meanOp.inputs[0]
        let xt = model.tensors[x]
        guard xt.shape[0] >= 1, xt.shape[0] <= 1 << 16 else { throw Mismatch("batch \(xt.shape[0]) is outside 1...65536") }
        if xt.shape[0] != batch { return try batched(xt.shape[0]).matchCBAM(mean: meanIndex, max: maxIndex, &chain) }
        let (h, w, c) = (xt.shape[1], xt.shape[2], xt.shape[3])
        guard h * w >= 1, c >= 1, h * w <= 1 << 23, c <= 1 << 23 else { throw Mismatch("H·W = \(h * w) with C = \(c) is outside 1...2^23") }
        let (xScale, xZero) = try activation(x, "the block input")

        // Channel attention: the two descriptors, each through the shared MLP, into one ADD.
        guard meanOp.outputs.count == 1, isVector(meanOp.outputs[0], c) else { throw Mismatch("MEAN's output is not a vector of \(c)") }
        guard maxOp.outputs.count == 1, isVector(maxOp.outputs[0], c) else { throw Mismatch("REDUCE_MAX's output is not a vector of \(c)") }
        let a = meanOp.outputs[0], m = maxOp.outputs[0]
        let (aScale, aZero) = try activation(a, "MEAN's output")
        let (mScale, mZero) = try activation(m, "REDUCE_MAX's output")
        guard mScale == xScale, mZero == xZero else {
            throw Mismatch("REDUCE_MAX's output is quantised (\(mScale), \(mZero)), not as its input (TFLM requires the same)")
        }
        let meanBase = try requantization(Double(xScale) / Double(aScale), "MEAN")
        let avg = try mlpBranch(from: a, aScale, aZero, channels: c, "the average-pooled descriptor", &chain)
        let mx = try mlpBranch(from: m, mScale, mZero, channels: c, "the max-pooled descriptor", &chain)
        guard avg.addIndex == mx.addIndex, avg.output != mx.output else {
            throw Mismatch("the two descriptors' MLPs do not meet in one ADD (operators \(avg.addIndex), \(mx.addIndex))")
        }
        let addOp = model.operators[avg.addIndex]
        guard addOp.opcode == BuiltinOp.add, addOp.inputs.count == 2, addOp.outputs.count == 1,
            Set(addOp.inputs) == [avg.addInput, mx.addInput], isVector(addOp.outputs[0], c)
        else {
            throw Mismatch("the MLPs feed \(BuiltinOp.name(addOp.opcode)) at operator \(avg.addIndex), not an ADD of the two into a vector of \(c)")
        }
        let sum = addOp.outputs[0]
        let (sumScale, sumZero) = try activation(sum, "the ADD's output")
        let add = try int8Add(addOp, avg.addIndex, avg.scale, avg.zero, mx.scale, mx.zero, sumScale, sumZero)
        let (gate, gateScale, gateZero, gateTable) = try logistic(after: sum, "the ADD's output", &chain)
        let (channelMulIndex, channelMul, gateIn) = try nextReader(of: gate, "the channel gate", chain: &chain)
        guard channelMul.opcode == BuiltinOp.mul, channelMul.inputs.count == 2, Set(channelMul.inputs) == [x, gateIn] else {
            throw Mismatch("the channel gate feeds \(BuiltinOp.name(channelMul.opcode)) at operator \(channelMulIndex), not a MUL with the block input")
        }
        let x1 = try single(channelMul, "the channel MUL", h, w, c)
        let (x1Scale, x1Zero) = try activation(x1, "the channel MUL's output")
        let channelScale = try mul(channelMul, x1Scale, x1Zero, xScale, xZero, gateScale, gateZero)

        // Spatial attention: pools over C, CONCATENATION, conv, LOGISTIC, MUL with x1.
        guard !model.outputs.contains(x1) else { throw Mismatch("the channel MUL's output is an output of the subgraph") }
        let x1Readers = readers[x1] ?? []
        let poolIndices = x1Readers.filter { j in
            let op = model.operators[j]
            return op.customCode == nil && (op.opcode == BuiltinOp.mean || op.opcode == BuiltinOp.reduceMax) && isChannelPool(op)
        }
        chain += poolIndices
        guard !poolIndices.isEmpty, x1Readers.count == poolIndices.count + 1 else {
            throw Mismatch("the channel MUL's output is read by \(x1Readers.count) operators \(x1Readers), not pools over C and the final MUL")
        }
        var planes: [(tensor: Int, pool: Int8ChannelPool)] = []
        var concatIndex: Int?
        for j in poolIndices {
            let (tensor, pool, next) = try channelPool(j, input: x1, x1Scale, x1Zero, h, w, c, &chain)
            guard concatIndex == nil || concatIndex == next else {
                throw Mismatch("the pools over C feed operators \(concatIndex!) and \(next), not one CONCATENATION")
            }
            concatIndex = next
            planes.append((tensor, pool))
        }
        let concat = model.operators[concatIndex!]
        guard concat.opcode == BuiltinOp.concatenation, concat.outputs.count == 1, concat.inputs.count == planes.count,
            Set(concat.inputs) == Set(planes.map(\.tensor)), Set(concat.inputs).count == planes.count,
            case .concatenation(let axis, let act) = concat.options, axis == 3 || axis == -1, act == .none
        else {
            throw Mismatch("the pools over C feed \(BuiltinOp.name(concat.opcode)) at operator \(concatIndex!), not a CONCATENATION of them along C without activation")
        }
        let map = concat.outputs[0]
        guard model.tensors[map].shape == [batch, h, w, planes.count] else {
            throw Mismatch("the CONCATENATION gives \(model.tensors[map].shape), not [\(batch), \(h), \(w), \(planes.count)]")
        }
        let (mapScale, mapZero) = try activation(map, "the CONCATENATION's output")
        for t in concat.inputs where model.tensors[t].quantization != model.tensors[map].quantization {
            throw Mismatch("CONCATENATION input tensor \(t) is not quantised as its output (TFLM's int8 CONCATENATION copies bytes)")
        }
        let pools = concat.inputs.map { t in planes.first { $0.tensor == t }!.pool }
        let (convIndex, convOp, convIn) = try nextReader(of: map, "the spatial map", chain: &chain)
        let conv = try spatialConv(convOp, convIndex, input: convIn, mapScale, mapZero, h, w, planes: planes.count)
        let (spatialGate, sScale, sZero, spatialTable) = try logistic(after: convOp.outputs[0], "the spatial conv's output", &chain)
        let (finalIndex, finalMul, sIn) = try nextReader(of: spatialGate, "the spatial gate", chain: &chain)
        guard finalMul.opcode == BuiltinOp.mul, finalMul.inputs.count == 2, Set(finalMul.inputs) == [x1, sIn],
            model.tensors[sIn].shape == [batch, h, w, 1]
        else {
            throw Mismatch("the spatial gate feeds \(BuiltinOp.name(finalMul.opcode)) at operator \(finalIndex), not a MUL with the channel MUL's output")
        }
        let y = try single(finalMul, "the spatial MUL", h, w, c)
        let (yScale, yZero) = try activation(y, "the block output")
        let spatialScale = try mul(finalMul, yScale, yZero, x1Scale, x1Zero, sScale, sZero)

        let block = Int8CBAM(
            batch: batch, height: h, width: w, channels: c, inputZeroPoint: xZero, meanMultiplier: meanMultiplier(meanBase, count: h * w),
            meanZeroPoint: aZero, averageReduce: avg.reduce, averageExpand: avg.expand, maxReduce: mx.reduce, maxExpand: mx.expand,
            add: add, channelTable: gateTable, channelScale: channelScale, pools: pools, conv: conv, spatialTable: spatialTable,
            spatialScale: spatialScale)
        chain = Array(Set(chain)).sorted()
        return RecognisedBlock(kind: "cbam", operators: chain, inputTensor: x, outputTensor: y, block: .cbam(block))
    }

    /// One descriptor through the two 1×1 convs, up to the operator its output feeds.
    private func mlpBranch(from s: Int, _ sScale: Float, _ sZero: Int32, channels c: Int, _ what: String, _ chain: inout [Int])
        throws(Mismatch) -> (reduce: Int8Dense, expand: Int8Dense, output: Int, scale: Float, zero: Int32, addIndex: Int, addInput: Int)
    {
        let (reduceIndex, reduceOp, reduceIn) = try nextReader(of: s, what, chain: &chain)
        let reduce = try dense(reduceOp, reduceIndex, input: reduceIn, inputZero: sZero, inputScale: sScale, inputs: c)
        let r = reduceOp.outputs[0]
        let (rScale, rZero) = try activation(r, "the reduce conv's output")
        let (expandIndex, expandOp, expandIn) = try nextReader(of: r, "the reduce conv's output", chain: &chain)
        let expand = try dense(expandOp, expandIndex, input: expandIn, inputZero: rZero, inputScale: rScale, inputs: reduce.outputs)
        guard expand.outputs == c else { throw Mismatch("the expand conv gives \(expand.outputs) channels for an input of \(c)") }
        let e = expandOp.outputs[0]
        let (eScale, eZero) = try activation(e, "the expand conv's output")
        let (addIndex, _, addIn) = try nextReader(of: e, "the expand conv's output", chain: &chain)
        return (reduce, expand, e, eScale, eZero, addIndex, addIn)
    }

    /// TFLM's int8 ADD parameters (CalculateOpDataAdd): operands rescaled against twice the
    /// larger scale after a left shift of 20, the sum rescaled to the output.
    private func int8Add(_ op: TFLiteOperator, _ index: Int, _ aScale: Float, _ aZero: Int32, _ bScale: Float, _ bZero: Int32, _ outScale: Float, _ outZero: Int32)
        throws(Mismatch) -> Int8Add
    {
        guard case .arithmetic(let act) = op.options, let (lo, hi) = activationRange(act, scale: outScale, zeroPoint: outZero) else {
            throw Mismatch("ADD at operator \(index) has no AddOptions or a fused activation TFLM's int8 ADD does not take")
        }
        let twiceMax = 2 * Double(max(aScale, bScale))
        let real = [Double(aScale) / twiceMax, Double(bScale) / twiceMax, twiceMax / (Double(1 << Int8Add.leftShift) * Double(outScale))]
        var multipliers: [QuantizedMultiplier] = []
        for r in real {
            let q = try requantization(r, "ADD at operator \(index)")
            guard q.shift <= 0 else { throw Mismatch("ADD at operator \(index): a rescale of \(r) is not below 1 as TFLM's ADD requires") }
            multipliers.append(q)
        }
        return Int8Add(
            offsetA: -aZero, offsetB: -bZero, multiplierA: multipliers[0], multiplierB: multipliers[1], outputMultiplier: multipliers[2],
            outputZeroPoint: outZero, clampMin: lo, clampMax: hi)
    }

    /// The LOGISTIC reading `t` (through relabelling ops): its output tensor, quantisation and table.
    private func logistic(after t: Int, _ what: String, _ chain: inout [Int]) throws(Mismatch) -> (Int, Float, Int32, [Int8]) {
        let (tScale, tZero) = try activation(t, what)
        let (index, op, _) = try nextReader(of: t, what, chain: &chain)
        guard op.opcode == BuiltinOp.logistic, op.outputs.count == 1 else {
            throw Mismatch("\(what) feeds \(BuiltinOp.name(op.opcode)) at operator \(index), not LOGISTIC")
        }
        let g = op.outputs[0]
        let (gScale, gZero) = try activation(g, "LOGISTIC \(index)'s output")
        guard gZero == -128, gScale == 1.0 / 256 else {
            throw Mismatch("LOGISTIC's output is quantised (\(gScale), \(gZero)), not TFLM's required (1/256, -128)")
        }
        guard let table = Int8Logistic(scale: tScale, zeroPoint: tZero)?.table else {
            throw Mismatch("LOGISTIC's input scale \(tScale) is outside what TFLM's int8 LOGISTIC handles")
        }
        return (g, gScale, gZero, table)
    }

    /// A pool over C of x1 at operator `index`, its optional QUANTIZE, and the operator after.
    private func channelPool(_ index: Int, input x1: Int, _ x1Scale: Float, _ x1Zero: Int32, _ h: Int, _ w: Int, _ c: Int, _ chain: inout [Int])
        throws(Mismatch) -> (tensor: Int, pool: Int8ChannelPool, next: Int)
    {
        let op = model.operators[index]
        guard op.outputs.count == 1, model.tensors[op.outputs[0]].shape == [batch, h, w, 1] else {
            throw Mismatch("\(BuiltinOp.name(op.opcode)) over C at operator \(index) does not give [\(batch), \(h), \(w), 1]")
        }
        let p = op.outputs[0]
        let (pScale, pZero) = try activation(p, "the pool over C's output")
        let reduction: Int8ChannelPool.Reduction
        if op.opcode == BuiltinOp.mean {
            let base = try requantization(Double(x1Scale) / Double(pScale), "MEAN over C at operator \(index)")
            reduction = .mean(inputZeroPoint: x1Zero, multiplier: meanMultiplier(base, count: c), outputZeroPoint: pZero)
        } else {
            guard pScale == x1Scale, pZero == x1Zero else {
                throw Mismatch("REDUCE_MAX over C at operator \(index) is quantised (\(pScale), \(pZero)), not as its input (TFLM requires the same)")
            }
            reduction = .max
        }
        var (nextIndex, next) = try onlyReader(of: p, "the pool over C's output", chain: &chain)
        guard next.opcode == BuiltinOp.quantize else { return (p, Int8ChannelPool(reduction: reduction, requantize: nil), nextIndex) }
        guard next.inputs.count == 1, next.outputs.count == 1, model.tensors[next.outputs[0]].shape == [batch, h, w, 1] else {
            throw Mismatch("QUANTIZE at operator \(nextIndex) does not map [\(batch), \(h), \(w), 1] to its like")
        }
        let q = next.outputs[0]
        let (qScale, qZero) = try activation(q, "QUANTIZE \(nextIndex)'s output")
        let requantize = Int8Requantize(
            inputZeroPoint: pZero, outputZeroPoint: qZero, multiplier: try requantization(Double(pScale) / Double(qScale), "QUANTIZE at operator \(nextIndex)"))
        (nextIndex, next) = try onlyReader(of: q, "QUANTIZE \(nextIndex)'s output", chain: &chain)
        return (q, Int8ChannelPool(reduction: reduction, requantize: requantize), nextIndex)
    }

    /// The k×k CONV_2D on the map: one filter [1, kh, kw, planes], stride 1, dilation 1, SAME.
    private func spatialConv(_ op: TFLiteOperator, _ index: Int, input: Int, _ inScale: Float, _ inZero: Int32, _ h: Int, _ w: Int, planes: Int)
        throws(Mismatch) -> Int8SpatialConv
    {
        guard op.opcode == BuiltinOp.conv2D, op.inputs.count >= 2, op.inputs[0] == input, op.inputs[1] >= 0, op.outputs.count == 1,
            case .conv2D(let padding, let strideW, let strideH, let act, let dilationW, let dilationH) = op.options,
            padding == 0, strideW == 1, strideH == 1, dilationW == 1, dilationH == 1
        else {
            throw Mismatch("the spatial map feeds \(BuiltinOp.name(op.opcode)) at operator \(index), not a CONV_2D with stride 1, dilation 1, SAME padding")
        }
        let wt = model.tensors[op.inputs[1]]
        guard wt.type == .int8, wt.shape.count == 4, wt.shape[0] == 1, wt.shape[3] == planes, wt.shape[1] >= 1, wt.shape[2] >= 1,
            let wq = wt.quantization, wq.scales.count == 1, wq.zeroPoints == [0]
        else {
            throw Mismatch("CONV_2D at operator \(index): weights \(wt.shape) \(wt.type) are not symmetric int8 [1, kh, kw, \(planes)]")
        }
        let out = try single(op, "CONV_2D at operator \(index)", h, w, 1)
        let (outScale, outZero) = try activation(out, "CONV_2D \(index)'s output")
        var bias: Int32 = 0
        if op.inputs.count >= 3, op.inputs[2] >= 0 {
            let b = try int32s(op.inputs[2])
            guard b.count == 1 else { throw Mismatch("CONV_2D at operator \(index): \(b.count) biases for one filter") }
            bias = b[0]
        }
        guard let (lo, hi) = activationRange(act, scale: outScale, zeroPoint: outZero) else {
            throw Mismatch("CONV_2D at operator \(index) has a fused activation TFLM's int8 conv does not take")
        }
        let (kh, kw) = (wt.shape[1], wt.shape[2])
        return Int8SpatialConv(
            kernelHeight: kh, kernelWidth: kw, planes: planes, weights: try int8s(op.inputs[1]), bias: bias,
            multiplier: try requantization(Double(inScale) * Double(wq.scales[0]) / Double(outScale), "CONV_2D at operator \(index)"),
            // SAME with stride 1: (k − 1) taps of padding in all, the smaller half first.
            padTop: (kh - 1) / 2, padLeft: (kw - 1) / 2, inputOffset: -inZero, outputZeroPoint: outZero, clampMin: lo, clampMax: hi)
    }
}
