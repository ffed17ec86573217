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
        if let kind { f["kind"] = .string(kind) }
        switch body {
        case .se(let o):
            f["reduction"] = o.reduction.map { .int($0) }
            f["reduced_channels"] = o.reducedChannels.map { .int($0) }
            f["bias"] = o.bias.map { .bool($0) }
        case .eca(let o):
            f["kernel_size"] = o.kernelSize.map { .int($0) }
        case .cbam(let o):
            f["reduction"] = o.reduction.map { .int($0) }
            f["reduced_channels"] = o.reducedChannels.map { .int($0) }
            f["spatial_kernel_size"] = o.spatialKernelSize.map { .int($0) }
            f["bias"] = o.bias.map { .bool($0) }
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
        case .channelConv1d(let k, let param):
            f["kernel_size"] = .int(k)
            f["param"] = .string(param)
        case .conv2d(let out, let k, let pad, let dil, let bias, let param):
            f["out_channels"] = .int(out)
            f["kernel_size"] = .int(k)
            f["padding"] = .int(pad)
            f["dilation"] = .int(dil)
            f["bias"] = .bool(bias)
            f["param"] = .string(param)
        case .batchNorm(let param, let eps):
            f["param"] = .string(param)
            f["eps"] = .double(eps)
        case .relu, .sigmoid, .hardSigmoid, .add, .mul, .concat:
            break
        }
        return .object(f)
    }
}
