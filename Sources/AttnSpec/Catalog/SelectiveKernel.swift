// Selective Kernel convolution (Li et al., CVPR 2019), written in the DSL. Follows timm's
// `SelectiveKernel` (timm/layers/selective_kernel.py), which differs from the paper in two
// defaults: `split_input` feeds path m only the m-th C/M input channels, and `keep_3x3` makes a
// k×k path a 3×3 with dilation (k−1)/2. The attention width is timm's
// `make_divisible(out · 1/reduction, rd_divisor)` (round limit 0.9), the paper's `max(C/r, L)`
// when rd_divisor = L = 32. `fc_select`'s outputs are path-major: the first C belong to path 0.

/// SK hyperparameters (timm constructor arguments; `reduction` is 1/rd_ratio, `reduced_channels`
/// is rd_channels).
public struct SKOptions: Hashable, Sendable {
    /// Default C.
    public var outChannels: Int?
    /// One odd kernel size per path, at least two paths; default [3, 5].
    public var kernelSize: [Int]?
    /// Stride of every path conv; default 1.
    public var stride: Int?
    /// Dilation of every path conv (before `keep3x3` turns k×k into dilated 3×3); default 1.
    public var dilation: Int?
    /// Groups of each path conv (timm clamps it to out_channels); default 1.
    public var groups: Int?
    /// timm's 1 / rd_ratio: the attention width is make_divisible(out / r, rd_divisor); default 16.
    public var reduction: Int?
    /// The attention width itself (timm's rd_channels); wins over `reduction`.
    public var reducedChannels: Int?
    /// The multiple the attention width is rounded to; default 8.
    public var rdDivisor: Int?
    /// Run a k×k path as a 3×3 conv with dilation (k − 1) / 2, as timm does; default true.
    public var keep3x3: Bool?
    /// Feed path m only the m-th C/M input channels, as timm does; default true.
    public var splitInput: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        outChannels: Int? = nil, kernelSize: [Int]? = nil, stride: Int? = nil, dilation: Int? = nil, groups: Int? = nil,
        reduction: Int? = nil, reducedChannels: Int? = nil, rdDivisor: Int? = nil, keep3x3: Bool? = nil, splitInput: Bool? = nil
    ) {
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.groups = groups
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.keep3x3 = keep3x3
        self.splitInput = splitInput
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let out = outChannels ?? input.c
        let kernels = kernelSize ?? [3, 5]
        let stride = stride ?? 1, dilation = dilation ?? 1
        try Rules.atLeast(1, out, "out_channels")
        try Rules.atLeast(1, stride, "stride")
        try Rules.atLeast(1, dilation, "dilation")
        guard kernels.count >= 2, kernels.count <= 16 else {
            throw SpecError("kernel_size", "must list 2 to 16 kernel sizes (one per path), got \(kernels.count)")
        }
        let paths = kernels.count
        var pathConvs: [Catalog.SKPath] = []
        for (m, k) in kernels.enumerated() {
            // timm asserts k ≥ 3 and odd (keep_3x3 turns k = 1 into dilation 0).
            guard k >= 3 else { throw SpecError("kernel_size[\(m)]", "must be an odd number ≥ 3, got \(k)") }
            try Rules.oddKernelSize(k, "kernel_size[\(m)]")
            let (kk, dd) = keep3x3 ?? true ? (3, dilation * (k - 1) / 2) : (k, dilation)
            // timm's get_padding for its "same"-style default.
            let pad = ((stride - 1) + dd * (kk - 1)) / 2
            // The user's field behind most of the padding: stride's share, else dilation's.
            let padField = self.stride != nil && stride - 1 >= dd * (kk - 1) ? "stride" : self.dilation != nil ? "dilation" : "kernel_size[\(m)]"
            try Rules.paddedPlane(
                channels: input.c, h: input.h, w: input.w, padding: pad, padField,
                "\(padField == "stride" ? stride : padField == "dilation" ? dilation : k) (stride \(stride), dilation \(dilation), "
                    + "kernel_size[\(m)] = \(k): a \(kk)×\(kk) conv, dilation \(dd), padding \(pad))")
            _ = try Rules.convExtent(min(input.h, input.w), kernel: kk, padding: pad, dilation: dd, stride: stride, "kernel_size[\(m)]")
            pathConvs.append(Catalog.SKPath(kernel: kk, dilation: dd, padding: pad))
        }
        let split = splitInput ?? true
        if split { try Rules.divides(paths, input.c, "C", "kernel_size (its path count)") }
        let pathIn = split ? input.c / paths : input.c
        let groups = min(out, groups ?? 1)
        try Rules.divides(groups, pathIn, split ? "C/paths" : "C", "groups")
        try Rules.divides(groups, out, "out_channels", "groups")
        let rd: Int
        if let given = reducedChannels {
            try Rules.atLeast(1, given, "reduced_channels")
            rd = given
        } else {
            let r = reduction ?? 16, divisor = rdDivisor ?? 8
            try Rules.atLeast(1, r, "reduction")
            try Rules.atLeast(1, divisor, "rd_divisor")
            rd = makeDivisible(Double(out) * (1 / Double(r)), divisor: divisor)
        }
        // Every path's output [N, out, H', W'], its conv weight, and fc_select's M·out × rd.
        let oh = try Rules.convExtent(input.h, kernel: pathConvs[0].kernel, padding: pathConvs[0].padding, dilation: pathConvs[0].dilation, stride: stride, "stride")
        let ow = try Rules.convExtent(input.w, kernel: pathConvs[0].kernel, padding: pathConvs[0].padding, dilation: pathConvs[0].dilation, stride: stride, "stride")
        try Rules.fits([input.n, out, oh, ow], "out_channels", "each path's output")
        var tables = TapTables()
        for (m, p) in pathConvs.enumerated() {
            try Rules.fits([out, pathIn / groups, p.kernel, p.kernel], "out_channels", "paths.\(m).conv.weight")
            try tables.add(inPerGroup: pathIn / groups, kernel: p.kernel, stride: stride, outChannels: out, "kernel_size[\(m)]")
        }
        let rdField = reducedChannels != nil ? "reduced_channels" : rdDivisor != nil ? "rd_divisor" : "out_channels"
        try Rules.fits([paths, out, rd], rdField, "attn.fc_select.weight")
        try Rules.fits([input.n, paths, out], "out_channels", "the path attention")
        return Catalog.selectiveKernel(
            input, outChannels: out, paths: pathConvs, stride: stride, groups: groups, splitInput: split, reduced: rd)
    }
}

/// timm's `make_divisible(v, divisor)` with its defaults (min_value = divisor, round_limit 0.9).
func makeDivisible(_ v: Double, divisor: Int) -> Int {
    var rounded = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * v { rounded += divisor }
    return rounded
}

extension Catalog {
    /// One SK path's conv geometry.
    public struct SKPath: Hashable, Sendable {
        /// Kernel side, dilation and padding of the path's conv after `keep3x3` is applied.
        public var kernel, dilation, padding: Int
    }

    /// `U_m = relu(BN(conv_m(x or its m-th channel block)))`, `a = softmax over m of
    /// fc_select(relu(BN(fc_reduce(mean_HW Σ_m U_m))))`, output `Σ_m a_m ⊙ U_m`.
    public static func selectiveKernel(
        _ input: InputShape, outChannels out: Int, paths: [SKPath], stride: Int, groups: Int, splitInput: Bool, reduced: Int
    ) -> [Layer] {
        let m = paths.count
        let pathIn = splitInput ? input.c / m : input.c
        let branches = paths.indices.map { "u\($0)" }
        return build {
            for (i, p) in paths.enumerated() {
                if splitInput {
                    Primitive(.slice(start: i * pathIn, count: pathIn), "x")
                }
                Conv2D(out, kernelSize: p.kernel, padding: p.padding, dilation: p.dilation, stride: stride, groups: groups,
                    bias: false, param: "paths.\(i).conv", of: splitInput ? nil : "x")
                BatchNorm(param: "paths.\(i).bn")
                ReLU().named(branches[i])
            }
            sum(branches)
            GlobalPool(.mean)
            Linear(reduced, bias: false, param: "attn.fc_reduce")
            BatchNorm(param: "attn.bn")
            ReLU()
            Linear(m * out, bias: false, param: "attn.fc_select")
            // Path-major [N, M·C, 1, 1] viewed as [N, M, C, 1]: softmax across the paths.
            Primitive(.reshape([input.n, m, out, 1]))
            Softmax(.c)
            Primitive(.reshape([input.n, m * out, 1, 1])).named("a")
            for i in 0..<m {
                Primitive(.slice(start: i * out, count: out), "a")
                Multiply(branches[i]).named("s\(i)")
            }
            sum((0..<m).map { "s\($0)" })
        }
    }
}

extension SKOptions: CatalogBlock {
    package static let kind = "sk"
    package static let reference = "timm SelectiveKernel"
    package static let hyperparameters = [
        "out_channels=C", "kernel_size=[3,5]", "stride=1", "dilation=1", "groups=1", "reduction=16", "reduced_channels",
        "rd_divisor=8", "keep_3x3=true", "split_input=true",
    ]
    package static var examples: [BlockSpec] {
        [
            SelectiveKernel("sk_g1", input: .nchw(1, 32, 8, 8)),
            SelectiveKernel("sk_g2", input: .nchw(2, 16, 9, 7), SKOptions(outChannels: 24, stride: 2, groups: 4, splitInput: false)),
            SelectiveKernel("sk_g3", input: .nchw(1, 24, 5, 6), SKOptions(kernelSize: [3, 5, 7], groups: 2, reducedChannels: 6, keep3x3: false)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            outChannels: try r.int("out_channels"), kernelSize: try r.ints("kernel_size"), stride: try r.int("stride"),
            dilation: try r.int("dilation"), groups: try r.int("groups"), reduction: try r.int("reduction"),
            reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"),
            keep3x3: try r.bool("keep_3x3"), splitInput: try r.bool("split_input"))
    }
    package func encode(into f: inout [String: JSONValue]) {
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

/// A Selective Kernel convolution, timm's `SelectiveKernel` (`kind: "sk"`).
public func SelectiveKernel(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SKOptions = SKOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
