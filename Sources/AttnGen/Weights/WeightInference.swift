// Hyperparameters the weights already say (rd, bias, kernel sizes). Missing ones are filled in;
// ones the spec states must agree, or the error names the tensor and both shapes.

import AttnSpec

extension Checkpoint {
    /// The spec with hyperparameters completed from tensor shapes.
    func complete(_ spec: BlockSpec) throws(SpecError) -> BlockSpec {
        var spec = spec
        let c = spec.input.c
        switch spec.body {
        case .se(var o):
            o.reducedChannels = try reduced("fc1.weight", c, o.reduction, o.reducedChannels)
            o.bias = try bias("fc1.bias", given: o.bias)
            spec.body = .se(o)
        case .eca(var o):
            let k = try kernel("conv.weight", given: o.kernelSize, defaultValue: nil, field: "kernel_size")
            o.kernelSize = k
            spec.body = .eca(o)
        case .cbam(var o):
            o.reducedChannels = try reduced("channel.fc1.weight", c, o.reduction, o.reducedChannels)
            o.bias = try bias("channel.fc1.bias", given: o.bias)
            o.spatialKernelSize = try kernel(
                "spatial.conv.conv.weight", given: o.spatialKernelSize, defaultValue: 7, field: "spatial_kernel_size")
            spec.body = .cbam(o)
        case .graph:
            break
        }
        return spec
    }

    /// rd from `[rd, C, ...]`; a stated rd (or C / reduction) must match.
    private func reduced(_ tensor: String, _ c: Int, _ reduction: Int?, _ stated: Int?) throws(SpecError) -> Int? {
        guard let dims = dims(tensor), let rd = dims.first else { return stated }
        if let stated, stated != rd {
            throw conflict(tensor, "reduced_channels", "\(stated)", dims)
        }
        if stated == nil, let r = reduction, r >= 1, c / r != rd {
            throw conflict(tensor, "reduction", "\(r) (rd = \(c)/\(r) = \(c / r))", dims)
        }
        return rd
    }

    private func bias(_ tensor: String, given: Bool?) throws(SpecError) -> Bool {
        let present = has(tensor)
        if let given, given != present {
            let what = present ? "holds \(displayName(tensor))" : "has no \(displayName(tensor))"
            throw SpecError("bias", "is \(given) but \(file.source) \(what) (\(scheme.label) names)")
        }
        return present
    }

    /// k from the last dim; a stated k must match.
    private func kernel(_ tensor: String, given: Int?, defaultValue: Int?, field: String) throws(SpecError) -> Int? {
        guard let dims = dims(tensor), let k = dims.last else { return given }
        if let given, given != k { throw conflict(tensor, field, "\(given)", dims) }
        return k
    }

    private func conflict(_ tensor: String, _ field: String, _ stated: String, _ dims: [Int]) -> SpecError {
        SpecError(field, "is \(stated) but \(file.source) has \"\(displayName(tensor))\" of shape \(dims)")
    }
}
