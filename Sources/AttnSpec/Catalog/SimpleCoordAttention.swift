// Simple Coordinate Attention, written in the DSL. Follows timm `SimpleCoordAttn`
// (timm/layers/coord_attn.py): Linear layers `fc1`, `fc_h`, `fc_w` in place of CoordAttn's 1×1
// convs, no norm, and the two strips added before one gate instead of two gates multiplied:
// `y = x · gate(fc_h(act(fc1(mean_W x))) + fc_w(act(fc1(mean_H x))))`. A Linear over C at each
// position of a strip is a 1×1 conv there: its `[rd, C]` weight imports as `[rd, C, 1, 1]`.
// timm's own variant; there is no paper block of this form.

extension Catalog {
    /// The block above (`+ x` with `hasSkip`), the H strip broadcast along W and the W strip along H.
    public static func simpleCoordAttention(
        channels: Int, reduced: Int, bias: Bool, act: Activation, gate: Activation, hasSkip: Bool
    ) -> [Layer] {
        build {
            Primitive(.axisPool(.mean, axis: .w), "x")
            Conv2D(reduced, kernelSize: 1, bias: bias, param: "fc1")
            act.layer
            Conv2D(channels, kernelSize: 1, bias: bias, param: "fc_h").named("a_h")
            Primitive(.axisPool(.mean, axis: .h), "x")
            Conv2D(reduced, kernelSize: 1, bias: bias, param: "fc1")
            act.layer
            Conv2D(channels, kernelSize: 1, bias: bias, param: "fc_w")
            Add("a_h")
            gate.layer
            Multiply("x")
            if hasSkip { Add("x") }
        }
    }
}

/// Simple Coordinate Attention hyperparameters as given (timm `SimpleCoordAttn`).
public struct SimpleCoordOptions: Hashable, Sendable {
    /// `1 / rd_ratio`; default 4.
    public var reduction: Int?
    /// The hidden width of the strips' fc; wins over `reduction`.
    public var reducedChannels: Int?
    /// `make_divisible`'s divisor; default 8.
    public var rdDivisor: Int?
    /// The factor on `C / reduction`; default 2/3.
    public var seFactor: Double?
    /// Biases on the three Linear layers; default true.
    public var bias: Bool?
    /// Default silu.
    public var actLayer: Activation?
    /// Default sigmoid.
    public var gateLayer: Activation?
    /// Adds the input to the output; default false.
    public var hasSkip: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil, seFactor: Double? = nil,
        bias: Bool? = nil, actLayer: Activation? = nil, gateLayer: Activation? = nil, hasSkip: Bool? = nil
    ) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.seFactor = seFactor
        self.bias = bias
        self.actLayer = actLayer
        self.gateLayer = gateLayer
        self.hasSkip = hasSkip
    }

    /// `reduced_channels`, else `make_divisible(C / reduction · se_factor, rd_divisor)`.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        try CoordOptions(
            variant: .timm, reduction: reduction ?? 4, reducedChannels: reducedChannels, rdDivisor: rdDivisor,
            seFactor: seFactor
        ).reducedWidth(c)
    }
}

extension SimpleCoordOptions: CatalogBlock {
    package static let kind = "scoord"
    package static let reference = "timm SimpleCoordAttn"
    package static let hyperparameters = [
        "reduction=4", "reduced_channels", "rd_divisor=8", "se_factor=2/3", "bias=true", "act_layer=silu",
        "gate_layer=sigmoid", "has_skip=false",
    ]
    package static var examples: [BlockSpec] {
        [
            SimpleCoordAttention("scoord_g1", input: .nchw(2, 24, 5, 7)),
            SimpleCoordAttention(
                "scoord_g2", input: .nchw(1, 40, 9, 4),
                SimpleCoordOptions(reducedChannels: 6, bias: false, actLayer: .hardSwish, gateLayer: .hardSigmoid, hasSkip: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), seFactor: try r.double("se_factor"), bias: try r.bool("bias"),
            actLayer: try Activation.read(&r, "act_layer"), gateLayer: try Activation.read(&r, "gate_layer"),
            hasSkip: try r.bool("has_skip"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["se_factor"] = seFactor.map { .double($0) }
        f["bias"] = bias.map { .bool($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["has_skip"] = hasSkip.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        try Rules.fits([input.c, rd], "input.c", "fc_h.weight")
        return Catalog.simpleCoordAttention(
            channels: input.c, reduced: rd, bias: bias ?? true, act: actLayer ?? .silu, gate: gateLayer ?? .sigmoid,
            hasSkip: hasSkip ?? false)
    }

    /// The width and the biases are in the file; stated ones must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        guard let dims = w.dims("fc1.weight"), let rd = dims.first else { return o }
        let stated = try reducedWidth(input.c)
        let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil),
                     ("rd_divisor", rdDivisor != nil), ("se_factor", seFactor != nil)].first { $0.1 }
        if let given, stated != rd {
            throw SpecError(
                given.0,
                "gives \(stated) channels but \(w.source) has \"\(w.displayName("fc1.weight"))\" of shape \(dims)")
        }
        o.reducedChannels = rd
        o.bias = try w.bias("fc1.bias", given: bias)
        return o
    }
}

/// A Simple Coordinate Attention block (`kind: "scoord"`).
public func SimpleCoordAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SimpleCoordOptions = SimpleCoordOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
