// The C of one int8 CBAM kernel. Four passes: channel sums and maxima over the input; the channel
// gate on C values (MEAN's requantisation, the shared MLP per descriptor, ADD, the LOGISTIC
// table); one pass writing x·gate to the output while pooling each pixel over C into the
// spatial map (the only per-pixel scratch); one pass computing the k×k conv of the map, its
// LOGISTIC and the final MUL in place in the output. The same arithmetic as the Swift model in
// Int8CBAM.swift, op by op as TFLM computes it. Under the SE kernel's ACLE guard (ATTN_INT8_DSP,
// off with -DATTN_INT8_NO_DSP) the first pass sums four channels a word with SXTAB16 and takes
// their maxima with SSUB8/SEL, the MLP's 1×1 convs use SMLAD, the two MULs saturate with SSAT,
// and a two-plane map is kept as offset int16 pairs so each tap of the k×k conv is one SMLAD.

/// Writes the `.h` and `.c` of an int8 CBAM kernel.
package enum Int8CBAMEmitter {
    /// The two files, `<name>.h` and `<name>.c`.
    package static func files(_ block: Int8CBAM, name: String, origin: String) -> [(name: String, contents: String)] {
        let header = Int8SEEmitter.header(
            kind: "CBAM", batch: block.batch, height: block.height, width: block.width, channels: block.channels, scratch: scratchBytes(block), name: name,
            origin: origin)
        let c = Int8SEEmitter.batched(
            source(block, name: name, origin: origin), name: name, batch: block.batch, imageSize: block.height * block.width * block.channels)
        return [("\(name).h", header), ("\(name).c", c)]
    }

    /// Bytes of scratch: C int32 sums, the [H, W, planes] map (a word a pixel when the DSP path
    /// keeps it as int16 pairs), then C means, C maxima, rd hidden values and 2·C MLP outputs, all
    /// int8, rounded up to 8.
    package static func scratchBytes(_ block: Int8CBAM) -> Int {
        let c = block.channels
        let raw = 4 * c + mapBytes(block) + 4 * c + reducedWidth(block)
        return (raw + 7) / 8 * 8
    }

    /// The map's bytes: int8 planes, or one word of two offset int16 values a pixel for the DSP
    /// conv (two planes, the usual mean and max).
    static func mapBytes(_ block: Int8CBAM) -> Int {
        block.height * block.width * (pairedMap(block) ? 4 : block.pools.count)
    }

    /// Whether the DSP path keeps the map as int16 pairs: two planes.
    static func pairedMap(_ block: Int8CBAM) -> Bool { block.pools.count == 2 }

    /// The four MLP convs' input offset terms for their SMLAD loops; nil if one leaves int32.
    static func mlpOffsetTerms(_ block: Int8CBAM) -> [[Int32]]? {
        let terms = [block.averageReduce, block.averageExpand, block.maxReduce, block.maxExpand].compactMap(Int8SEEmitter.offsetTerms)
        return terms.count == 4 ? terms : nil
    }

    /// The spatial filter's taps as int16 pairs (plane 0 low, plane 1 high) for SMLAD.
    static func pairedWeights(_ conv: Int8SpatialConv) -> [Int32] {
        stride(from: 0, to: conv.weights.count, by: 2).map { i in
            let lo = UInt32(UInt16(bitPattern: Int16(conv.weights[i])))
            let hi = UInt32(UInt16(bitPattern: Int16(conv.weights[i + 1])))
            return Int32(bitPattern: lo | hi << 16)
        }
    }

    static func reducedWidth(_ block: Int8CBAM) -> Int { max(block.averageReduce.outputs, block.maxReduce.outputs) }

    static func clamp(_ v: String, _ lo: Int32, _ hi: Int32) -> String { "(int8_t)(\(v) < \(lo) ? \(lo) : \(v) > \(hi) ? \(hi) : \(v))" }

    /// One plane of the map from the pixel's sum `s` and maximum `m` over C, into `v`.
    static func poolLines(_ pool: Int8ChannelPool, channels c: Int, name: String) -> String {
        var lines: [String] = []
        switch pool.reduction {
        case .mean(let zp, let multiplier, let outZp):
            lines.append("v = \(name)_requantize(s\(Int8SEEmitter.plus(-Int64(zp) * Int64(c))), \(multiplier.multiplier), \(multiplier.shift))\(Int8SEEmitter.plus(outZp));")
            lines.append("v = v < -128 ? -128 : v > 127 ? 127 : v;")
        case .max:
            lines.append("v = m;")
        }
        if let r = pool.requantize {
            lines.append("v = \(name)_requantize(v\(Int8SEEmitter.plus(-r.inputZeroPoint)), \(r.multiplier.multiplier), \(r.multiplier.shift))\(Int8SEEmitter.plus(r.outputZeroPoint));")
            lines.append("v = v < -128 ? -128 : v > 127 ? 127 : v;")
        }
        return lines.joined(separator: " ")
    }

    /// The first pass: channel sums and maxima over H and W. DSP: four channels a word, SXTAB16
    /// adding the even and the odd bytes into int16 lanes (flushed into the int32 sums every 255
    /// rows, so no lane wraps) and SSUB8 then SEL keeping the larger byte of each lane.
    static func channelStatistics(c: Int, n: Int) -> String {
        let portable = """
                for (k = 0; k < \(c); ++k) {
                    sum[k] = 0;
                    mx[k] = -128;
                }
                for (p = 0; p < \(n); ++p) {
                    const int8_t *row = input + p * \(c);
                    for (k = 0; k < \(c); ++k) {
                        sum[k] += row[k];
                        if (row[k] > mx[k]) mx[k] = row[k];
                    }
                }

            """
        let groups = c / 4 * 4
        guard groups >= 4 else { return portable }
        let tail = groups == c ? "" : """
                for (k = \(groups); k < \(c); ++k) {
                    sum[k] = 0;
                    mx[k] = -128;
                    for (p = 0; p < \(n); ++p) {
                        int8_t v = input[p * \(c) + k];
                        sum[k] += v;
                        if (v > mx[k]) mx[k] = v;
                    }
                }

            """
        return """
            #if ATTN_INT8_DSP
                for (k = 0; k < \(groups); k += 4) {
                    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    uint32_t m = 0x80808080u;
                    int first;
                    for (first = 0; first < \(n); first += 255) {
                        int end = first + 255 < \(n) ? first + 255 : \(n);
                        int32_t even = 0, odd = 0;
                        for (p = first; p < end; ++p) {
                            uint32_t w;
                            __builtin_memcpy(&w, input + p * \(c) + k, 4);
                            even = __sxtab16(even, (int32_t)w);
                            odd = __sxtab16(odd, (int32_t)((w >> 8) | (w << 24)));
                            (void)__ssub8((int32_t)w, (int32_t)m);
                            m = __sel(w, m);
                        }
                        s0 += (int16_t)even;
                        s2 += even >> 16;
                        s1 += (int16_t)odd;
                        s3 += odd >> 16;
                    }
                    sum[k] = s0;
                    sum[k + 1] = s1;
                    sum[k + 2] = s2;
                    sum[k + 3] = s3;
                    __builtin_memcpy(mx + k, &m, 4);
                }
            \(tail)#else
            \(portable)#endif

            """
    }

    /// `out[k] = <clamp>(t)` with SSAT under the DSP guard when the clamp is the full int8 range.
    static func store(_ target: String, _ v: String, _ lo: Int32, _ hi: Int32) -> String {
        let pad = "            "
        let portable = "\(pad)\(target) = \(clamp(v, lo, hi));\n"
        guard lo == -128, hi == 127 else { return portable }
        return "#if ATTN_INT8_DSP\n\(pad)\(target) = (int8_t)__ssat(\(v), 8);\n#else\n\(portable)#endif\n"
    }

    static func source(_ block: Int8CBAM, name: String, origin: String) -> String {
        let c = block.channels, h = block.height, w = block.width
        let n = h * w
        let rd = reducedWidth(block)
        let planes = block.pools.count
        let paired = pairedMap(block)
        func plus<T: BinaryInteger>(_ v: T) -> String { Int8SEEmitter.plus(v) }
        let a = block.add, cs = block.channelScale, ss = block.spatialScale, conv = block.conv
        // The MLP is shared: the max branch reads the average branch's weight tables when they are
        // the same (they are whenever the model shares the tensors), only its requantisation differs.
        let shareReduce = block.maxReduce.weights == block.averageReduce.weights && block.maxReduce.inputs == block.averageReduce.inputs
        let shareExpand = block.maxExpand.weights == block.averageExpand.weights && block.maxExpand.inputs == block.averageExpand.inputs
        var constants = Int8SEEmitter.dense(block.averageReduce, "\(name)_avg_reduce") + Int8SEEmitter.dense(block.averageExpand, "\(name)_avg_expand")
            + Int8SEEmitter.dense(block.maxReduce, "\(name)_max_reduce", sharedWeights: shareReduce)
            + Int8SEEmitter.dense(block.maxExpand, "\(name)_max_expand", sharedWeights: shareExpand)
        let terms = mlpOffsetTerms(block)
        if let terms {
            constants += "#if ATTN_INT8_DSP\n/* input offset · Σ w per output: the SMLAD loops multiply the raw int8 inputs. */\n"
            for (t, prefix) in zip(terms, ["avg_reduce", "avg_expand", "max_reduce", "max_expand"]) {
                constants += Int8SEEmitter.array("int32_t", "\(name)_\(prefix)_offset_term", t)
            }
            constants += "#endif\n"
        }
        constants += "/* LOGISTIC for every int8 input, indexed q + 128 (TFLM's Q4.27 fixed-point path, output 1/256, -128). */\n"
        constants += Int8SEEmitter.array("int8_t", "\(name)_channel_logistic", block.channelTable)
        constants += Int8SEEmitter.array("int8_t", "\(name)_spatial_logistic", block.spatialTable)
        constants += "/* The spatial conv's filter [\(conv.kernelHeight)][\(conv.kernelWidth)][\(planes)]. */\n"
        if paired {
            constants += "#if ATTN_INT8_DSP\n/* As int16 pairs, plane 0 in the low half, for SMLAD against the map's pairs. */\n"
            constants += Int8SEEmitter.array("int32_t", "\(name)_conv_pairs", pairedWeights(conv))
            constants += "#else\n" + Int8SEEmitter.array("int8_t", "\(name)_conv_weight", conv.weights) + "#endif\n"
        } else {
            constants += Int8SEEmitter.array("int8_t", "\(name)_conv_weight", conv.weights)
        }
        let dsp = terms != nil
        let mlp = Int8SEEmitter.denseLoop(block.averageReduce, "\(name)_avg_reduce", from: "avg", to: "reduced", name: name, dsp: dsp)
            + Int8SEEmitter.denseLoop(block.averageExpand, "\(name)_avg_expand", from: "reduced", to: "ea", name: name, dsp: dsp)
            + Int8SEEmitter.denseLoop(
                block.maxReduce, "\(name)_max_reduce", from: "mx", to: "reduced", name: name, dsp: dsp,
                weights: shareReduce ? "\(name)_avg_reduce_weight" : nil)
            + Int8SEEmitter.denseLoop(
                block.maxExpand, "\(name)_max_expand", from: "reduced", to: "em", name: name, dsp: dsp,
                weights: shareExpand ? "\(name)_avg_expand_weight" : nil)
        let poolValues = block.pools.enumerated().map { j, pool in
            "        \(poolLines(pool, channels: c, name: name)) pv\(j) = v;"
        }.joined(separator: "\n")
        let portableMap = (0..<planes).map { "        map[p * \(planes) + \($0)] = (int8_t)pv\($0);" }.joined(separator: "\n")
        let mapStore =
            paired
            ? """
            #if ATTN_INT8_DSP
                    mapw[p] = (int32_t)((uint32_t)(uint16_t)(pv0\(plus(conv.inputOffset))) | (uint32_t)(pv1\(plus(conv.inputOffset))) << 16);
            #else
            \(portableMap)
            #endif
            """ : portableMap
        let portableConv = """
                        for (ky = 0; ky < \(conv.kernelHeight); ++ky) {
                            int iy = oy + ky - \(conv.padTop);
                            if (iy < 0 || iy >= \(h)) continue;
                            for (kx = 0; kx < \(conv.kernelWidth); ++kx) {
                                int ix = ox + kx - \(conv.padLeft);
                                const int8_t *tap, *wt;
                                if (ix < 0 || ix >= \(w)) continue;
                                tap = map + (iy * \(w) + ix) * \(planes);
                                wt = \(name)_conv_weight + (ky * \(conv.kernelWidth) + kx) * \(planes);
                                for (i = 0; i < \(planes); ++i) acc += (int32_t)wt[i] * ((int32_t)tap[i]\(plus(conv.inputOffset)));
                            }
                        }
            """
        // The taps inside the map, a clipped range of rows and columns, one SMLAD each: the map's
        // pairs already hold the input offset, so the taps outside would add 0 but are not read.
        let convLoop =
            paired
            ? """
            #if ATTN_INT8_DSP
                        {
                            int ky0 = \(conv.padTop) - oy > 0 ? \(conv.padTop) - oy : 0;
                            int ky1 = \(h + conv.padTop) - oy < \(conv.kernelHeight) ? \(h + conv.padTop) - oy : \(conv.kernelHeight);
                            int kx0 = \(conv.padLeft) - ox > 0 ? \(conv.padLeft) - ox : 0;
                            int kx1 = \(w + conv.padLeft) - ox < \(conv.kernelWidth) ? \(w + conv.padLeft) - ox : \(conv.kernelWidth);
                            int base = ox - \(conv.padLeft);
                            for (ky = ky0; ky < ky1; ++ky) {
                                const int32_t *tap = mapw + (oy + ky - \(conv.padTop)) * \(w);
                                const int32_t *wt = \(name)_conv_pairs + ky * \(conv.kernelWidth);
                                for (kx = kx0; kx < kx1; ++kx) acc = __smlad(tap[base + kx], wt[kx], acc);
                            }
                        }
            #else
            \(portableConv)
            #endif
            """ : portableConv
        let declarePools = (0..<planes).map { "pv\($0)" }.joined(separator: ", ")
        return """
            /* DO NOT EDIT. Generated by attn-gen import-tflite: int8 CBAM block, bit-exact with TFLite Micro's reference kernels. */
            /* \(origin) */
            #include "\(name).h"
            \(Int8SEEmitter.dspPrelude)
            \(Int8SEEmitter.requantizeHelper(name))

            \(constants)
            void \(name)_forward(const int8_t *input, int8_t *output, void *scratch)
            {
                int32_t *sum = (int32_t *)scratch; /* [\(c)] channel sums of the raw int8 input, then the channel gate plus MUL's offset */
                int8_t *map = (int8_t *)(sum + \(c)); /* [\(h)][\(w)][\(planes)] the pools over C, as CONCATENATION lays them out\(paired ? "; with the DSP path [\(h)][\(w)] int16 pairs, the conv's input offset added" : "") */
                int8_t *avg = map + \(mapBytes(block)); /* [\(c)] MEAN over H, W */
                int8_t *mx = avg + \(c); /* [\(c)] REDUCE_MAX over H, W */
                int8_t *reduced = mx + \(c); /* [\(rd)] the MLP's hidden layer */
                int8_t *ea = reduced + \(rd); /* [\(c)] the MLP on avg, then the channel gate */
                int8_t *em = ea + \(c); /* [\(c)] the MLP on mx */
            \(paired ? "#if ATTN_INT8_DSP\n    int32_t *mapw = (int32_t *)(void *)map;\n#endif\n" : "")\
                int p, k, o, i, oy, ox, ky, kx;
            \(channelStatistics(c: c, n: n))\
                for (k = 0; k < \(c); ++k) {
                    int32_t v = \(name)_requantize(sum[k]\(plus(-Int64(block.inputZeroPoint) * Int64(n))), \(block.meanMultiplier.multiplier), \(block.meanMultiplier.shift))\(plus(block.meanZeroPoint));
                    avg[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                }
            \(mlp)    /* ADD (operands shifted left 20, rescaled, summed, rescaled), then LOGISTIC; the gate with MUL's offset, as int32 in the sums' place (they are spent). */
                for (k = 0; k < \(c); ++k) {
                    int32_t x = \(name)_requantize(((int32_t)ea[k]\(plus(a.offsetA))) * (1 << \(Int8Add.leftShift)), \(a.multiplierA.multiplier), \(a.multiplierA.shift));
                    int32_t y = \(name)_requantize(((int32_t)em[k]\(plus(a.offsetB))) * (1 << \(Int8Add.leftShift)), \(a.multiplierB.multiplier), \(a.multiplierB.shift));
                    int32_t v = \(name)_requantize(x + y, \(a.outputMultiplier.multiplier), \(a.outputMultiplier.shift))\(plus(a.outputZeroPoint));
                    v = v < \(a.clampMin) ? \(a.clampMin) : v > \(a.clampMax) ? \(a.clampMax) : v;
                    sum[k] = (int32_t)\(name)_channel_logistic[v + 128]\(plus(cs.offsetB));
                }
                /* x1 = x * channel gate into the output; each pixel's pools over C into the map. */
                for (p = 0; p < \(n); ++p) {
                    const int8_t *row = input + p * \(c);
                    int8_t *out = output + p * \(c);
                    int32_t s = 0, v, \(declarePools);
                    int8_t m = -128;
                    for (k = 0; k < \(c); ++k) {
                        int32_t t = ((int32_t)row[k]\(plus(cs.offsetA))) * sum[k];
            \(Int8SEEmitter.productRequantize("t", cs.multiplier, zeroPoint: cs.outputZeroPoint, name: name))
            \(store("out[k]", "t", cs.clampMin, cs.clampMax))\
                        s += out[k];
                        if (out[k] > m) m = out[k];
                    }
            \(poolValues)
            \(mapStore)
                    (void)s;
                    (void)m;
                }
                /* The spatial conv (SAME: taps outside the map skipped), LOGISTIC, x1 * spatial gate in place. */
                for (oy = 0; oy < \(h); ++oy) {
                    for (ox = 0; ox < \(w); ++ox) {
                        int8_t *out = output + (oy * \(w) + ox) * \(c);
                        int32_t acc = 0, g;
            \(convLoop)
                        acc = \(name)_requantize(acc\(plus(conv.bias)), \(conv.multiplier.multiplier), \(conv.multiplier.shift))\(plus(conv.outputZeroPoint));
                        acc = acc < \(conv.clampMin) ? \(conv.clampMin) : acc > \(conv.clampMax) ? \(conv.clampMax) : acc;
                        g = (int32_t)\(name)_spatial_logistic[acc + 128]\(plus(ss.offsetB));
                        for (k = 0; k < \(c); ++k) {
                            int32_t t = ((int32_t)out[k]\(plus(ss.offsetA))) * g;
            \(Int8SEEmitter.productRequantize("t", ss.multiplier, zeroPoint: ss.outputZeroPoint, name: name))
            \(store("out[k]", "t", ss.clampMin, ss.clampMax))\
                        }
                    }
                }
                (void)i;
            }

            """
    }
}

/// The kernel files and scratch size of any recognised int8 block.
package enum Int8Emitter {
    /// `<name>.h` and `<name>.c`.
    package static func files(_ block: Int8Block, name: String, origin: String) -> [(name: String, contents: String)] {
        switch block {
        case .se(let b): Int8SEEmitter.files(b, name: name, origin: origin)
        case .cbam(let b): Int8CBAMEmitter.files(b, name: name, origin: origin)
        }
    }

    /// The kernel's `NAME_SCRATCH_BYTES`.
    package static func scratchBytes(_ block: Int8Block) -> Int {
        switch block {
        case .se(let b): Int8SEEmitter.scratchBytes(b)
        case .cbam(let b): Int8CBAMEmitter.scratchBytes(b)
        }
    }
}
