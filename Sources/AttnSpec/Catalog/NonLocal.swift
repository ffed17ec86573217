// Non-local attention, written in the DSL. Follows timm `NonLocalAttn`
// (timm/layers/non_local_attn.py), itself adapted from the BAT authors' image-classification code:
//   t, p, g = 1×1 convs C → rd (biases), each viewed as [rd, H·W]
//   y = x + BN(z(g · softmax(scale · tᵀp)ᵀ))      (softmax over the H·W keys, z a 1×1 conv rd → C)
// The scale is C^−½ of the block's *input* channels, not rd^−½ as in scaled dot-product
// attention (`use_scale=False` gives 1). The fused `attention` op streams the softmax, so the
// HW×HW map is never stored. timm zero-initialises the norm's weight and bias, so a freshly
// built block is the identity: only trained (or randomised) weights show the attention term.

extension Catalog {
    /// The block above with `rd` channels in t, p, g and attention scale `scale`.
    public static func nonLocal(_ input: InputShape, reduced rd: Int, scale: Double) -> [Layer] {
        let (n, hw) = (input.n, input.h * input.w)
        return build {
            Conv2D(rd, kernelSize: 1, bias: true, param: "t", of: "x")
            Primitive(.reshape([n, 1, rd, hw])).named("t_rows")
            Conv2D(rd, kernelSize: 1, bias: true, param: "p", of: "x")
            Primitive(.reshape([n, 1, rd, hw])).named("p_rows")
            Conv2D(rd, kernelSize: 1, bias: true, param: "g", of: "x")
            Primitive(.reshape([n, 1, rd, hw])).named("g_rows")
            Primitive(.attention(scale: scale), "t_rows", "p_rows", "g_rows")
            Primitive(.reshape([n, rd, input.h, input.w]))
            Conv2D(input.c, kernelSize: 1, bias: true, param: "z")
            BatchNorm(param: "norm")
            Add("x")
        }
    }
}

/// Non-local attention hyperparameters as given (timm `NonLocalAttn`).
public struct NonLocalOptions: Hashable, Sendable {
    /// `1 / rd_ratio`; default 8.
    public var reduction: Int?
    /// The width of t, p and g; wins over `reduction`.
    public var reducedChannels: Int?
    /// `make_divisible`'s divisor; default 8.
    public var rdDivisor: Int?
    /// Scales the logits by C^−½; default true.
    public var useScale: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil, useScale: Bool? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.useScale = useScale
    }

    /// `reduced_channels`, else timm's `make_divisible(C / reduction, rd_divisor)` with its
    /// default round limit 0.9.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        try Rules.timmReducedWidth(
            c, reduction: reduction, reduced: reducedChannels, divisor: rdDivisor, defaultReduction: 8, defaultDivisor: 8,
            roundLimit: 0.9)
    }
}

extension NonLocalOptions: CatalogBlock {
    package static let kind = "nl"
    package static let reference = "timm NonLocalAttn"
    package static let hyperparameters = ["reduction=8", "reduced_channels", "rd_divisor=8", "use_scale=true"]
    package static var examples: [BlockSpec] {
        [
            NonLocalAttention("nl_g1", input: .nchw(2, 16, 5, 7)),
            NonLocalAttention("nl_g2", input: .nchw(1, 24, 3, 9), NonLocalOptions(reducedChannels: 5, useScale: false)),
            NonLocalAttention("nl_g3", input: .nchw(1, 40, 1, 1), NonLocalOptions(reduction: 4, rdDivisor: 4)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), useScale: try r.bool("use_scale"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["use_scale"] = useScale.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        try Rules.fits([input.c, rd], "input.c", "z.weight")
        let scale = (useScale ?? true) ? 1 / Double(input.c).squareRoot() : 1
        return Catalog.nonLocal(input, reduced: rd, scale: scale)
    }

    /// The width is in the file (`t.weight`); a stated one must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        guard let dims = w.dims("t.weight"), let rd = dims.first else { return o }
        let stated = try reducedWidth(input.c)
        let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil),
                     ("rd_divisor", rdDivisor != nil)].first { $0.1 }
        if let given, stated != rd {
            throw SpecError(
                given.0, "gives \(stated) channels but \(w.source) has \"\(w.displayName("t.weight"))\" of shape \(dims)")
        }
        o.reducedChannels = rd
        return o
    }
}

/// A non-local attention block (`kind: "nl"`).
public func NonLocalAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: NonLocalOptions = NonLocalOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
