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
        case .seGC(var o):
            // fc.weight [C, C/G, 1, 1] says G.
            if o.groups == nil, let perGroup = dims("fc.weight")?.dropFirst().first, perGroup >= 1, c % perGroup == 0 {
                o.groups = c / perGroup
            }
            spec.body = .seGC(o)
        case .externalAttention(var o):
            o.s = try kernel("linear_0.weight", given: o.s, first: true, field: "S")
            spec.body = .externalAttention(o)
        case .emsa(var o):
            o.qkvBias = try bias("q.bias", given: o.qkvBias)
            spec.body = .emsa(o)
        case .fusion(var o):
            o.interaction = try bias("fc_mix.weight", given: o.interaction, field: "interaction")
            spec.body = .fusion(o)
        // The rest state every hyperparameter the weights could say; a tensor that disagrees is
        // reported by import, naming it and both shapes.
        case .graph, .seVar1, .seVar2, .seVar3, .bam, .sk, .danetPAM, .danetCAM, .scconv, .psa:
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

    /// Whether `tensor` is present; a stated `field` must agree.
    private func bias(_ tensor: String, given: Bool?, field: String = "bias") throws(SpecError) -> Bool {
        let present = has(tensor)
        if let given, given != present {
            let what = present ? "holds \(displayName(tensor))" : "has no \(displayName(tensor))"
            throw SpecError(field, "is \(given) but \(file.source) \(what) (\(scheme.label) names)")
        }
        return present
    }

    /// k from the last dim (or the first, `first`); a stated k must match.
    private func kernel(_ tensor: String, given: Int?, defaultValue: Int? = nil, first: Bool = false, field: String) throws(SpecError) -> Int? {
        guard let dims = dims(tensor), let k = first ? dims.first : dims.last else { return given }
        if let given, given != k { throw conflict(tensor, field, "\(given)", dims) }
        return k
    }

    private func conflict(_ tensor: String, _ field: String, _ stated: String, _ dims: [Int]) -> SpecError {
        SpecError(field, "is \(stated) but \(file.source) has \"\(displayName(tensor))\" of shape \(dims)")
    }
}
