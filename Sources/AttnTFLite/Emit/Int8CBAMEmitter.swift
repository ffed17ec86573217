// The C of one int8 CBAM kernel. Four passes: channel sums and maxima over the input; the channel
// gate on C values (MEAN's requantisation, the shared MLP per descriptor, ADD, the LOGISTIC
// table); one pass writing x·gate to the output while pooling each pixel over C into the
// spatial map (the only per-pixel scratch); one pass computing the k×k conv of the map, its
// LOGISTIC and the final MUL in place in the output. The same arithmetic as the Swift model in
// Int8CBAM.swift, op by op as TFLM computes it.

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

    /// Bytes of scratch: C int32 sums, then C means, C maxima, rd hidden values, 2·C MLP outputs
    /// and the [H, W, planes] map, all int8, rounded up to 8.
    package static func scratchBytes(_ block: Int8CBAM) -> Int {
        let c = block.channels
        let raw = 4 * c + 4 * c + reducedWidth(block) + block.height * block.width * block.pools.count
        return (raw + 7) / 8 * 8
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

    static func source(_ block: Int8CBAM, name: String, origin: String) -> String {
        let c = block.channels, h = block.height, w = block.width
        let n = h * w
        let rd = reducedWidth(block)
        let planes = block.pools.count
        func plus<T: BinaryInteger>(_ v: T) -> String { Int8SEEmitter.plus(v) }
        let a = block.add, cs = block.channelScale, ss = block.spatialScale, conv = block.conv
        // The MLP is shared: the max branch reads the average branch's weight tables when they are
        // the same (they are whenever the model shares the tensors), only its requantisation differs.
        let shareReduce = block.maxReduce.weights == block.averageReduce.weights && block.maxReduce.inputs == block.averageReduce.inputs
        let shareExpand = block.maxExpand.weights == block.averageExpand.weights && block.maxExpand.inputs == block.averageExpand.inputs
        var constants = Int8SEEmitter.dense(block.averageReduce, "\(name)_avg_reduce") + Int8SEEmitter.dense(block.averageExpand, "\(name)_avg_expand")
            + Int8SEEmitter.dense(block.maxReduce, "\(name)_max_reduce", sharedWeights: shareReduce)
            + Int8SEEmitter.dense(block.maxExpand, "\(name)_max_expand", sharedWeights: shareExpand)
        constants += "/* LOGISTIC for every int8 input, indexed q + 128 (TFLM's Q4.27 fixed-point path, output 1/256, -128). */\n"
        constants += Int8SEEmitter.array("int8_t", "\(name)_channel_logistic", block.channelTable)
        constants += Int8SEEmitter.array("int8_t", "\(name)_spatial_logistic", block.spatialTable)
        constants += "/* The spatial conv's filter [\(conv.kernelHeight)][\(conv.kernelWidth)][\(planes)]. */\n"
        constants += Int8SEEmitter.array("int8_t", "\(name)_conv_weight", conv.weights)
        let mlp = Int8SEEmitter.denseLoop(block.averageReduce, "\(name)_avg_reduce", from: "avg", to: "reduced", name: name)
            + Int8SEEmitter.denseLoop(block.averageExpand, "\(name)_avg_expand", from: "reduced", to: "ea", name: name)
            + Int8SEEmitter.denseLoop(
                block.maxReduce, "\(name)_max_reduce", from: "mx", to: "reduced", name: name, weights: shareReduce ? "\(name)_avg_reduce_weight" : nil)
            + Int8SEEmitter.denseLoop(
                block.maxExpand, "\(name)_max_expand", from: "reduced", to: "em", name: name, weights: shareExpand ? "\(name)_avg_expand_weight" : nil)
        let pools = block.pools.enumerated().map { j, pool in
            "            \(poolLines(pool, channels: c, name: name)) map[p * \(planes) + \(j)] = (int8_t)v;"
        }.joined(separator: "\n")
        return """
            /* DO NOT EDIT. Generated by attn-gen import-tflite: int8 CBAM block, bit-exact with TFLite Micro's reference kernels. */
            /* \(origin) */
            #include "\(name).h"

            \(Int8SEEmitter.requantizeHelper(name))

            \(constants)
            void \(name)_forward(const int8_t *input, int8_t *output, void *scratch)
            {
                int32_t *sum = (int32_t *)scratch; /* [\(c)] channel sums of the raw int8 input */
                int8_t *avg = (int8_t *)(sum + \(c)); /* [\(c)] MEAN over H, W */
                int8_t *mx = avg + \(c); /* [\(c)] REDUCE_MAX over H, W */
                int8_t *reduced = mx + \(c); /* [\(rd)] the MLP's hidden layer */
                int8_t *ea = reduced + \(rd); /* [\(c)] the MLP on avg, then the channel gate */
                int8_t *em = ea + \(c); /* [\(c)] the MLP on mx */
                int8_t *map = em + \(c); /* [\(h)][\(w)][\(planes)] the pools over C, as CONCATENATION lays them out */
                int p, k, o, i, oy, ox, ky, kx;
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
                for (k = 0; k < \(c); ++k) {
                    int32_t v = \(name)_requantize(sum[k]\(plus(-Int64(block.inputZeroPoint) * Int64(n))), \(block.meanMultiplier.multiplier), \(block.meanMultiplier.shift))\(plus(block.meanZeroPoint));
                    avg[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                }
            \(mlp)    /* ADD (operands shifted left 20, rescaled, summed, rescaled), then LOGISTIC. */
                for (k = 0; k < \(c); ++k) {
                    int32_t x = \(name)_requantize(((int32_t)ea[k]\(plus(a.offsetA))) * (1 << \(Int8Add.leftShift)), \(a.multiplierA.multiplier), \(a.multiplierA.shift));
                    int32_t y = \(name)_requantize(((int32_t)em[k]\(plus(a.offsetB))) * (1 << \(Int8Add.leftShift)), \(a.multiplierB.multiplier), \(a.multiplierB.shift));
                    int32_t v = \(name)_requantize(x + y, \(a.outputMultiplier.multiplier), \(a.outputMultiplier.shift))\(plus(a.outputZeroPoint));
                    v = v < \(a.clampMin) ? \(a.clampMin) : v > \(a.clampMax) ? \(a.clampMax) : v;
                    ea[k] = \(name)_channel_logistic[v + 128];
                }
                /* x1 = x * channel gate into the output; each pixel's pools over C into the map. */
                for (p = 0; p < \(n); ++p) {
                    const int8_t *row = input + p * \(c);
                    int8_t *out = output + p * \(c);
                    int32_t s = 0, v;
                    int8_t m = -128;
                    for (k = 0; k < \(c); ++k) {
                        int32_t t = ((int32_t)row[k]\(plus(cs.offsetA))) * ((int32_t)ea[k]\(plus(cs.offsetB)));
                        t = \(name)_requantize(t, \(cs.multiplier.multiplier), \(cs.multiplier.shift))\(plus(cs.outputZeroPoint));
                        out[k] = \(clamp("t", cs.clampMin, cs.clampMax));
                        s += out[k];
                        if (out[k] > m) m = out[k];
                    }
            \(pools)
                    (void)s;
                    (void)m;
                }
                /* The spatial conv (SAME: taps outside the map skipped), LOGISTIC, x1 * spatial gate in place. */
                for (oy = 0; oy < \(h); ++oy) {
                    for (ox = 0; ox < \(w); ++ox) {
                        int8_t *out = output + (oy * \(w) + ox) * \(c);
                        int32_t acc = 0;
                        int8_t g;
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
                        acc = \(name)_requantize(acc\(plus(conv.bias)), \(conv.multiplier.multiplier), \(conv.multiplier.shift))\(plus(conv.outputZeroPoint));
                        acc = acc < \(conv.clampMin) ? \(conv.clampMin) : acc > \(conv.clampMax) ? \(conv.clampMax) : acc;
                        g = \(name)_spatial_logistic[acc + 128];
                        for (k = 0; k < \(c); ++k) {
                            int32_t t = ((int32_t)out[k]\(plus(ss.offsetA))) * ((int32_t)g\(plus(ss.offsetB)));
                            t = \(name)_requantize(t, \(ss.multiplier.multiplier), \(ss.multiplier.shift))\(plus(ss.outputZeroPoint));
                            out[k] = \(clamp("t", ss.clampMin, ss.clampMax));
                        }
                    }
                }
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
