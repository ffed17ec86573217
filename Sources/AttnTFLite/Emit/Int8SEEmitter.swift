// The C of one int8 SE kernel: the header with the int8 ABI, and a .c holding the folded
// constants and `<name>_forward`. Three passes: channel sums over the input; the gate on C
// values (MEAN's requantisation, the two convs, the gate table or MUL); one pass writing
// x·gate. No float, no libc beyond <stdint.h>, no static mutable state; scratch is caller-owned.
// Right shifts of negative int32 are arithmetic on every compiler attn-gen targets (gcc, clang,
// tcc, arm-none-eabi-gcc), as TFLite's own C++ assumes.

/// Writes the `.h` and `.c` of an int8 SE kernel.
package enum Int8SEEmitter {
    /// The two files, `<name>.h` and `<name>.c`. `origin` says where the block came from (model
    /// file and operator indices) for the header comment.
    package static func files(_ block: Int8SE, name: String, origin: String) -> [(name: String, contents: String)] {
        let c = batched(source(block, name: name, origin: origin), name: name, batch: block.batch, imageSize: block.height * block.width * block.channels)
        return [("\(name).h", header(block, name: name, origin: origin)), ("\(name).c", c)]
    }

    /// Bytes of scratch: C int32 sums, then C + rd + C int8 values, rounded up to 8.
    package static func scratchBytes(_ block: Int8SE) -> Int {
        let raw = 4 * block.channels + 2 * block.channels + reducedWidth(block)
        return (raw + 7) / 8 * 8
    }

    /// The reduce conv's width (0 for ECA, which has none).
    static func reducedWidth(_ block: Int8SE) -> Int {
        switch block.excitation {
        case .mlp(let reduce, _, _): reduce.outputs
        case .channelConv: 0
        }
    }

    /// ECA's conv along C, taps outside the vector skipped.
    static func channelConvLoop(_ conv: Int8ChannelConv, channels c: Int, name: String) -> String {
        """
            for (o = 0; o < \(c); ++o) {
                int32_t acc = 0;
                for (i = 0; i < \(conv.weights.count); ++i) {
                    int at = o + i - \(conv.padding);
                    if (at < 0 || at >= \(c)) continue;
                    acc += (int32_t)\(name)_eca_weight[i] * ((int32_t)squeeze[at]\(plus(conv.inputOffset)));
                }
                acc = \(name)_requantize(acc\(plus(conv.bias)), \(conv.multiplier.multiplier), \(conv.multiplier.shift))\(plus(conv.outputZeroPoint));
                gate[o] = (int8_t)(acc < \(conv.clampMin) ? \(conv.clampMin) : acc > \(conv.clampMax) ? \(conv.clampMax) : acc);
            }

        """
    }

    /// `source` (whose `<name>_forward` computes one image) for a batch: the image function made
    /// static and a forward that runs it on each image in turn, the scratch reused.
    static func batched(_ source: String, name: String, batch: Int, imageSize: Int) -> String {
        guard batch > 1 else { return source }
        return source.replacingOccurrences(of: "\nvoid \(name)_forward(", with: "\nstatic void \(name)_image(") + """

            void \(name)_forward(const int8_t *input, int8_t *output, void *scratch)
            {
                int b;
                for (b = 0; b < \(batch); ++b) \(name)_image(input + b * \(imageSize), output + b * \(imageSize), scratch);
            }

            """
    }

    /// TFLite's MultiplyByQuantizedMultiplier as a static C function `<name>_requantize`.
    static func requantizeHelper(_ name: String) -> String {
        """
        /* TFLite's MultiplyByQuantizedMultiplier (double rounding): VQRDMULH, then a rounding right shift. */
        static int32_t \(name)_requantize(int32_t x, int32_t multiplier, int shift)
        {
            int left = shift > 0 ? shift : 0;
            int right = shift > 0 ? 0 : -shift;
            int32_t a = (int32_t)((uint32_t)x << left);
            int64_t ab = (int64_t)a * multiplier;
            int64_t nudged = ab + (ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30)));
            /* nudged / 2^31, truncating toward zero as C++ division does */
            int32_t high = (int32_t)((nudged + (nudged < 0 ? (((int64_t)1 << 31) - 1) : 0)) >> 31);
            int32_t mask, remainder, threshold;
            if (a == INT32_MIN && multiplier == INT32_MIN) high = INT32_MAX; /* the one saturating case */
            mask = (int32_t)(((int64_t)1 << right) - 1);
            remainder = high & mask;
            threshold = (mask >> 1) + (high < 0 ? 1 : 0);
            return (high >> right) + (remainder > threshold ? 1 : 0);
        }
        """
    }

    static func header(_ block: Int8SE, name: String, origin: String) -> String {
        header(
            kind: kind(block), batch: block.batch, height: block.height, width: block.width, channels: block.channels,
            scratch: scratchBytes(block), name: name, origin: origin)
    }

    /// The int8 ABI header of a kernel whose output has the input's shape.
    static func header(kind: String, batch: Int, height: Int, width: Int, channels: Int, scratch: Int, name: String, origin: String) -> String {
        let macro = name.uppercased()
        let elements = batch * height * width * channels
        return """
            /* DO NOT EDIT. Generated by attn-gen import-tflite: int8 \(kind) block, bit-exact with TFLite Micro's reference kernels. */
            /* \(origin) */
            #ifndef \(macro)_H
            #define \(macro)_H

            #include <stdint.h>

            #define \(macro)_INPUT_SIZE \(elements) /* int8 elements, NHWC [\(batch), \(height), \(width), \(channels)] */
            #define \(macro)_OUTPUT_SIZE \(elements) /* int8 elements, NHWC */
            #define \(macro)_SCRATCH_BYTES \(scratch) /* caller-owned, 8-byte aligned; 0 = pass NULL */
            #define \(macro)_OUTPUT_MAY_ALIAS_INPUT 1 /* the last pass writes each element from the same input element */

            void \(name)_forward(const int8_t *input, int8_t *output, void *scratch);

            #endif

            """
    }

    static func kind(_ block: Int8SE) -> String {
        switch block.excitation {
        case .mlp: "SE"
        case .channelConv: "ECA"
        }
    }

    static func array<T: BinaryInteger>(_ type: String, _ name: String, _ values: [T]) -> String {
        var lines: [String] = []
        for start in stride(from: 0, to: values.count, by: 16) {
            lines.append("    " + values[start..<min(start + 16, values.count)].map { $0 == Int32.min ? "(-2147483647 - 1)" : "\($0)" }.joined(separator: ", ") + ",")
        }
        return "static const \(type) \(name)[\(values.count)] = {\n\(lines.joined(separator: "\n"))\n};\n"
    }

    /// ` + v`, ` - |v|` or nothing, for a constant term.
    static func plus<T: BinaryInteger>(_ v: T) -> String { v == 0 ? "" : v > 0 ? " + \(v)" : " - \(0 - v)" }

    /// The dense's constant tables; `sharedWeights` leaves out the weights (another table holds them).
    static func dense(_ d: Int8Dense, _ prefix: String, sharedWeights: Bool = false) -> String {
        (sharedWeights ? "" : array("int8_t", "\(prefix)_weight", d.weights)) + array("int32_t", "\(prefix)_bias", d.bias)
            + array("int32_t", "\(prefix)_multiplier", d.multipliers.map(\.multiplier))
            + array("int8_t", "\(prefix)_shift", d.multipliers.map { Int8($0.shift) })
    }

    /// One 1×1 conv on a vector, ConvPerChannel's arithmetic.
    /// `weights`: the table the weights are read from, `<prefix>_weight` unless shared.
    static func denseLoop(_ d: Int8Dense, _ prefix: String, from: String, to: String, name: String, weights: String? = nil) -> String {
        """
            for (o = 0; o < \(d.outputs); ++o) {
                const int8_t *w = \(weights ?? "\(prefix)_weight") + o * \(d.inputs);
                int32_t acc = 0;
                for (i = 0; i < \(d.inputs); ++i) acc += (int32_t)w[i] * ((int32_t)\(from)[i]\(plus(d.inputOffset)));
                acc += \(prefix)_bias[o];
                acc = \(name)_requantize(acc, \(prefix)_multiplier[o], \(prefix)_shift[o])\(plus(d.outputZeroPoint));
                \(to)[o] = (int8_t)(acc < \(d.clampMin) ? \(d.clampMin) : acc > \(d.clampMax) ? \(d.clampMax) : acc);
            }

        """
    }

    static func source(_ block: Int8SE, name: String, origin: String) -> String {
        let c = block.channels
        let rd = reducedWidth(block)
        let n = block.height * block.width
        var constants: String
        let exciteLoops: String
        switch block.excitation {
        case .mlp(let reduce, let hidden, let expand):
            constants = dense(reduce, "\(name)_reduce") + dense(expand, "\(name)_expand")
            var hiddenLoop = ""
            if let hidden {
                constants += "/* HARD_SWISH for every int8 input, indexed q + 128 (TFLM's int16 fixed-point path). */\n"
                constants += array("int8_t", "\(name)_hard_swish", hidden)
                hiddenLoop = "    for (o = 0; o < \(reduce.outputs); ++o) reduced[o] = \(name)_hard_swish[reduced[o] + 128];\n"
            }
            exciteLoops = denseLoop(reduce, "\(name)_reduce", from: "squeeze", to: "reduced", name: name) + hiddenLoop
                + denseLoop(expand, "\(name)_expand", from: "reduced", to: "gate", name: name)
        case .channelConv(let conv):
            constants = array("int8_t", "\(name)_eca_weight", conv.weights)
            exciteLoops = channelConvLoop(conv, channels: c, name: name)
        }
        let gateLoop: String
        switch block.gate {
        case .logistic(let table):
            constants += "/* LOGISTIC for every int8 input, indexed q + 128 (TFLM's Q4.27 fixed-point path, output 1/256, -128). */\n"
            constants += array("int8_t", "\(name)_logistic", table)
            gateLoop = "    for (k = 0; k < \(c); ++k) gate[k] = \(name)_logistic[gate[k] + 128];\n"
        case .mulConstant(let values, let mul):
            constants += array("int8_t", "\(name)_hsig_constant", values)
            let index = values.count == 1 ? "0" : "k"
            gateLoop = """
                    for (k = 0; k < \(c); ++k) {
                        int32_t v = ((int32_t)gate[k]\(plus(mul.offsetA))) * ((int32_t)\(name)_hsig_constant[\(index)]\(plus(mul.offsetB)));
                        v = \(name)_requantize(v, \(mul.multiplier.multiplier), \(mul.multiplier.shift))\(plus(mul.outputZeroPoint));
                        gate[k] = (int8_t)(v < \(mul.clampMin) ? \(mul.clampMin) : v > \(mul.clampMax) ? \(mul.clampMax) : v);
                    }

                """
        }
        let s = block.scale
        return """
            /* DO NOT EDIT. Generated by attn-gen import-tflite: int8 \(kind(block)) block, bit-exact with TFLite Micro's reference kernels. */
            /* \(origin) */
            #include "\(name).h"

            \(requantizeHelper(name))

            \(constants)
            void \(name)_forward(const int8_t *input, int8_t *output, void *scratch)
            {
                int32_t *sum = (int32_t *)scratch; /* [\(c)] channel sums of the raw int8 input */
                int8_t *squeeze = (int8_t *)(sum + \(c)); /* [\(c)] MEAN */
                int8_t *reduced = squeeze + \(c); /* [\(rd)] reduce conv */
                int8_t *gate = reduced + \(rd); /* [\(c)] the excitation's output, then the gate */
                int p, k, o, i;
                for (k = 0; k < \(c); ++k) sum[k] = 0;
                for (p = 0; p < \(n); ++p) {
                    const int8_t *row = input + p * \(c);
                    for (k = 0; k < \(c); ++k) sum[k] += row[k];
                }
                /* MEAN: (sum - zero point * N) times the in/out scale ratio with 1/N folded in. */
                for (k = 0; k < \(c); ++k) {
                    int32_t v = \(name)_requantize(sum[k]\(plus(-Int64(block.inputZeroPoint) * Int64(n))), \(block.meanMultiplier.multiplier), \(block.meanMultiplier.shift))\(plus(block.meanZeroPoint));
                    squeeze[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                }
            \(exciteLoops)\(gateLoop)    for (p = 0; p < \(n); ++p) {
                    const int8_t *row = input + p * \(c);
                    int8_t *out = output + p * \(c);
                    for (k = 0; k < \(c); ++k) {
                        int32_t v = ((int32_t)row[k]\(plus(s.offsetA))) * ((int32_t)gate[k]\(plus(s.offsetB)));
                        v = \(name)_requantize(v, \(s.multiplier.multiplier), \(s.multiplier.shift))\(plus(s.outputZeroPoint));
                        out[k] = (int8_t)(v < \(s.clampMin) ? \(s.clampMin) : v > \(s.clampMax) ? \(s.clampMax) : v);
                    }
                }
            }

            """
    }
}
