// BAT (Chi et al., "Non-Local Neural Networks With Grouped Bilinear Attentional Transforms",
// CVPR 2020), written in the DSL. Follows timm `BatNonLocalAttn` and its
// `BilinearAttnTransform` (timm/layers/non_local_attn.py), adapted from the authors'
// BA-Transform code, in eval mode (its Dropout2d is the identity):
//   xl  = act(BN(conv1(x)))                         1×1 C → rd, no bias
//   o   = act(BN(ba.conv1(xl)))                     1×1 rd → G (the groups)
//   P   = rownorm(σ(conv_p(maxpool_(b,1)(o))))      [G, b, b], each row summing to 1
//   Q   = colnorm(σ(conv_q(maxpool_(1,b)(o))))      each column summing to 1
//   y   = (P ⊗ I_{H/b}) · xl · (Q ⊗ I_{W/b})        per channel, channel c taking group c / (rd/G)
//   out = act(BN(conv2(act(BN(ba.conv2(y)))))) + x  ba.conv2 rd → rd, conv2 rd → C, no biases
// The adaptive max pools of timm divide H and W evenly (its forward asserts b | H, b | W), so
// each is a max over W (or H) and then over blocks of H/b (W/b) rows. conv_p's (b, 1) kernel
// (conv_q's (1, b)) covers the whole pooled strip: the conv is one matrix–vector product with
// its weight, read as stored ([b²G, G, b, 1]). timm's `resize_mat` builds the H×H Kronecker
// matrix P ⊗ I; the `block_matmul` op applies it without forming it. The paper's BAT block
// ends in the same residual; timm's `drop_rate` only acts in training, so the kind has none.

extension Catalog {
    /// The block above: `rd` wide, `groups` bilinear transforms of `blockSize`² entries, `act`
    /// after every BatchNorm.
    public static func batNonLocal(
        _ input: InputShape, reduced rd: Int, blockSize b: Int, groups g: Int, act: Activation
    ) -> [Layer] {
        let n = input.n
        let (th, tw) = (input.h / b, input.w / b)
        // conv_p / conv_q on the pooled [N, G, b] strip: weight · strip + bias, viewed [N, G, b, b].
        func transform(_ conv: String, strip: String, weightShape: [Int]) -> [Layer] {
            build {
                Primitive(.parameter(param: "ba.\(conv).weight", shape: weightShape)).named("\(conv)_w")
                Primitive(.reshape([1, 1, b * b * g, g * b]), "\(conv)_w")
                Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "_", strip)
                Primitive(.parameter(param: "ba.\(conv).bias", shape: [1, 1, b * b * g, 1])).named("\(conv)_b")
                Add("\(conv)_b")
                Primitive(.reshape([n, g, b, b]))
                Sigmoid()
            }
        }
        return build {
            Conv2D(rd, kernelSize: 1, bias: false, param: "conv1.conv", of: "x")
            BatchNorm(param: "conv1.bn")
            act.layer.named("xl")
            Conv2D(g, kernelSize: 1, bias: false, param: "ba.conv1.conv")
            BatchNorm(param: "ba.conv1.bn")
            act.layer.named("ba_out")
            // adaptive_max_pool2d(o, (b, 1)): over W, then over each block of H/b rows.
            Primitive(.axisPool(.max, axis: .w), "ba_out")
            Primitive(.reshape([n, g, b, th]))
            Primitive(.axisPool(.max, axis: .w))
            Primitive(.reshape([n, 1, g * b, 1])).named("rp")
            // adaptive_max_pool2d(o, (1, b)): over H, then over each block of W/b columns.
            Primitive(.axisPool(.max, axis: .h), "ba_out")
            Primitive(.reshape([n, g, b, tw]))
            Primitive(.axisPool(.max, axis: .w))
            Primitive(.reshape([n, 1, g * b, 1])).named("cp")
            transform("conv_p", strip: "rp", weightShape: [b * b * g, g, b, 1])
            // p / p.sum(dim=3): every row sums to 1 (a sigmoid is positive, so |p| = p).
            Primitive(.l1Normalize(.w, eps: 0)).named("bat_p")
            transform("conv_q", strip: "cp", weightShape: [b * b * g, g, 1, b])
            // q / q.sum(dim=2): every column sums to 1.
            Primitive(.l1Normalize(.h, eps: 0)).named("bat_q")
            Primitive(.blockMatmul(.left), "xl", "bat_p")
            Primitive(.blockMatmul(.right), "_", "bat_q")
            Conv2D(rd, kernelSize: 1, bias: false, param: "ba.conv2.conv")
            BatchNorm(param: "ba.conv2.bn")
            act.layer
            Conv2D(input.c, kernelSize: 1, bias: false, param: "conv2.conv")
            BatchNorm(param: "conv2.bn")
            act.layer
            Add("x")
        }
    }
}

/// BAT hyperparameters as given (timm `BatNonLocalAttn`).
public struct BatNonLocalOptions: Hashable, Sendable {
    /// Side b of the bilinear transforms, which must divide H and W; default 7.
    public var blockSize: Int?
    /// Transforms shared by groups of rd/G channels; default 2.
    public var groups: Int?
    /// `1 / rd_ratio`; default 4.
    public var reduction: Int?
    /// The inner width rd; wins over `reduction`.
    public var reducedChannels: Int?
    /// `make_divisible`'s divisor; default 8.
    public var rdDivisor: Int?
    /// After each of the four BatchNorms; default relu.
    public var actLayer: Activation?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        blockSize: Int? = nil, groups: Int? = nil, reduction: Int? = nil, reducedChannels: Int? = nil,
        rdDivisor: Int? = nil, actLayer: Activation? = nil
    ) {
        self.blockSize = blockSize
        self.groups = groups
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.actLayer = actLayer
    }

    /// `reduced_channels`, else timm's `make_divisible(C / reduction, rd_divisor)` with its
    /// default round limit 0.9.
    func reducedWidth(_ c: Int) throws(SpecError) -> Int {
        try Rules.timmReducedWidth(
            c, reduction: reduction, reduced: reducedChannels, divisor: rdDivisor, defaultReduction: 4, defaultDivisor: 8,
            roundLimit: 0.9)
    }
}

extension BatNonLocalOptions: CatalogBlock {
    package static let kind = "bat"
    package static let reference = "timm BatNonLocalAttn"
    package static let hyperparameters = [
        "block_size=7", "groups=2", "reduction=4", "reduced_channels", "rd_divisor=8", "act_layer=relu",
    ]
    package static var examples: [BlockSpec] {
        [
            BatNonLocalAttention("bat_g1", input: .nchw(2, 16, 6, 9), BatNonLocalOptions(blockSize: 3)),
            BatNonLocalAttention(
                "bat_g2", input: .nchw(1, 24, 10, 5),
                BatNonLocalOptions(blockSize: 5, groups: 3, reducedChannels: 6, actLayer: .silu)),
            BatNonLocalAttention("bat_g3", input: .nchw(1, 8, 7, 7), BatNonLocalOptions(groups: 1)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            blockSize: try r.int("block_size"), groups: try r.int("groups"), reduction: try r.int("reduction"),
            reducedChannels: try r.int("reduced_channels"), rdDivisor: try r.int("rd_divisor"),
            actLayer: try Activation.read(&r, "act_layer"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["block_size"] = blockSize.map { .int($0) }
        f["groups"] = groups.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["act_layer"] = actLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try reducedWidth(input.c)
        try Rules.fits([input.c, rd], "input.c", "conv2.conv.weight")
        let b = blockSize ?? 7
        try Rules.atLeast(1, b, "block_size")
        guard input.h % b == 0, input.w % b == 0 else {
            throw SpecError("block_size", "must divide H (\(input.h)) and W (\(input.w)), as timm's BilinearAttnTransform asserts, got \(b)")
        }
        let g = groups ?? 2
        try Rules.divides(g, rd, "the inner width rd", "groups")
        // conv_p's output, b²·G, and its weight, b²·G·G·b, must stay in 32-bit indexing.
        try Rules.fits([b, b, g, g, b], "block_size", "ba.conv_p.weight")
        return Catalog.batNonLocal(input, reduced: rd, blockSize: b, groups: g, act: actLayer ?? .relu)
    }

    /// The width, the groups and the block size are in the file; stated ones must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        if let dims = w.dims("conv1.conv.weight"), let rd = dims.first {
            let stated = try reducedWidth(input.c)
            let given = [("reduced_channels", reducedChannels != nil), ("reduction", reduction != nil),
                         ("rd_divisor", rdDivisor != nil)].first { $0.1 }
            if let given, stated != rd {
                throw SpecError(
                    given.0, "gives \(stated) channels but \(w.source) has \"\(w.displayName("conv1.conv.weight"))\" of shape \(dims)")
            }
            o.reducedChannels = rd
        }
        if let dims = w.dims("ba.conv_p.weight"), dims.count == 4 {
            for (field, stated, found) in [("groups", groups, dims[1]), ("block_size", blockSize, dims[2])] {
                if let stated, stated != found {
                    throw SpecError(
                        field, "is \(stated) but \(w.source) has \"\(w.displayName("ba.conv_p.weight"))\" of shape \(dims)")
                }
            }
            (o.groups, o.blockSize) = (dims[1], dims[2])
        }
        return o
    }
}

/// A BAT block (`kind: "bat"`).
public func BatNonLocalAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: BatNonLocalOptions = BatNonLocalOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
