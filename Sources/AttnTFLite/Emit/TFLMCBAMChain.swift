// CBAM as TFLite Micro's reference kernels run its 17 operators, each its own loop nest with
// every intermediate tensor in the arena: MEAN (reference_integer_ops::Mean) and REDUCE_MAX over
// H and W; the shared MLP's four 1×1 CONV_2Ds; ADD (reference_integer_ops::Add: operands shifted
// left 20 and rescaled, the sum rescaled); LOGISTIC per element; MUL broadcasting the gate
// (BroadcastMul4DSlow); MEAN over C (QuantizedMeanOrSum: int32 sums in a temporary buffer, then
// the requantisation) and REDUCE_MAX over C; each pool's QUANTIZE (reference_ops::Requantize);
// CONCATENATION's copies; the k×k CONV_2D (ConvPerChannel, taps outside the image skipped);
// LOGISTIC; and the final broadcast MUL. The arithmetic is Int8CBAM.swift's, which the fixtures
// pin to TFLM.

extension TFLMChainEmitter {
    /// The CBAM chain's forward body, constants and arena bytes.
    static func cbamForward(_ b: Int8CBAM, _ r: RecognisedBlock, model: TFLiteModel, name: String) -> (String, String, Int) {
        let (batch, h, w, ch) = (b.batch, b.height, b.width, b.channels)
        let hw = h * w
        let planes = b.pools.count
        let conv = b.conv
        func plus<T: BinaryInteger>(_ v: T) -> String { Int8SEEmitter.plus(v) }
        var arena = 0
        func allocate(_ bytes: Int) -> String {
            let at = "(tensors + \(arena))"
            arena += (bytes + 7) / 8 * 8
            return at
        }
        // The two LOGISTICs' input quantisation, in operator (execution) order: the channel gate's first.
        let logistics = r.operators.filter { model.operators[$0].opcode == BuiltinOp.logistic }.compactMap { op -> Int8Logistic? in
            guard let q = model.tensors[model.operators[op].inputs[0]].quantization else { return nil }
            return Int8Logistic(scale: q.scales[0], zeroPoint: Int32(q.zeroPoints[0]))
        }
        // The matcher built both gate tables from these tensors, so both exist.
        let (channelLogistic, spatialLogistic) = (logistics[0], logistics[1])

        var constants = ""
        let shareReduce = b.maxReduce.weights == b.averageReduce.weights && b.maxReduce.inputs == b.averageReduce.inputs
        let shareExpand = b.maxExpand.weights == b.averageExpand.weights && b.maxExpand.inputs == b.averageExpand.inputs
        constants += Int8SEEmitter.dense(b.averageReduce, "\(name)_avg_reduce") + Int8SEEmitter.dense(b.averageExpand, "\(name)_avg_expand")
        constants += Int8SEEmitter.dense(b.maxReduce, "\(name)_max_reduce", sharedWeights: shareReduce)
        constants += Int8SEEmitter.dense(b.maxExpand, "\(name)_max_expand", sharedWeights: shareExpand)
        constants += Int8SEEmitter.array("int8_t", "\(name)_conv_filter", conv.weights)

        let avg = allocate(batch * ch), mx = allocate(batch * ch)
        var body = """
                /* MEAN over H, W (reference_integer_ops::Mean): per image and channel, a strided walk */
                for (n = 0; n < \(batch); ++n)
                    for (c = 0; c < \(ch); ++c) {
                        int32_t acc = 0;
                        for (y = 0; y < \(h); ++y)
                            for (x = 0; x < \(w); ++x) acc += (int32_t)input[((n * \(h) + y) * \(w) + x) * \(ch) + c]\(plus(-b.inputZeroPoint));
                        acc = \(name)_requantize(acc, \(b.meanMultiplier.multiplier), \(b.meanMultiplier.shift))\(plus(b.meanZeroPoint));
                        \(avg)[n * \(ch) + c] = (int8_t)(acc < -128 ? -128 : acc > 127 ? 127 : acc);
                    }
                /* REDUCE_MAX over H, W (reference_ops::ReduceGeneric with max): the same walk */
                for (n = 0; n < \(batch); ++n)
                    for (c = 0; c < \(ch); ++c) {
                        int8_t m = -128;
                        for (y = 0; y < \(h); ++y)
                            for (x = 0; x < \(w); ++x) {
                                int8_t v = input[((n * \(h) + y) * \(w) + x) * \(ch) + c];
                                m = v > m ? v : m;
                            }
                        \(mx)[n * \(ch) + c] = m;
                    }

            """
        // The shared MLP, once per descriptor, each branch with its own requantisation.
        let rd = b.averageReduce.outputs
        let ra = allocate(batch * rd), ea = allocate(batch * ch)
        let rm = allocate(batch * b.maxReduce.outputs), em = allocate(batch * ch)
        body += conv1x1(b.averageReduce, "\(name)_avg_reduce", weights: "\(name)_avg_reduce_weight", batch: batch, from: avg, to: ra, name: name)
        body += conv1x1(b.averageExpand, "\(name)_avg_expand", weights: "\(name)_avg_expand_weight", batch: batch, from: ra, to: ea, name: name)
        body += conv1x1(
            b.maxReduce, "\(name)_max_reduce", weights: shareReduce ? "\(name)_avg_reduce_weight" : "\(name)_max_reduce_weight", batch: batch, from: mx,
            to: rm, name: name)
        body += conv1x1(
            b.maxExpand, "\(name)_max_expand", weights: shareExpand ? "\(name)_avg_expand_weight" : "\(name)_max_expand_weight", batch: batch, from: rm,
            to: em, name: name)
        let a = b.add
        let sum = allocate(batch * ch), gate = allocate(batch * ch)
        body += """
                /* ADD (reference_integer_ops::Add, equal shapes): each operand offset, shifted left \(Int8Add.leftShift) and rescaled; the sum rescaled */
                for (i = 0; i < \(batch * ch); ++i) {
                    int32_t input1_val = (int32_t)\(ea)[i]\(plus(a.offsetA));
                    int32_t input2_val = (int32_t)\(em)[i]\(plus(a.offsetB));
                    int32_t scaled_input1_val = \(name)_requantize(input1_val * (1 << \(Int8Add.leftShift)), \(a.multiplierA.multiplier), \(a.multiplierA.shift));
                    int32_t scaled_input2_val = \(name)_requantize(input2_val * (1 << \(Int8Add.leftShift)), \(a.multiplierB.multiplier), \(a.multiplierB.shift));
                    int32_t raw_output = \(name)_requantize(scaled_input1_val + scaled_input2_val, \(a.outputMultiplier.multiplier), \(a.outputMultiplier.shift))\(plus(a.outputZeroPoint));
                    raw_output = raw_output < \(a.clampMin) ? \(a.clampMin) : raw_output;
                    raw_output = raw_output > \(a.clampMax) ? \(a.clampMax) : raw_output;
                    \(sum)[i] = (int8_t)raw_output;
                }

            """
        body += logisticLoop(channelLogistic, count: batch * ch, from: sum, to: gate, name: name)
        let x1 = allocate(batch * hw * ch)
        body += mul(b.channelScale, a: "input", aShape: [batch, h, w, ch], b: gate, bShape: [batch, 1, 1, ch], out: x1, outShape: [batch, h, w, ch], name: name)

        // The pools over C, each into its tensor and through its QUANTIZE.
        var planeTensors: [String] = []
        for pool in b.pools {
            var out = allocate(batch * hw)
            switch pool.reduction {
            case .mean(let zp, let multiplier, let outZp):
                let temp = allocate(4 * batch * hw)
                body += """
                        /* MEAN over C (reference_ops::QuantizedMeanOrSum): int32 sums in a temporary buffer, then requantised */
                        for (i = 0; i < \(batch * hw); ++i) ((int32_t *)\(temp))[i] = 0;
                        for (i = 0; i < \(batch * hw); ++i)
                            for (c = 0; c < \(ch); ++c) ((int32_t *)\(temp))[i] += \(x1)[i * \(ch) + c];
                        for (i = 0; i < \(batch * hw); ++i) {
                            int32_t v = \(name)_requantize(((int32_t *)\(temp))[i]\(plus(-Int64(zp) * Int64(ch))), \(multiplier.multiplier), \(multiplier.shift))\(plus(outZp));
                            \(out)[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                        }

                    """
            case .max:
                body += """
                        /* REDUCE_MAX over C (reference_ops::ReduceGeneric with max): the output initialised, then each input folded in */
                        for (i = 0; i < \(batch * hw); ++i) \(out)[i] = -128;
                        for (i = 0; i < \(batch * hw); ++i)
                            for (c = 0; c < \(ch); ++c) \(out)[i] = \(x1)[i * \(ch) + c] > \(out)[i] ? \(x1)[i * \(ch) + c] : \(out)[i];

                    """
            }
            if let q = pool.requantize {
                let next = allocate(batch * hw)
                body += """
                        /* QUANTIZE int8 -> int8 (reference_ops::Requantize) */
                        for (i = 0; i < \(batch * hw); ++i) {
                            int32_t v = \(name)_requantize((int32_t)\(out)[i]\(plus(-q.inputZeroPoint)), \(q.multiplier.multiplier), \(q.multiplier.shift))\(plus(q.outputZeroPoint));
                            \(next)[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                        }

                    """
                out = next
            }
            planeTensors.append(out)
        }
        let map = allocate(batch * hw * planes)
        body += "    /* CONCATENATION along C (reference_ops::Concatenation): per outer index, each input's run of one byte copied */\n"
        body += "    for (i = 0; i < \(batch * hw); ++i) {\n"
        for (j, t) in planeTensors.enumerated() {
            body += "        \(map)[i * \(planes) + \(j)] = \(t)[i];\n"
        }
        body += "    }\n\n"
        let s = allocate(batch * hw), sg = allocate(batch * hw)
        body += """
                /* CONV_2D \(conv.kernelHeight)×\(conv.kernelWidth), one filter (reference_integer_ops::ConvPerChannel, SAME: taps outside the image skipped) */
                for (n = 0; n < \(batch); ++n)
                    for (y = 0; y < \(h); ++y)
                        for (x = 0; x < \(w); ++x) {
                            int32_t acc = 0;
                            for (ky = 0; ky < \(conv.kernelHeight); ++ky) {
                                int in_y = y - \(conv.padTop) + ky;
                                for (kx = 0; kx < \(conv.kernelWidth); ++kx) {
                                    int in_x = x - \(conv.padLeft) + kx;
                                    if (in_x < 0 || in_x >= \(w) || in_y < 0 || in_y >= \(h)) continue;
                                    for (c = 0; c < \(planes); ++c) {
                                        int32_t input_val = \(map)[((n * \(h) + in_y) * \(w) + in_x) * \(planes) + c];
                                        int32_t filter_val = \(name)_conv_filter[(ky * \(conv.kernelWidth) + kx) * \(planes) + c];
                                        acc += filter_val * (input_val\(plus(conv.inputOffset)));
                                    }
                                }
                            }
                            acc += \(conv.bias);
                            acc = \(name)_requantize(acc, \(conv.multiplier.multiplier), \(conv.multiplier.shift));
                            acc += \(conv.outputZeroPoint);
                            acc = acc < \(conv.clampMin) ? \(conv.clampMin) : acc;
                            acc = acc > \(conv.clampMax) ? \(conv.clampMax) : acc;
                            \(s)[(n * \(h) + y) * \(w) + x] = (int8_t)acc;
                        }

            """
        body += logisticLoop(spatialLogistic, count: batch * hw, from: s, to: sg, name: name)
        body += mul(b.spatialScale, a: x1, aShape: [batch, h, w, ch], b: sg, bShape: [batch, h, w, 1], out: "output", outShape: [batch, h, w, ch], name: name)
        return (body, constants, arena)
    }
}
