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
            let modeName = try r.require("mode") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
            guard let mode = PoolKind(rawValue: modeName) else {
                throw SpecError("mode", "unknown pool mode \"\(modeName)\" (known: mean, max)")
            }
            op = opName == "global_pool" ? .globalPool(mode) : .channelPool(mode)
        case "linear":
            op = .linear(outFeatures: try int(&r, "out_features"), bias: try r.bool("bias") ?? true, param: try param(&r))
        case "channel_conv1d":
            op = .channelConv1d(kernelSize: try int(&r, "kernel_size"), param: try param(&r))
        case "conv2d":
            let k = try int(&r, "kernel_size")
            let dilation = try r.int("dilation") ?? 1
            op = .conv2d(
                outChannels: try int(&r, "out_channels"), kernelSize: k,
                padding: try r.int("padding") ?? samePadding(k, dilation), dilation: dilation,
                bias: try r.bool("bias") ?? false, param: try param(&r))
        case "batch_norm":
            op = .batchNorm(param: try param(&r), eps: try r.double("eps") ?? 1e-5)
        case "relu": op = .relu
        case "sigmoid": op = .sigmoid
        case "hard_sigmoid": op = .hardSigmoid
        case "add": op = .add
        case "mul": op = .mul
        case "concat": op = .concat
        default:
            let known = "global_pool, channel_pool, linear, channel_conv1d, conv2d, batch_norm, relu, sigmoid, hard_sigmoid, add, mul, concat"
            throw SpecError("op", "unknown op \"\(opName)\" (known: \(known))")
        }
        try r.finish(context: "op \"\(opName)\"")
        return Layer(op, inputs: inputs, name: name)
    }
}
