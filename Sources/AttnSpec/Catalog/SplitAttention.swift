// Split Attention (Zhang et al., ResNeSt, 2020), written in the DSL. Follows timm `SplitAttn`
// (timm/layers/split_attn.py), ResNeSt's `conv2` with its attention, and its state_dict names
// (`conv`, `bn0`, `fc1`, `bn1`, `fc2`):
//   u   = act0(bn0(conv(x)))            a k×k conv with groups·radix groups, radix·out channels
//   g   = mean_HW(Σ_r u_r)              u_r the r-th block of `out` channels of u
//   t   = fc2(act1(bn1(fc1(g))))        1×1 convs with bias and `groups` groups
//   a   = RadixSoftmax(t)               softmax across the radix splits of each channel; a
//                                       sigmoid when radix is 1
//   y   = Σ_r a_r ⊙ u_r                 [N, out, H', W']
// The mean is taken of each split before the sum (the same number as the sum's mean, one pass
// fewer over u). fc2's outputs are grouped as [groups, radix, out/groups], which RadixSoftmax
// reads as radix-major [radix, out] after its transpose; the kind does the same with a reshape
// and a transpose of the small vector. Where timm and the paper's code differ: timm's attention
// width is `make_divisible(in·radix/reduction, rd_divisor, min_value=32)` (the official code's
// `max(in·radix/reduction, 32)`), and a stated `rd_channels` is multiplied by radix. timm's
// default `norm_layer` is none, ResNeSt's BatchNorm: weights say which. ResNeSt hands the
// block's stride to an average pool (`avd`), so its SplitAttn convs run at stride 1.

extension Catalog {
    /// The Split Attention conv block above. `attn` is fc1's width (timm's `attn_chs`).
    public static func splitAttention(
        _ input: InputShape, outChannels out: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int,
        bias: Bool, radix: Int, attn: Int, norm: Bool, act: Activation
    ) -> [Layer] {
        let mid = out * radix
        let splits = (0..<radix).map { "u\($0)" }
        return build {
            Conv2D(mid, kernelSize: kernel, padding: padding, dilation: dilation, stride: stride, groups: groups * radix,
                bias: bias, param: "conv", of: "x")
            if norm { BatchNorm(param: "bn0") }
            act.layer.named("u")
            GlobalPool(.mean).named("gap")
            if radix > 1 {
                for r in 0..<radix {
                    Primitive(.slice(start: r * out, count: out), "gap").named("g\(r)")
                }
                sum((0..<radix).map { "g\($0)" })
            }
            if groups == 1 {
                Linear(attn, bias: true, param: "fc1")
            } else {
                Conv2D(attn, kernelSize: 1, padding: 0, groups: groups, bias: true, param: "fc1")
            }
            if norm { BatchNorm(param: "bn1") }
            act.layer
            if groups == 1 {
                Linear(mid, bias: true, param: "fc2")
            } else {
                Conv2D(mid, kernelSize: 1, padding: 0, groups: groups, bias: true, param: "fc2")
            }
            if radix == 1 {
                Sigmoid()
                Multiply("u")
            } else {
                // [groups, radix, out/groups] → [radix, groups, out/groups], softmax across radix.
                if groups == 1 {
                    Primitive(.reshape([input.n, radix, out, 1]))
                } else {
                    Primitive(.reshape([input.n, groups, radix, out / groups]))
                    Primitive(.transpose([0, 2, 1, 3]))
                }
                Softmax(.c)
                Primitive(.reshape([input.n, mid, 1, 1])).named("a")
                for r in 0..<radix {
                    Primitive(.slice(start: r * out, count: out), "u").named(splits[r])
                    Primitive(.slice(start: r * out, count: out), "a")
                    Multiply(splits[r]).named("s\(r)")
                }
                sum((0..<radix).map { "s\($0)" })
            }
        }
    }
}

/// The norm after the conv and after fc1 (`bn0`, `bn1`).
public enum SplatNorm: String, Hashable, Sendable, CaseIterable {
    /// Eval-mode BatchNorm2d (ResNeSt's `norm_layer`).
    case batchnorm
    /// None: timm's `norm_layer=None` default.
    case none
}

/// Split Attention hyperparameters as given (timm `SplitAttn` constructor arguments;
/// `reduction` is 1/rd_ratio, `reduced_channels` is rd_channels).
public struct SplatOptions: Hashable, Sendable {
    /// Output channels; default C.
    public var outChannels: Int?
    /// Side of the conv's square kernel; default 3.
    public var kernelSize: Int?
    /// Default 1.
    public var stride: Int?
    /// Zeros on every side; default kernel_size / 2 (timm's, whatever the dilation).
    public var padding: Int?
    /// Default 1.
    public var dilation: Int?
    /// The cardinality: the conv has groups·radix groups, fc1 and fc2 `groups`; default 1.
    public var groups: Int?
    /// A bias on the conv; default false.
    public var bias: Bool?
    /// Splits attended over; 1 gates with a sigmoid. Default 2.
    public var radix: Int?
    /// 1/rd_ratio: fc1 is make_divisible(C·radix/reduction, rd_divisor, min 32) wide; default 4.
    public var reduction: Int?
    /// timm's rd_channels: fc1 is reduced_channels·radix wide. Wins over `reduction`.
    public var reducedChannels: Int?
    /// Default 8.
    public var rdDivisor: Int?
    /// act0 and act1; default relu.
    public var actLayer: Activation?
    /// Default none (timm's SplitAttn); ResNeSt's blocks use batchnorm, which weights tell.
    public var normLayer: SplatNorm?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        outChannels: Int? = nil, kernelSize: Int? = nil, stride: Int? = nil, padding: Int? = nil, dilation: Int? = nil,
        groups: Int? = nil, bias: Bool? = nil, radix: Int? = nil, reduction: Int? = nil, reducedChannels: Int? = nil,
        rdDivisor: Int? = nil, actLayer: Activation? = nil, normLayer: SplatNorm? = nil
    ) {
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.bias = bias
        self.radix = radix
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.actLayer = actLayer
        self.normLayer = normLayer
    }

    /// fc1's width (timm's attn_chs) for `c` input channels and `radix` splits.
    func attentionWidth(_ c: Int, radix: Int) throws(SpecError) -> Int {
        if let rd = reducedChannels {
            try Rules.atLeast(1, rd, "reduced_channels")
            try Rules.fits([rd, radix], "reduced_channels", "fc1's width (reduced_channels·radix)")
            return rd * radix
        }
        let r = reduction ?? 4, d = rdDivisor ?? 8
        try Rules.atLeast(1, r, "reduction")
        try Rules.atLeast(1, d, "rd_divisor")
        let attn = Rules.makeDivisible(Double(c) * Double(radix) / Double(r), divisor: d, roundLimit: 0.9, minValue: 32)
        try Rules.fits([attn], rdDivisor != nil ? "rd_divisor" : "reduction", "fc1's width")
        return attn
    }
}

extension SplatOptions: CatalogBlock {
    package static let kind = "splat"
    package static let reference = "timm SplitAttn (ResNeSt)"
    package static let hyperparameters = [
        "out_channels=C", "kernel_size=3", "stride=1", "padding=kernel_size/2", "dilation=1", "groups=1", "bias=false",
        "radix=2", "reduction=4", "reduced_channels", "rd_divisor=8", "act_layer=relu", "norm_layer=none (ResNeSt: batchnorm)",
    ]
    package static var examples: [BlockSpec] {
        [
            SplitAttention("splat_g1", input: .nchw(2, 16, 7, 5)),
            SplitAttention("splat_g2", input: .nchw(1, 24, 6, 9), SplatOptions(outChannels: 16, groups: 2, radix: 1, normLayer: .batchnorm)),
            SplitAttention(
                "splat_g3", input: .nchw(2, 12, 9, 7),
                SplatOptions(
                    outChannels: 20, kernelSize: 5, stride: 2, dilation: 2, groups: 2, bias: true, reducedChannels: 6, actLayer: .silu,
                    normLayer: .batchnorm)),
            SplitAttention("splat_g4", input: .nchw(1, 8, 5, 6), SplatOptions(padding: 0, radix: 4, rdDivisor: 4)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        var norm: SplatNorm?
        if let text = try r.string("norm_layer") {
            guard let n = SplatNorm(rawValue: text) else {
                throw SpecError("norm_layer", "unknown norm \"\(text)\" (known: batchnorm, none)")
            }
            norm = n
        }
        self.init(
            outChannels: try r.int("out_channels"), kernelSize: try r.int("kernel_size"), stride: try r.int("stride"),
            padding: try r.int("padding"), dilation: try r.int("dilation"), groups: try r.int("groups"), bias: try r.bool("bias"),
            radix: try r.int("radix"), reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), actLayer: try Activation.read(&r, "act_layer"), normLayer: norm)
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["out_channels"] = outChannels.map { .int($0) }
        f["kernel_size"] = kernelSize.map { .int($0) }
        f["stride"] = stride.map { .int($0) }
        f["padding"] = padding.map { .int($0) }
        f["dilation"] = dilation.map { .int($0) }
        f["groups"] = groups.map { .int($0) }
        f["bias"] = bias.map { .bool($0) }
        f["radix"] = radix.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
        f["norm_layer"] = normLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let out = outChannels ?? input.c
        let k = kernelSize ?? 3
        let stride = stride ?? 1, dilation = dilation ?? 1, groups = groups ?? 1, radix = radix ?? 2
        try Rules.atLeast(1, out, "out_channels")
        try Rules.atLeast(1, k, "kernel_size")
        guard k <= maxKernelSize else { throw SpecError("kernel_size", "must be at most \(maxKernelSize), got \(k)") }
        try Rules.atLeast(1, stride, "stride")
        try Rules.atLeast(1, dilation, "dilation")
        try Rules.atLeast(1, groups, "groups")
        try Rules.atLeast(1, radix, "radix")
        let pad = padding ?? k / 2
        try Rules.atLeast(0, pad, "padding")
        // The conv: groups·radix groups over C in and radix·out channels out.
        let convGroups = groups * radix
        guard input.c % convGroups == 0 else {
            throw SpecError(
                self.groups != nil && groups > 1 ? "groups" : "radix",
                "groups·radix = \(groups)·\(radix) = \(convGroups) (the conv's groups) must divide C (\(input.c))")
        }
        try Rules.divides(groups, out, "out_channels", "groups")
        try Rules.fits(
            [out, radix], self.radix != nil && outChannels == nil ? "radix" : "out_channels", "the conv's radix·out_channels outputs")
        let mid = out * radix
        try Rules.paddedPlane(
            channels: input.c, h: input.h, w: input.w, padding: pad, padding != nil ? "padding" : "kernel_size",
            "padding \(pad)")
        // A window that does not fit: the dilation's doing when it is stated, else the kernel's.
        let window = self.dilation != nil ? "dilation" : "kernel_size"
        let oh = try Rules.convExtent(input.h, kernel: k, padding: pad, dilation: dilation, stride: stride, window)
        let ow = try Rules.convExtent(input.w, kernel: k, padding: pad, dilation: dilation, stride: stride, window)
        try Rules.fits([mid, input.c / convGroups, k, k], "out_channels", "conv.weight")
        try Rules.fits([input.n, mid, oh, ow], "out_channels", "the conv's output")
        var tables = TapTables()
        try tables.add(inPerGroup: input.c / convGroups, kernel: k, stride: stride, outChannels: mid, "kernel_size")
        let attn = try attentionWidth(input.c, radix: radix)
        guard attn % groups == 0 else {
            throw SpecError(
                reducedChannels != nil ? "reduced_channels" : "groups",
                "fc1's width \(attn) (timm's attn_chs) must be a multiple of groups (\(groups)): fc1 and fc2 are grouped convs")
        }
        try Rules.fits([attn, out / groups], reducedChannels != nil ? "reduced_channels" : "reduction", "fc1.weight")
        try Rules.fits([mid, attn / groups], reducedChannels != nil ? "reduced_channels" : "reduction", "fc2.weight")
        return Catalog.splitAttention(
            input, outChannels: out, kernel: k, stride: stride, padding: pad, dilation: dilation, groups: groups,
            bias: bias ?? false, radix: radix, attn: attn, norm: (normLayer ?? SplatNorm.none) == .batchnorm, act: actLayer ?? .relu)
    }

    /// The kernel, the conv bias, the norm, out_channels (conv.weight's radix·out rows) and fc1's
    /// width are in the file; radix and groups are not (only their product is), so they are stated.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        guard let conv = w.dims("conv.weight") else { return self }
        var o = self
        let radix = radix ?? 2
        o.kernelSize = try w.kernel("conv.weight", given: kernelSize, field: "kernel_size")
        o.bias = try w.bias("conv.bias", given: bias)
        if o.normLayer == nil { o.normLayer = w.has("bn0.weight") ? .batchnorm : SplatNorm.none }
        if o.outChannels == nil, radix >= 1, let mid = conv.first, mid % radix == 0 { o.outChannels = mid / radix }
        if let dims = w.dims("fc1.weight"), let attn = dims.first, radix >= 1 {
            let stated = try? attentionWidth(input.c, radix: radix)
            let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil), ("rd_divisor", rdDivisor != nil)]
                .first { $0.1 }
            if let given, let stated, stated != attn {
                throw SpecError(
                    given.0, "gives fc1 \(stated) channels but \(w.source) has \"\(w.displayName("fc1.weight"))\" of shape \(dims)")
            }
            if given == nil, stated != attn, attn % radix == 0 { o.reducedChannels = attn / radix }
        }
        return o
    }
}

/// A Split Attention conv block, timm's `SplitAttn` (`kind: "splat"`).
public func SplitAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SplatOptions = SplatOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
