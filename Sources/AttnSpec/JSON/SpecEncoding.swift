// BlockSpec → JSON. Only fields the user gave are written, so decode(encode(s)) == s.

extension BlockSpec {
    /// The spec as a JSON tree.
    public var json: JSONValue {
        var f: [String: JSONValue] = [
            "name": .string(name),
            "input": .object(["n": .int(input.n), "c": .int(input.c), "h": .int(input.h), "w": .int(input.w)]),
        ]
        f["weights"] = weights.map { .string($0) }
        f["weights_prefix"] = weightsPrefix.map { .string($0) }
        f["layout"] = layout.map { .string($0.rawValue) }
        f["libm"] = libm.map { .bool($0) }
        f["selftest"] = selftest.map { .bool($0) }
        if let output {
            var o: [String: JSONValue] = ["c": .int(output.c), "h": .int(output.h), "w": .int(output.w)]
            o["n"] = output.n.map { .int($0) }
            f["output"] = .object(o)
        }
        if let kind { f["kind"] = .string(kind) }
        switch body {
        case .catalog(let b): b.block.encode(into: &f)
        case .graph(let layers):
            f["graph"] = .array(layers.map(\.json))
        }
        return .object(f)
    }

    /// Canonical text of the spec: the key of the JIT cache and the spec echoed in generated files.
    public var canonicalJSON: String { json.serialized() }
}

extension Layer {
    var json: JSONValue {
        var f: [String: JSONValue] = ["op": .string(op.jsonName)]
        if !inputs.isEmpty { f["inputs"] = .array(inputs.map { .string($0) }) }
        if let name { f["as"] = .string(name) }
        switch op {
        case .globalPool(let m), .channelPool(let m):
            f["mode"] = .string(m.rawValue)
        case .linear(let out, let bias, let param):
            f["out_features"] = .int(out)
            f["bias"] = .bool(bias)
            f["param"] = .string(param)
        case .channelConv1d(let k, let param, let padding):
            f["kernel_size"] = .int(k)
            f["param"] = .string(param)
            if padding != .zeros { f["padding_mode"] = .string(padding.rawValue) }
        case .conv2d(let c):
            f["out_channels"] = .int(c.outChannels)
            f["kernel_size"] = .int(c.kernelSize)
            f["padding"] = .int(c.padding)
            f["dilation"] = .int(c.dilation)
            f["stride"] = .int(c.stride)
            f["groups"] = .int(c.groups)
            f["bias"] = .bool(c.bias)
            f["param"] = .string(c.param)
        case .axisConv1d(let k, let axis, let bias, let param):
            f["kernel_size"] = .int(k)
            f["axis"] = .string(axis.rawValue)
            f["bias"] = .bool(bias)
            f["param"] = .string(param)
        case .groupNorm(let groups, let param, let eps):
            f["num_groups"] = .int(groups)
            if let param { f["param"] = .string(param) }
            f["eps"] = .double(eps)
        case .batchNorm(let param, let eps):
            f["param"] = .string(param)
            f["eps"] = .double(eps)
        case .relu, .sigmoid, .hardSigmoid, .relu6, .silu, .hardSwish, .tanh, .sqrt, .add, .sub, .mul, .concat:
            break
        case .gelu(let approximateTanh):
            f["approximate"] = .string(approximateTanh ? "tanh" : "none")
        case .leakyRelu(let slope):
            f["negative_slope"] = .double(slope)
        case .mulScalar(let v), .addScalar(let v):
            f["value"] = .double(v)
        case .axisPool(let m, let axis):
            f["mode"] = .string(m.rawValue)
            f["axis"] = .string(axis.rawValue)
        case .pool2d(let m, let k, let stride, let pad, let includePad):
            f["mode"] = .string(m.rawValue)
            f["kernel_size"] = .int(k)
            f["stride"] = .int(stride)
            if pad != 0 { f["padding"] = .int(pad) }
            if m == .mean, !includePad { f["count_include_pad"] = .bool(false) }
        case .weightedPool(let param):
            f["param"] = .string(param)
        case .upsampleNearest(let h, let w):
            f["size"] = .array([.int(h), .int(w)])
        case .softmax(let axis):
            f["axis"] = .string(axis.rawValue)
        case .l1Normalize(let axis, let eps):
            f["axis"] = .string(axis.rawValue)
            f["eps"] = .double(eps)
        case .layerNorm(let param, let eps):
            if let param { f["param"] = .string(param) }
            f["eps"] = .double(eps)
        case .variance(let unbiased):
            f["unbiased"] = .bool(unbiased)
        case .instanceNorm(let eps):
            f["eps"] = .double(eps)
        case .matmul(let ta, let tb, let alpha):
            f["transpose_a"] = .bool(ta)
            f["transpose_b"] = .bool(tb)
            f["alpha"] = .double(alpha)
        case .attention(let scale, let relPos):
            f["scale"] = .double(scale)
            if let r = relPos {
                f["rel_pos"] = .string(r.param)
                f["query_width"] = .int(r.queryWidth)
                f["key_height"] = .int(r.keyHeight)
                f["key_width"] = .int(r.keyWidth)
                f["scale_pos"] = .bool(r.scaled)
            }
        case .blockMatmul(let side):
            f["side"] = .string(side.rawValue)
        case .relPosWeights(let dimHead, let param):
            f["dim_head"] = .int(dimHead)
            f["param"] = .string(param)
        case .parameter(let param, let shape):
            f["param"] = .string(param)
            f["shape"] = .array(shape.map { .int($0) })
        case .slice(let start, let count):
            f["start"] = .int(start)
            f["count"] = .int(count)
        case .reshape(let shape):
            f["shape"] = .array(shape.map { .int($0) })
        case .transpose(let perm):
            f["perm"] = .array(perm.map { .int($0) })
        case .blockUnfold(let window, let step, let padding):
            f["window"] = .int(window)
            f["step"] = .int(step)
            f["padding"] = .int(padding)
        }
        return .object(f)
    }
}
