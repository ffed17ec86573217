// JSON → [Layer] for custom blocks: `"graph": [{"op": "global_pool", "mode": "max"}, ...]`.

extension BlockSpec {
    static func decodeGraph(_ value: JSONValue) throws(SpecError) -> [Layer] {
        guard case .array(let items) = value else {
            throw SpecError("graph", "must be an array of layers, got \(value.typeName)")
        }
        var layers: [Layer] = []
        for (i, item) in items.enumerated() {
            do throws(SpecError) {
                layers.append(try decodeLayer(item))
            } catch {
                throw error.within("graph[\(i)]")
            }
        }
        return layers
    }

    private static func decodeLayer(_ value: JSONValue) throws(SpecError) -> Layer {
        var r = try FieldReader(value, at: "")
        let opName = try r.require("op") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
        let inputs = try r.strings("inputs") ?? []
        let name = try r.string("as")
        let op: LayerOp
        func param(_ r: inout FieldReader) throws(SpecError) -> String {
            try r.require("param") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
        }
        func int(_ r: inout FieldReader, _ key: String) throws(SpecError) -> Int {
            try r.require(key) { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
        }
        switch opName {
        case "global_pool", "channel_pool":
            let mode = try Self.poolMode(&r)
            op = opName == "global_pool" ? .globalPool(mode) : .channelPool(mode)
        case "linear":
            op = .linear(outFeatures: try int(&r, "out_features"), bias: try r.bool("bias") ?? true, param: try param(&r))
        case "channel_conv1d":
            var padding = ChannelPaddingKind.zeros
            if let text = try r.string("padding_mode") {
                guard let mode = ChannelPaddingKind(rawValue: text) else {
                    throw SpecError(
                        "padding_mode", "unknown padding mode \"\(text)\" (known: \(ChannelPaddingKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                padding = mode
            }
            op = .channelConv1d(kernelSize: try int(&r, "kernel_size"), param: try param(&r), padding: padding)
        case "conv2d":
            let k = try int(&r, "kernel_size")
            let dilation = try r.int("dilation") ?? 1
            let stride = try r.int("stride") ?? 1
            op = .conv2d(
                Conv2DLayer(
                    outChannels: try int(&r, "out_channels"), kernelSize: k,
                    padding: try r.int("padding") ?? samePadding(k, dilation), dilation: dilation, stride: stride,
                    groups: try r.int("groups") ?? 1, bias: try r.bool("bias") ?? true, param: try param(&r)))
        case "axis_conv1d":
            let k = try int(&r, "kernel_size")
            let axis = try Self.axis(&r, allowed: [.h, .w])
            op = .axisConv1d(kernelSize: k, axis: axis, bias: try r.bool("bias") ?? true, param: try param(&r))
        case "group_norm":
            op = .groupNorm(groups: try int(&r, "num_groups"), param: try r.string("param"), eps: try r.double("eps") ?? 1e-5)
        case "batch_norm":
            op = .batchNorm(param: try param(&r), eps: try r.double("eps") ?? 1e-5)
        case "relu": op = .relu
        case "sigmoid": op = .sigmoid
        case "hard_sigmoid": op = .hardSigmoid
        case "relu6": op = .relu6
        case "silu": op = .silu
        case "hard_swish": op = .hardSwish
        case "gelu":
            // PyTorch's `approximate` argument: "none" (erf, the default) or "tanh".
            switch try r.string("approximate") ?? "none" {
            case "none": op = .gelu(approximateTanh: false)
            case "tanh": op = .gelu(approximateTanh: true)
            case let other: throw SpecError("approximate", "must be \"none\" or \"tanh\" (PyTorch's GELU), got \"\(other)\"")
            }
        case "tanh": op = .tanh
        case "sqrt": op = .sqrt
        case "leaky_relu": op = .leakyRelu(negativeSlope: try r.double("negative_slope") ?? 0.01)
        case "mul_scalar", "add_scalar":
            let value = try r.require("value") { (r: inout FieldReader, k: String) throws(SpecError) in try r.double(k) }
            op = opName == "mul_scalar" ? .mulScalar(value) : .addScalar(value)
        case "add": op = .add
        case "sub": op = .sub
        case "mul": op = .mul
        case "concat": op = .concat
        case "axis_pool":
            let axis = try Self.axis(&r, allowed: [.h, .w])
            op = .axisPool(try Self.poolMode(&r), axis: axis)
        case "pool2d":
            let k = try int(&r, "kernel_size")
            let mode = try Self.poolMode(&r)
            let includePad = try r.bool("count_include_pad")
            if mode == .max, includePad != nil {
                throw SpecError("count_include_pad", "is only read by a mean pool (PyTorch's MaxPool2d has none)")
            }
            op = .pool2d(
                mode, kernelSize: k, stride: try r.int("stride") ?? k, padding: try r.int("padding") ?? 0,
                countIncludePad: includePad ?? true)
        case "weighted_pool": op = .weightedPool(param: try param(&r))
        case "upsample_nearest":
            let size = try r.require("size") { (r: inout FieldReader, k: String) throws(SpecError) in try r.ints(k) }
            guard size.count == 2 else { throw SpecError("size", "must be [h, w], got \(size.count) numbers") }
            op = .upsampleNearest(h: size[0], w: size[1])
        case "block_unfold":
            let window = try int(&r, "window")
            op = .blockUnfold(window: window, step: try r.int("step") ?? window, padding: try r.int("padding") ?? 0)
        case "softmax": op = .softmax(try Self.axis(&r, allowed: LayerAxis.allCases))
        case "l1_normalize":
            op = .l1Normalize(try Self.axis(&r, allowed: LayerAxis.allCases), eps: try r.double("eps") ?? 1e-12)
        case "layer_norm": op = .layerNorm(param: try r.string("param"), eps: try r.double("eps") ?? 1e-5)
        case "instance_norm": op = .instanceNorm(eps: try r.double("eps") ?? 1e-5)
        case "variance": op = .variance(unbiased: try r.bool("unbiased") ?? true)
        case "matmul":
            op = .matmul(
                transposeA: try r.bool("transpose_a") ?? false, transposeB: try r.bool("transpose_b") ?? false,
                alpha: try r.double("alpha") ?? 1)
        case "attention":
            let scale = try r.double("scale") ?? 1
            // Relative positions: the tables' prefix, then the grids they index.
            if let prefix = try r.string("rel_pos") {
                op = .attention(
                    scale: scale,
                    relPos: RelPosLayer(
                        param: prefix, queryWidth: try int(&r, "query_width"), keyHeight: try int(&r, "key_height"),
                        keyWidth: try int(&r, "key_width"), scaled: try r.bool("scale_pos") ?? false))
            } else {
                op = .attention(scale: scale)
            }
        case "rel_pos_weights": op = .relPosWeights(dimHead: try int(&r, "dim_head"), param: try param(&r))
        case "block_matmul":
            let sideName = try r.require("side") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
            guard let side = BlockSide(rawValue: sideName) else {
                throw SpecError("side", "unknown side \"\(sideName)\" (known: left, right)")
            }
            op = .blockMatmul(side)
        case "parameter":
            op = .parameter(param: try param(&r), shape: try Self.shape(&r, "shape"))
        case "slice": op = .slice(start: try int(&r, "start"), count: try int(&r, "count"))
        case "reshape": op = .reshape(try Self.shape(&r, "shape"))
        case "transpose":
            // Lowering checks perm and shapes, for the DSL's layers as for these.
            op = .transpose(try r.require("perm") { (r: inout FieldReader, k: String) throws(SpecError) in try r.ints(k) })
        default:
            let known = LayerOp.jsonNames.joined(separator: ", ")
            throw SpecError("op", "unknown op \"\(opName)\" (known: \(known))")
        }
        try r.finish(context: "op \"\(opName)\"")
        return Layer(op, inputs: inputs, name: name)
    }

    private static func poolMode(_ r: inout FieldReader) throws(SpecError) -> PoolKind {
        let modeName = try r.require("mode") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
        guard let mode = PoolKind(rawValue: modeName) else {
            throw SpecError("mode", "unknown pool mode \"\(modeName)\" (known: mean, max)")
        }
        return mode
    }

    private static func axis(_ r: inout FieldReader, allowed: [LayerAxis]) throws(SpecError) -> LayerAxis {
        let name = try r.require("axis") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
        guard let axis = LayerAxis(rawValue: name), allowed.contains(axis) else {
            throw SpecError("axis", "must be one of \(allowed.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
        }
        return axis
    }

    private static func shape(_ r: inout FieldReader, _ key: String) throws(SpecError) -> [Int] {
        try r.require(key) { (r: inout FieldReader, k: String) throws(SpecError) in try r.ints(k) }
    }
}
