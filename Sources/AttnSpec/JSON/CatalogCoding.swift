// JSON fields of the catalog kinds added after SE, ECA and CBAM: one reader and one writer per
// options struct, named as the reference code's constructor arguments (blocks.md).

extension SEGCOptions {
    init(_ r: inout FieldReader) throws(SpecError) { self.init(groups: try r.int("groups")) }
    func encode(_ f: inout [String: JSONValue]) { f["groups"] = groups.map { .int($0) } }
}

extension BAMOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            dilationVal: try r.int("dilation_val"), dilationConvNum: try r.int("dilation_conv_num"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["dilation_val"] = dilationVal.map { .int($0) }
        f["dilation_conv_num"] = dilationConvNum.map { .int($0) }
    }
}

extension SKOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        self.init(
            outChannels: try r.int("out_channels"), kernelSize: try r.ints("kernel_size"), stride: try r.int("stride"),
            dilation: try r.int("dilation"), groups: try r.int("groups"), reduction: try r.int("reduction"),
            reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"),
            keep3x3: try r.bool("keep_3x3"), splitInput: try r.bool("split_input"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["out_channels"] = outChannels.map { .int($0) }
        f["kernel_size"] = kernelSize.map { .array($0.map { .int($0) }) }
        f["stride"] = stride.map { .int($0) }
        f["dilation"] = dilation.map { .int($0) }
        f["groups"] = groups.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["keep_3x3"] = keep3x3.map { .bool($0) }
        f["split_input"] = splitInput.map { .bool($0) }
    }
}

extension SCConvOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        self.init(
            poolingR: try r.int("pooling_r"), stride: try r.int("stride"), padding: try r.int("padding"),
            dilation: try r.int("dilation"), groups: try r.int("groups"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["pooling_r"] = poolingR.map { .int($0) }
        f["stride"] = stride.map { .int($0) }
        f["padding"] = padding.map { .int($0) }
        f["dilation"] = dilation.map { .int($0) }
        f["groups"] = groups.map { .int($0) }
    }
}

extension PSAOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        self.init(
            planes: try r.int("planes"), convKernels: try r.ints("conv_kernels"), convGroups: try r.ints("conv_groups"),
            stride: try r.int("stride"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["planes"] = planes.map { .int($0) }
        f["conv_kernels"] = convKernels.map { .array($0.map { .int($0) }) }
        f["conv_groups"] = convGroups.map { .array($0.map { .int($0) }) }
        f["stride"] = stride.map { .int($0) }
    }
}

extension EMSAOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        self.init(
            numHeads: try r.int("num_heads"), srRatio: try r.int("sr_ratio"), qkvBias: try r.bool("qkv_bias"),
            applyTransform: try r.bool("apply_transform"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["num_heads"] = numHeads.map { .int($0) }
        f["sr_ratio"] = srRatio.map { .int($0) }
        f["qkv_bias"] = qkvBias.map { .bool($0) }
        f["apply_transform"] = applyTransform.map { .bool($0) }
    }
}

extension ExternalAttentionOptions {
    // `S`, capitalised as in the reference code (EANet `self.k`, xmu `S`).
    init(_ r: inout FieldReader) throws(SpecError) { self.init(s: try r.int("S")) }
    func encode(_ f: inout [String: JSONValue]) { f["S"] = s.map { .int($0) } }
}

extension FusionOptions {
    init(_ r: inout FieldReader) throws(SpecError) {
        var gate: FusionGate? = nil
        if let text = try r.string("gate") {
            guard let g = FusionGate(rawValue: text) else {
                throw SpecError("gate", "unknown gate \"\(text)\" (known: \(FusionGate.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            gate = g
        }
        self.init(
            inputs: try r.int("inputs"), reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            gate: gate, interaction: try r.bool("interaction"))
    }
    func encode(_ f: inout [String: JSONValue]) {
        f["inputs"] = inputs.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["gate"] = gate.map { .string($0.rawValue) }
        f["interaction"] = interaction.map { .bool($0) }
    }
}
