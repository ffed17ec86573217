// Global Context block (Cao et al., GCNet, 2019), written in the DSL. Follows timm
// `GlobalContext` (`timm/layers/global_context.py`) and imports GCNet's official `ContextBlock`
// (xvjiarui/GCNet `mmdet/ops/gcb/context_block.py`) under its own names. The math is one:
//   context = Σ_p x[:, p] · softmax_p(conv_attn(x))   (or mean_HW(x) without use_attn),
//   t = fc2(relu(LayerNorm_C(fc1(context)))),
//   y = x · gate(t_scale) (fuse_scale), then + t_add (fuse_add).
// Where they differ:
// - names: official `conv_mask`, `channel_add_conv.{0,1,3}`, `channel_mul_conv.{0,1,3}` (fc1, norm,
//   fc2) for timm's `conv_attn`, `mlp_add.{fc1,norm,fc2}`, `mlp_scale.*`; the official norm's
//   weight is `[planes, 1, 1]`, timm's `[rd]`;
// - defaults: timm fuses by scaling (`fuse_scale`), the paper and the official code by adding
//   (`fusion_types=('channel_add',)`; timm's `gca` is that form). Weights say which fusions exist;
//   a spec alone gets timm's;
// - LayerNorm eps: timm's LayerNorm2d 1e-6, the official nn.LayerNorm 1e-5 (the default for a
//   file with official names);
// - width: timm `make_divisible(C/reduction, rd_divisor, round_limit=0)` (C/8 rounded half up by
//   default), official `int(C·ratio)`; weights say it either way.
// The official `pooling_type='avg'` is `use_attn: false`; the gate is always a sigmoid there.

extension Catalog {
    /// The MLP of one fusion: fc1 → LayerNorm over its rd channels → ReLU → fc2.
    static func globalContextMLP(_ prefix: String, channels: Int, reduced: Int, eps: Double) -> [Layer] {
        build {
            Linear(reduced, bias: true, param: prefix + ".fc1", of: "context")
            Primitive(.layerNorm(param: prefix + ".norm", eps: eps))
            ReLU()
            Linear(channels, bias: true, param: prefix + ".fc2")
        }
    }

    /// `y = x · gate(mlp_scale(ctx)) + mlp_add(ctx)` (each term when its fusion is on), `ctx` the
    /// attention-pooled (or mean) context vector.
    public static func globalContext(
        _ input: InputShape, useAttn: Bool, fuseAdd: Bool, fuseScale: Bool, reduced: Int, eps: Double, gate: SigmoidGate
    ) -> [Layer] {
        let (n, c, hw) = (input.n, input.c, input.h * input.w)
        return build {
            if useAttn {
                Conv2D(1, kernelSize: 1, padding: 0, bias: true, param: "conv_attn", of: "x")
                Softmax(.hw)
                Primitive(.reshape([n, 1, hw, 1])).named("attn")
                Primitive(.reshape([n, 1, c, hw]), "x")
                Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "_", "attn")
                Primitive(.reshape([n, c, 1, 1])).named("context")
            } else {
                GlobalPool(.mean, of: "x").named("context")
            }
            if fuseScale {
                globalContextMLP("mlp_scale", channels: c, reduced: reduced, eps: eps)
                gate.layer
                Multiply("x").named("scaled")
            }
            if fuseAdd {
                globalContextMLP("mlp_add", channels: c, reduced: reduced, eps: eps)
                Add(fuseScale ? "scaled" : "x")
            }
        }
    }
}

/// Global Context hyperparameters as given (timm `GlobalContext`, GCNet `ContextBlock`).
public struct GCOptions: Hashable, Sendable {
    /// Attention pooling (a 1×1 conv and a softmax over pixels); false: the mean. Default true.
    public var useAttn: Bool?
    /// `+ mlp_add(context)`; default false (timm), true in the official code.
    public var fuseAdd: Bool?
    /// `· gate(mlp_scale(context))`; default true (timm), false in the official code.
    public var fuseScale: Bool?
    /// C / rd_ratio; default 8.
    public var reduction: Int?
    /// Wins over `reduction`.
    public var reducedChannels: Int?
    /// Default 1.
    public var rdDivisor: Int?
    /// Default sigmoid.
    public var gateLayer: SigmoidGate?
    /// The LayerNorm's eps; default 1e-6 (timm's LayerNorm2d), 1e-5 for GCNet's names.
    public var eps: Double?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        useAttn: Bool? = nil, fuseAdd: Bool? = nil, fuseScale: Bool? = nil, reduction: Int? = nil, reducedChannels: Int? = nil,
        rdDivisor: Int? = nil, gateLayer: SigmoidGate? = nil, eps: Double? = nil
    ) {
        self.useAttn = useAttn
        self.fuseAdd = fuseAdd
        self.fuseScale = fuseScale
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.gateLayer = gateLayer
        self.eps = eps
    }
}

extension GCOptions: CatalogBlock {
    package static let kind = "gc"
    package static let reference = "timm GlobalContext / GCNet ContextBlock"
    package static let hyperparameters = [
        "use_attn=true", "fuse_add=false (GCNet: true)", "fuse_scale=true (GCNet: false)", "reduction=8", "reduced_channels",
        "rd_divisor=1", "gate_layer=sigmoid", "eps=1e-6 (GCNet: 1e-5)",
    ]
    package static var examples: [BlockSpec] {
        [
            GlobalContextBlock("gc_g1", input: .nchw(2, 24, 5, 3)),
            GlobalContextBlock("gc_g2", input: .nchw(1, 20, 7, 9), GCOptions(fuseAdd: true, fuseScale: false, reduction: 4)),
            GlobalContextBlock(
                "gc_g3", input: .nchw(2, 13, 4, 6),
                GCOptions(useAttn: false, fuseAdd: true, reducedChannels: 3, gateLayer: .hardSigmoid, eps: 1e-5)),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .gcnetContextBlock] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            useAttn: try r.bool("use_attn"), fuseAdd: try r.bool("fuse_add"), fuseScale: try r.bool("fuse_scale"),
            reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"),
            gateLayer: try SigmoidGate.read(&r, "gate_layer"), eps: try r.double("eps"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["use_attn"] = useAttn.map { .bool($0) }
        f["fuse_add"] = fuseAdd.map { .bool($0) }
        f["fuse_scale"] = fuseScale.map { .bool($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["eps"] = eps.map { .double($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let (add, scale) = (fuseAdd ?? false, fuseScale ?? true)
        guard add || scale else {
            throw SpecError("fuse_add", "and fuse_scale are both false: the block would return x; set at least one")
        }
        let rd = try Rules.timmReducedWidth(input.c, reduction: reduction, reduced: reducedChannels, divisor: rdDivisor, defaultReduction: 8)
        let eps = eps ?? 1e-6
        try Rules.positiveFloat32(eps, "eps")
        try Rules.fits([input.n, input.c, input.h * input.w], "input", "the context's view of x")
        return Catalog.globalContext(
            input, useAttn: useAttn ?? true, fuseAdd: add, fuseScale: scale, reduced: rd, eps: eps, gate: gateLayer ?? .sigmoid)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.useAttn = try w.bias("conv_attn.weight", given: useAttn, field: "use_attn")
        o.fuseAdd = try w.bias("mlp_add.fc1.weight", given: fuseAdd, field: "fuse_add")
        o.fuseScale = try w.bias("mlp_scale.fc1.weight", given: fuseScale, field: "fuse_scale")
        let fc1 = o.fuseScale == true ? "mlp_scale.fc1.weight" : "mlp_add.fc1.weight"
        if let dims = w.dims(fc1), let rd = dims.first {
            if let stated = reducedChannels, stated != rd {
                throw SpecError("reduced_channels", "is \(stated) but \(w.source) has \"\(w.displayName(fc1))\" of shape \(dims)")
            }
            if reducedChannels == nil, reduction != nil || rdDivisor != nil,
                let expected = try? Rules.timmReducedWidth(input.c, reduction: reduction, reduced: nil, divisor: rdDivisor, defaultReduction: 8),
                expected != rd
            {
                throw SpecError(
                    reduction != nil ? "reduction" : "rd_divisor",
                    "gives rd = \(expected) but \(w.source) has \"\(w.displayName(fc1))\" of shape \(dims)")
            }
            o.reducedChannels = rd
        }
        if o.eps == nil, w.schemeLabel == NameScheme.gcnetContextBlock.label { o.eps = 1e-5 }
        return o
    }
}

extension NameScheme {
    /// GCNet's official `ContextBlock`: `conv_mask`, and `nn.Sequential` MLPs (conv, LayerNorm,
    /// ReLU, conv) named by position.
    static let gcnetContextBlock = NameScheme(
        label: "GCNet ContextBlock",
        renames: [
            ("conv_mask.", "conv_attn."),
            ("channel_add_conv.0.", "mlp_add.fc1."), ("channel_add_conv.1.", "mlp_add.norm."), ("channel_add_conv.3.", "mlp_add.fc2."),
            ("channel_mul_conv.0.", "mlp_scale.fc1."), ("channel_mul_conv.1.", "mlp_scale.norm."), ("channel_mul_conv.3.", "mlp_scale.fc2."),
        ],
        swappedPlanes: [])
}

/// A Global Context block (`kind: "gc"`).
public func GlobalContextBlock(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: GCOptions = GCOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
