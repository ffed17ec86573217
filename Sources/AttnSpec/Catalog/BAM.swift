// BAM (Park et al., BMVC 2018), written in the DSL. Follows the official Jongchan/attention-module
// `MODELS/bam.py` (with its NameError line removed), not the paper: the two branches combine by
// product, `att = 1 + σ(Mc ⊙ Ms)`, where the paper writes a sum, and the channel MLP has a
// BatchNorm1d after its first Linear. The official channel pool is `avg_pool2d(kernel = H)`, which
// only equals the global mean (and only runs) when H == W, so other shapes are refused.

/// BAM hyperparameters (official `ChannelGate`/`SpatialGate` arguments).
public struct BAMOptions: Hashable, Sendable {
    /// r of both gates: C / r hidden units and reduced channels; default 16.
    public var reduction: Int?
    /// Hidden width of both gates; wins over `reduction`.
    public var reducedChannels: Int?
    /// Dilation (and padding) of the spatial branch's 3×3 convs; default 4.
    public var dilationVal: Int?
    /// Number of dilated 3×3 convs; default 2.
    public var dilationConvNum: Int?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(reduction: Int? = nil, reducedChannels: Int? = nil, dilationVal: Int? = nil, dilationConvNum: Int? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.dilationVal = dilationVal
        self.dilationConvNum = dilationConvNum
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try Rules.reducedWidth(input.c, reduction: reduction, reduced: reducedChannels)
        let dilation = dilationVal ?? 4
        let convs = dilationConvNum ?? 2
        try Rules.atLeast(1, dilation, "dilation_val")
        try Rules.atLeast(0, convs, "dilation_conv_num")
        guard convs <= 64 else { throw SpecError("dilation_conv_num", "must be at most 64, got \(convs)") }
        try Rules.fits([input.n, rd, input.h, input.w], reducedChannels != nil ? "reduced_channels" : "reduction", "the spatial branch")
        try Rules.fits([rd, rd, 3, 3], reducedChannels != nil ? "reduced_channels" : "reduction", "each dilated conv's weight")
        var tables = TapTables()
        for _ in 0..<convs {
            try tables.add(inPerGroup: rd, kernel: 3, stride: 1, outChannels: rd, reducedChannels != nil ? "reduced_channels" : "reduction")
        }
        // Each dilated 3×3 conv reads rd channels padded by the dilation on every side.
        try Rules.paddedPlane(channels: rd, h: input.h, w: input.w, padding: dilation, "dilation_val", "\(dilation)")
        guard input.h == input.w else {
            throw SpecError(
                "input", "bam needs H == W: the official channel gate pools with avg_pool2d(kernel = H), got \(input.h)×\(input.w)")
        }
        return Catalog.bam(channels: input.c, reduced: rd, dilation: dilation, dilatedConvs: convs)
    }
}

extension Catalog {
    /// `y = x + x ⊙ σ(Mc ⊙ Ms)`, i.e. `(1 + σ(Mc ⊙ Ms)) ⊙ x`: Mc = MLP(mean_HW x) [N,C,1,1],
    /// Ms = 1×1 → (dilated 3×3)×n → 1×1 convs [N,1,H,W], each but the last with BN and ReLU.
    public static func bam(channels: Int, reduced: Int, dilation: Int, dilatedConvs: Int) -> [Layer] {
        let gateC = "channel_att.gate_c."
        let gateS = "spatial_att.gate_s."
        return build {
            GlobalPool(.mean)
            Linear(reduced, bias: true, param: gateC + "gate_c_fc_0")
            BatchNorm(param: gateC + "gate_c_bn_1")
            ReLU()
            Linear(channels, bias: true, param: gateC + "gate_c_fc_final").named("mc")
            Conv2D(reduced, kernelSize: 1, padding: 0, bias: true, param: gateS + "gate_s_conv_reduce0", of: "x")
            BatchNorm(param: gateS + "gate_s_bn_reduce0")
            ReLU()
            for i in 0..<dilatedConvs {
                Conv2D(reduced, kernelSize: 3, padding: dilation, dilation: dilation, bias: true, param: gateS + "gate_s_conv_di_\(i)")
                BatchNorm(param: gateS + "gate_s_bn_di_\(i)")
                ReLU()
            }
            Conv2D(1, kernelSize: 1, padding: 0, bias: true, param: gateS + "gate_s_conv_final")
            Multiply("mc")
            Sigmoid()
            // (1 + σ)·x as x·σ + x: no constant op needed, and within an ulp of PyTorch's order.
            Multiply("x")
            Add("x")
        }
    }
}

extension BAMOptions: CatalogBlock {
    package static let kind = "bam"
    package static let reference = "Jongchan BAM (product form)"
    package static let hyperparameters = ["reduction=16", "reduced_channels", "dilation_val=4", "dilation_conv_num=2"]
    package static var examples: [BlockSpec] {
        [
            BAM("bam_g1", input: .nchw(2, 32, 8, 8)),
            BAM("bam_g2", input: .nchw(1, 16, 5, 5), BAMOptions(reduction: 4, dilationVal: 2, dilationConvNum: 1)),
            BAM("bam_g3", input: .nchw(1, 24, 7, 7), BAMOptions(reducedChannels: 5, dilationConvNum: 3)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            dilationVal: try r.int("dilation_val"), dilationConvNum: try r.int("dilation_conv_num"))
    }
    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["dilation_val"] = dilationVal.map { .int($0) }
        f["dilation_conv_num"] = dilationConvNum.map { .int($0) }
    }
}

/// A Bottleneck Attention Module (`kind: "bam"`).
public func BAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: BAMOptions = BAMOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
