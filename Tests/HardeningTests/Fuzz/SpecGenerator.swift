// Spec documents built from decisions: mostly well-formed blocks of every kind and op, with edge
// values (0, negatives, 2^31, 2^63, fractions, wrong types) and structural mistakes (missing,
// unknown and mistyped fields, dangling names) mixed in. Byte-level fuzzing alone rarely gets
// past the JSON grammar; this reaches the validation and lowering rules behind it.

import AttnGen

enum SpecGenerator {
    /// One spec file: usually a single block, sometimes `{"blocks": [...]}`.
    static func document<C: Choices>(_ c: inout C) -> String {
        if c.chance(8) {
            // Later blocks often take a name built from an earlier one: the same in another
            // case, or it plus a suffix that is one of its own macros (`se` + `se_output`).
            var names: [String] = []
            let blocks = (0...c.below(3)).map { _ -> String in
                var b = block(&c)
                if let base = names.last, c.chance(50) {
                    let derived = c.pick([
                        base.uppercased(), base.lowercased(), base + "_output", base + "_input", base + "_fc1", base + "_2",
                        base + "_h", base + "_params", base + "_a",
                    ])
                    b = b.replacingOccurrences(of: "\"name\": \(quote(blockName(b) ?? ""))", with: "\"name\": \(quote(derived))")
                }
                names.append(blockName(b) ?? "blk")
                return b
            }
            return #"{"blocks": [\#(blocks.joined(separator: ", "))]}"#
        }
        return block(&c)
    }

    static let sizes = [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 48, 64]
    /// Values no size may take, and values of the wrong JSON type.
    static let edgeNumbers = [
        "0", "-1", "-0", "2147483647", "2147483648", "4294967296", "4611686018427387904", "9223372036854775807",
        "-9223372036854775808", "99999999999999999999", "2.5", "1e3", "64.0", "1e400", "-1e-7",
    ]
    /// Hyperparameter names of the catalog and of the blocks planned for it (DESIGN.md).
    static let hyperparameters = [
        "reduction", "reduced_channels", "bias", "kernel_size", "spatial_kernel_size", "groups", "num_heads", "sr_ratio",
        "conv_kernels", "conv_groups", "pooling_r", "dilation_val", "dilation_conv_num", "planes", "stride",
        "qkv_bias", "apply_transform", "S", "inputs", "gate", "interaction", "out_channels", "dilation", "rd_divisor",
        "keep_3x3", "split_input", "padding",
    ]
    static let wrongTypes = [#""8""#, "null", "true", "[]", "{}", "[1]", #""""#]
    /// Integers at the limits user integers meet: 0, ±1, powers of two near the 32-bit and 64-bit
    /// limits and the limits themselves.
    static let extremeIntegers = [
        "0", "1", "-1", "65536", "1073741824", "2147483646", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "4611686018427387904", "9223372036854775806", "9223372036854775807", "-9223372036854775808",
    ]
    /// Floats finite in Double but not in float32, below float32's smallest subnormal, at its
    /// largest, zero.
    static let extremeFloats = ["1e39", "-1e39", "1e-46", "3.4028235e38", "3.4028236e38", "1e308", "0", "-0.0", "1e-45"]
    /// Graph ops with number fields: the layer's other fields (list fields are appended) and its
    /// number fields (`f[]` a list, `~f` a float). Ops on vectors read the pooled `p`.
    static let opFields: [(op: String, layer: String, fields: [String])] = [
        ("pool2d", #""mode": "mean", "kernel_size": 3, "stride": 1, "count_include_pad": false"#, ["kernel_size", "stride", "padding"]),
        ("conv2d", #""out_channels": 4, "kernel_size": 3, "param": "c""#, ["out_channels", "kernel_size", "padding", "dilation", "stride", "groups"]),
        ("channel_conv1d", #""kernel_size": 3, "param": "c", "inputs": ["p"]"#, ["kernel_size"]),
        ("linear", #""out_features": 4, "param": "fc", "inputs": ["p"]"#, ["out_features"]),
        ("slice", #""start": 0, "count": 1"#, ["start", "count"]),
        ("reshape", "", ["shape[]"]), ("transpose", "", ["perm[]"]), ("upsample_nearest", "", ["size[]"]),
        ("parameter", #""param": "g", "as": "g2""#, ["shape[]"]),
        ("batch_norm", #""param": "bn""#, ["~eps"]), ("layer_norm", "", ["~eps"]), ("instance_norm", "", ["~eps"]),
        ("l1_normalize", #""axis": "c""#, ["~eps"]), ("matmul", #""inputs": ["x", "x"]"#, ["~alpha"]),
        ("attention", #""inputs": ["x", "x", "x"]"#, ["~scale"]),
    ]

    /// A size: small and valid most of the time.
    static func size<C: Choices>(_ c: inout C, _ valid: [Int] = sizes) -> String {
        if c.chance(88) { return String(c.pick(valid)) }
        return c.chance(75) ? c.pick(c.chance(50) ? edgeNumbers : extremeIntegers) : c.pick(wrongTypes)
    }

    /// Names that meet something in the C, or each other, when they reach it: the emitted
    /// function's loop variables and pointers, its helpers and macros, libc's functions, macros
    /// and types (<math.h>'s M_PI_2 is a value `M_PI` numbered 2 in the old naming), C keywords
    /// (refused), reserved forms (refused), the mangled namespace (`p0_x`, `v2_mul`), and case
    /// and `.`/`_` variants of one another (`fc1`/`FC1`, `a.b`/`a_b`: refused when both appear).
    static let hostileNames = [
        "h", "w", "c", "n", "i", "j", "k", "o", "s", "t", "e", "g", "y", "t0", "x0", "acc", "sum", "max", "inv",
        "input", "output", "params", "scratch", "group", "out_row", "w_row",
        "attn_expf", "attn_row_dot", "attn_gemm_nn", "ATTN_LANES", "expf", "sqrtf", "memset", "strlen", "isnan", "y0",
        "M_PI", "M_PI_2", "INFINITY", "NULL", "EOF", "errno", "EDOM", "int8_t", "uint32_t", "INT8_C", "size_t", "bool",
        "true", "class", "p0_x", "v1_mul", "v2_sigmoid", "BLK_INPUT_SIZE", "BLK_H", "blk_forward",
        "fc1", "FC1", "Fc1", "a.b", "a_b", "A.B", "a.b.c", "a_b.c", "A_B_C",
        "int", "float", "for", "static", "main", "_x", "_Bool", "a__b", "a._b", "x", "_", "1x", "a..b", "a.1",
    ]

    /// Whether a spec's canonical JSON gives a name from `hostileNames` (for the tallies).
    static func usesHostileName(_ canonical: String) -> Bool {
        hostileNames.contains { n in
            ["name", "as", "param"].contains { canonical.contains("\"\($0)\": \(quote(n))") }
        }
    }

    /// A name for a tensor (`param`) or a value (`as`): usually plain, often hostile.
    static func userName<C: Choices>(_ c: inout C, plain: String) -> String {
        c.chance(30) ? c.pick(hostileNames) : plain
    }

    static func name<C: Choices>(_ c: inout C) -> String {
        if c.chance(15) { return c.pick(hostileNames) }
        if c.chance(90) { return c.pick(["blk", "se_a", "_x1", "Block9", "eca", "g"]) }
        return c.pick([
            "", "1a", "a b", "int", "main", "../evil", "a/b", "sé", "a\nb", "a\"b", "a\\u0000b", String(repeating: "n", count: 63),
            String(repeating: "n", count: 64), "_Bool", "x*/y",
        ])
    }

    /// The `name` a generated block object starts with, when it has one.
    static func blockName(_ block: String) -> String? {
        guard block.hasPrefix("{\"name\": \""), let end = block.dropFirst(10).firstIndex(of: "\"") else { return nil }
        return String(block[block.index(block.startIndex, offsetBy: 10)..<end])
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// One block object; `c` channels are remembered so graph templates fit their input.
    static func block<C: Choices>(_ c: inout C) -> String {
        var fields: [(key: String, value: String)] = []
        fields.append(("name", quote(name(&c))))
        let channels = c.pick(sizes)
        var input = [("c", String(channels)), ("h", size(&c)), ("w", size(&c))]
        if c.chance(40) { input.append(("n", size(&c, [1, 1, 2, 3]))) }
        if c.chance(8) { input[c.below(input.count)].1 = size(&c) }  // sometimes C too is odd
        if c.chance(4) { input.remove(at: c.below(input.count)) }
        if c.chance(3) { input.append(("d", "2")) }
        fields.append(("input", object(input)))
        switch c.below(26) {
        case 0..<5:
            fields.append(("kind", #""se""#))
            catalogOptions(&c, &fields, ["reduction", "reduced_channels", "bias"])
        case 5..<8:
            fields.append(("kind", #""eca""#))
            catalogOptions(&c, &fields, ["kernel_size"])
        case 8..<11:
            fields.append(("kind", #""cbam""#))
            catalogOptions(&c, &fields, ["reduction", "reduced_channels", "spatial_kernel_size", "bias"])
        case 23..<26:
            // One number field of a catalog kind or a graph op at an extreme value.
            if c.chance(50) {
                let (kind, keys) = c.pick(catalogNumberFields)
                fields.append(("kind", quote(kind)))
                for key in keys where c.chance(30) { fields.append((key, size(&c, [1, 2, 3, 4, 8]))) }
                if let key = keys.isEmpty ? nil : c.pick(keys) {
                    fields.append((key, ["kernel_size", "conv_kernels", "conv_groups"].contains(key)
                        ? "[\(c.pick(extremeIntegers)), \(c.pick(extremeIntegers))]" : c.pick(extremeIntegers)))
                }
            } else {
                fields.append(("graph", extremeLayer(&c)))
            }
        case 11..<14:
            // Any kind this build knows (blocks added later included), with hyperparameter
            // names from the catalog's vocabulary.
            fields.append(("kind", c.chance(80) ? quote(c.pick(BlockSpec.kinds)) : c.pick([#""sk""#, #""SE""#, "3", #""""#])))
            for _ in 0..<c.below(4) { fields.append((c.pick(hyperparameters), size(&c, [1, 2, 3, 4, 7, 8, 16]))) }
        default:
            fields.append(("graph", graph(&c, channels: channels)))
        }
        if c.chance(5) { fields.append(("weights_prefix", quote(c.pick(["layer1.0.se.", "", "a"])))) }
        mutate(&c, &fields)
        return object(fields)
    }

    /// The number fields of each catalog kind.
    static let catalogNumberFields: [(String, [String])] = [
        ("se", ["reduction", "reduced_channels"]), ("se_gc", ["groups"]), ("eca", ["kernel_size"]),
        ("cbam", ["reduction", "reduced_channels", "spatial_kernel_size"]),
        ("bam", ["reduction", "reduced_channels", "dilation_val", "dilation_conv_num"]),
        ("sk", ["out_channels", "kernel_size", "stride", "dilation", "groups", "reduction", "reduced_channels", "rd_divisor"]),
        ("scconv", ["pooling_r", "stride", "padding", "dilation", "groups"]),
        ("psa", ["planes", "conv_kernels", "conv_groups", "stride"]), ("emsa", ["num_heads", "sr_ratio"]),
        ("external_attention", ["S"]), ("fusion", ["inputs", "reduction", "reduced_channels"]),
    ]

    /// A graph of one op whose number field is extreme (after a pool `p` when it reads vectors).
    static func extremeLayer<C: Choices>(_ c: inout C) -> String {
        let (name, layer, numbers) = c.pick(opFields)
        let field = c.pick(numbers)
        var own = layer
        func add(_ key: Substring, _ value: String) { own += (own.isEmpty ? "" : ", ") + "\"\(key)\": \(value)" }
        if field.hasPrefix("~") {
            add(field.dropFirst(), c.pick(extremeFloats))
        } else if field.hasSuffix("[]") {
            let list = (0..<(field == "size[]" ? 2 : 4)).map { _ in c.chance(50) ? c.pick(extremeIntegers) : c.pick(["0", "1", "2", "3"]) }
            add(field.dropLast(2), "[\(list.joined(separator: ", "))]")
        } else {
            add(Substring(field), c.pick(extremeIntegers))
        }
        var graph = [#"{"op": "\#(name)", \#(own)}"#]
        if layer.contains(#"["p"]"#) { graph.insert(#"{"op": "global_pool", "mode": "mean", "as": "p"}"#, at: 0) }
        if name == "parameter" { graph.append(#"{"op": "mul", "inputs": ["x", "g2"]}"#) }
        return "[" + graph.joined(separator: ", ") + "]"
    }

    static func catalogOptions<C: Choices>(_ c: inout C, _ fields: inout [(key: String, value: String)], _ keys: [String]) {
        for key in keys where c.chance(45) {
            switch key {
            case "bias": fields.append((key, c.chance(90) ? c.pick(["true", "false"]) : c.pick(wrongTypes)))
            case "kernel_size", "spatial_kernel_size": fields.append((key, size(&c, [1, 3, 3, 5, 7, 9, 2, 4, 1023, 1025])))
            default: fields.append((key, size(&c, [1, 2, 4, 8, 16, 32, 3, 64])))
            }
        }
    }

    /// Structural mistakes: drop a field, add an unknown one, mistype one, repeat one.
    static func mutate<C: Choices>(_ c: inout C, _ fields: inout [(key: String, value: String)]) {
        if c.chance(6), !fields.isEmpty { fields.remove(at: c.below(fields.count)) }
        if c.chance(5) { fields.append((c.pick(["reductoin", "groups", "num_heads", "", "graph", "kind"]), size(&c))) }
        if c.chance(6), !fields.isEmpty { fields[c.below(fields.count)].value = c.pick(wrongTypes + edgeNumbers) }
        if c.chance(3), !fields.isEmpty { fields.append(fields[c.below(fields.count)]) }
        if c.chance(30), fields.count > 1 { fields.swapAt(c.below(fields.count), c.below(fields.count)) }
    }

    static func object(_ fields: [(key: String, value: String)]) -> String {
        "{" + fields.map { "\(quote($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
    }

    // MARK: graphs

    /// A custom block: one of a few gate shapes with varied details, or random layers.
    static func graph<C: Choices>(_ c: inout C, channels: Int) -> String {
        var layers: [[(key: String, value: String)]]
        switch c.below(6) {
        case 4, 5: layers = anyShapeChain(&c)
        case 0: layers = channelGate(&c, channels: channels)
        case 1: layers = spatialGate(&c)
        case 2: layers = channelGate(&c, channels: channels).dropLast() + [[("op", #""mul""#), ("inputs", #"["x"]"#), ("as", #""x1""#)]]
            + spatialGate(&c, source: "x1")
        default: layers = (0...c.below(6)).map { _ in randomLayer(&c, channels: channels) }
        }
        if c.chance(10), !layers.isEmpty { layers.remove(at: c.below(layers.count)) }
        if c.chance(10) { layers.insert(randomLayer(&c, channels: channels), at: c.below(layers.count + 1)) }
        for i in layers.indices where c.chance(4) { mutate(&c, &layers[i]) }
        return "[" + layers.map(object).joined(separator: ", ") + "]"
    }

    static func op(_ name: String) -> (key: String, value: String) { ("op", quote(name)) }

    static func pool<C: Choices>(_ c: inout C, _ kind: String) -> [(key: String, value: String)] {
        [op(kind), ("mode", c.chance(95) ? quote(c.pick(["mean", "max"])) : c.pick([#""sum""#, "1"]))]
    }

    static func activation<C: Choices>(_ c: inout C) -> [(key: String, value: String)] {
        [op(c.pick(["sigmoid", "sigmoid", "hard_sigmoid", "relu"]))]
    }

    /// pool → (MLP or channel conv) → gate → x · gate.
    static func channelGate<C: Choices>(_ c: inout C, channels: Int) -> [[(key: String, value: String)]] {
        var layers = [pool(&c, "global_pool")]
        if c.chance(50) {
            let rd = c.chance(90) ? String(max(1, channels / c.pick([1, 2, 4, 16]))) : size(&c)
            layers.append([op("linear"), ("out_features", rd), ("param", quote(userName(&c, plain: "fc1"))), ("bias", c.pick(["true", "false"]))])
            if c.chance(80) { layers.append([op(c.pick(["relu", "hard_sigmoid"]))]) }
            let out = c.chance(92) ? String(channels) : size(&c)
            layers.append([op("linear"), ("out_features", out), ("param", quote(userName(&c, plain: c.pick(["fc2", "fc2", "fc1", "a.b.0"]))))])
        } else {
            layers.append([op("channel_conv1d"), ("kernel_size", size(&c, [1, 3, 5, 7, 9, 2, 0])), ("param", quote(userName(&c, plain: "conv")))])
        }
        if c.chance(15) { layers.append([op("batch_norm"), ("param", quote(userName(&c, plain: "bn")))] + (c.chance(50) ? [("eps", size(&c, [1]))] : [])) }
        layers.append(activation(&c))
        layers.append([op("mul"), ("inputs", #"["x"]"#)])
        return layers
    }

    /// [mean_C, max_C] → conv2d → (BN) → gate → source · gate.
    static func spatialGate<C: Choices>(_ c: inout C, source: String = "x") -> [[(key: String, value: String)]] {
        var conv: [(key: String, value: String)] = [
            op("conv2d"), ("out_channels", c.chance(90) ? "1" : size(&c)), ("kernel_size", size(&c, [1, 3, 5, 7, 2, 9])),
            ("param", quote(userName(&c, plain: "spatial.conv"))),
        ]
        if c.chance(30) { conv.append(("padding", size(&c, [0, 1, 2, 3]))) }
        if c.chance(25) { conv.append(("dilation", size(&c, [1, 2, 3]))) }
        if c.chance(30) { conv.append(("bias", "true")) }
        // The branch names are often hostile; "x" and "_" among them are refused, two equal
        // ones are refused as already defined.
        let a = userName(&c, plain: "a")
        let b = userName(&c, plain: "b")
        var layers: [[(key: String, value: String)]] = [
            pool(&c, "channel_pool") + [("inputs", "[\(quote(source))]"), ("as", quote(a))],
            pool(&c, "channel_pool") + [("inputs", "[\(quote(source))]"), ("as", quote(b))],
            [op("concat"), ("inputs", c.chance(90) ? "[\(quote(a)), \(quote(b))]" : c.pick([#"["a"]"#, #"["a", "zz"]"#, #"["a", "b", "a"]"#]))],
            conv,
        ]
        if c.chance(50) { layers.append([op("batch_norm"), ("param", quote(userName(&c, plain: "spatial.bn")))]) }
        layers.append(activation(&c))
        layers.append([op(c.chance(90) ? "mul" : "add"), ("inputs", "[\(quote(source))]")])
        return layers
    }

    /// Layers that fit any input shape, from the ops the attention blocks brought (softmax and
    /// norms along any axis, x·xᵀ products, self-attention of x with itself, strided and grouped
    /// 1×1 convs, slices, transposes, a learned scalar), ending in a residual add: specs that
    /// mostly lower, so the JIT-vs-interpreter check sees these ops on odd shapes.
    static func anyShapeChain<C: Choices>(_ c: inout C) -> [[(key: String, value: String)]] {
        var layers: [[(key: String, value: String)]] = []
        for _ in 0...c.below(4) {
            switch c.below(11) {
            case 0: layers.append([op("softmax"), ("axis", quote(c.pick(["c", "h", "w", "hw"])))])
            case 1: layers.append([op("l1_normalize"), ("axis", quote(c.pick(["c", "h", "w", "hw"]))), ("eps", c.pick(["1e-9", "0", "1"]))])
            case 2: layers.append(c.chance(50) ? [op("layer_norm"), ("param", quote(userName(&c, plain: "ln")))] : [op("instance_norm")])
            case 3:
                layers.append([op("matmul"), ("inputs", #"["_", "_"]"#), ("transpose_b", "true"), ("alpha", c.pick(["1", "0.5"])), ("as", #""gram""#)])
                layers.append([op("softmax"), ("axis", #""w""#)])
                layers.append([op("matmul"), ("inputs", #"["_", "x"]"#)])
            case 4: layers.append([op("attention"), ("inputs", #"["_", "_", "_"]"#), ("scale", c.pick(["1", "0.25"]))])
            case 5: layers.append([op("axis_pool"), ("mode", quote(c.pick(["mean", "max"]))), ("axis", quote(c.pick(["h", "w"])))])
            case 6:
                layers.append([op("transpose"), ("perm", #"[0, 1, 3, 2]"#)])
                layers.append([op("transpose"), ("perm", #"[0, 1, 3, 2]"#)])
            case 7:
                // A tensor and a value both named after anything: a loop variable, a libc macro, ...
                let g = userName(&c, plain: "g")
                layers.append([op("parameter"), ("param", quote(userName(&c, plain: "gamma"))), ("shape", "[1, 1, 1, 1]"), ("as", quote(g))])
                layers.append([op("mul"), ("inputs", "[\(quote(g)), \"x\"]")])
            case 8: layers.append([op("pool2d"), ("mode", quote(c.pick(["mean", "max"]))), ("kernel_size", "1"), ("stride", c.pick(["1", "2"]))])
                layers.append([op("upsample_nearest"), ("size", "[1, 1]")])
            case 9: layers.append([op("slice"), ("start", "0"), ("count", "1")])
            default: layers.append([op("conv2d"), ("out_channels", c.pick(["1", "2", "4"])), ("kernel_size", c.pick(["1", "3"])), ("stride", c.pick(["1", "2"])), ("param", quote(userName(&c, plain: "cv")))])
            }
        }
        layers.append([op("add"), ("inputs", #"["_", "x"]"#)])
        return layers
    }

    static func randomLayer<C: Choices>(_ c: inout C, channels: Int) -> [(key: String, value: String)] {
        var layer: [(key: String, value: String)]
        switch c.below(22) {
        case 12: layer = [op("axis_pool"), ("mode", quote(c.pick(["mean", "max"]))), ("axis", quote(c.pick(["h", "w", "c", "x"])))]
        case 13: layer = [op("pool2d"), ("mode", quote(c.pick(["mean", "max"]))), ("kernel_size", size(&c, [1, 2, 3])), ("stride", size(&c, [1, 2])), ("padding", size(&c, [0, 1]))]
        case 14: layer = [op("weighted_pool"), ("param", #""wp""#)]
        case 15: layer = [op("upsample_nearest"), ("size", c.pick(["[7, 9]", "[1, 1]", "[0, 3]", "[3]", "[70000, 70000]"]))]
        case 16: layer = [op(c.pick(["softmax", "l1_normalize"])), ("axis", quote(c.pick(["c", "h", "w", "hw", "n"])))]
        case 17: layer = [op("matmul"), ("inputs", c.pick([#"["x", "x"]"#, #"["_", "x"]"#])), ("transpose_a", c.pick(["true", "false"])), ("transpose_b", c.pick(["true", "false", "1"]))]
        case 18: layer = [op("attention"), ("inputs", c.pick([#"["x", "x", "x"]"#, #"["x", "x"]"#, #"["_", "x", "_"]"#]))]
        case 19: layer = [op("parameter"), ("param", quote(userName(&c, plain: c.pick(["gamma", "a.b", "1x", "g"])))), ("shape", c.pick(["[1, 1, 1, 1]", "[1, 0, 1, 1]", "[1, 2]", "[2147483647, 2, 1, 1]"]))]
        case 20: layer = [op(c.pick(["slice", "reshape", "transpose"])), ("start", size(&c, [0, 1])), ("count", size(&c, [1, 2])), ("shape", c.pick(["[1, 1, 1, 1]", "[1, -1, 1, 1]"])), ("perm", c.pick(["[0, 1, 3, 2]", "[0, 0, 1, 2]"]))]
        case 21: layer = [op("conv2d"), ("out_channels", size(&c)), ("kernel_size", size(&c, [1, 3])), ("stride", size(&c, [1, 2, 0])), ("groups", size(&c, [1, 2, 4])), ("param", #""cg""#)]
        case 0: layer = pool(&c, "global_pool")
        case 1: layer = pool(&c, "channel_pool")
        case 2: layer = [op("linear"), ("out_features", size(&c)), ("param", quote(c.pick(["fc", "p.q", "fc"])))]
        case 3: layer = [op("channel_conv1d"), ("kernel_size", size(&c, [1, 3, 5])), ("param", #""conv""#)]
        case 4: layer = [op("conv2d"), ("out_channels", size(&c)), ("kernel_size", size(&c, [1, 3])), ("param", #""cv""#)]
        case 5: layer = [op("batch_norm"), ("param", #""bn""#)]
        case 6: layer = [op(c.pick(["add", "mul"])), ("inputs", c.pick([#"["x"]"#, #"["_", "x"]"#, #"["x", "x"]"#, #"["y"]"#]))]
        case 7: layer = [op("concat"), ("inputs", c.pick([#"["x", "x"]"#, #"["x", "_"]"#, #"["_"]"#]))]
        case 8: layer = [op(c.pick(["softmax", "", "Sigmoid"]))]
        default: layer = activation(&c)
        }
        if c.chance(15) { layer.append(("as", quote(userName(&c, plain: c.pick(["y", "x", "1y", "y"]))))) }
        if c.chance(5) { layer.append(("out_features", String(channels))) }
        return layer
    }
}
