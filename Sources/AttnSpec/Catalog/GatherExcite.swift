// Gather-Excite (Hu et al., NeurIPS 2018), written in the DSL. Follows timm `GatherExcite`
// (`timm/layers/gather_excite.py`; timm 1.0.21 and later cannot construct it with `use_mlp` or
// `extra_params`, which pass `*dd` as positional arguments, so the fixtures run 1.0.20's class,
// whose math is the same). Names: `gather.conv{i}.weight`, `gather.norm{i}.*`, `mlp.fc1`,
// `mlp.fc2` (`ConvMlp`, biases on). What each option computes, as timm does:
// - `extent` 0, no `extra_params`: the H·W mean (`add_maxpool`: `0.5·mean + 0.5·max`), then the
//   MLP, `x · gate(·)`: SE with make_divisible(C/16, 1) rounding; without `use_mlp`, GE-θ⁻;
// - `extra_params`, `extent` 0: a depthwise `feat_size`² conv with timm's static padding
//   (k − 1)//2, so the gathered map keeps (nearly) the input's size rather than becoming 1×1
//   as the paper's GE-θ does, then BatchNorm, the MLP as 1×1 convs, a nearest resize back to H×W
//   when the size changed; the paper's ReLU between the gather and the MLP (GE-θ⁺) is not there;
// - `extra_params`, `extent` e > 0: ⌊log2 e⌋ depthwise 3×3 stride-2 convs, each with BatchNorm and
//   a ReLU between them, the MLP, a nearest resize to H×W;
// - `extent` e > 0 without `extra_params`: timm's `avg_pool2d(kernel 2e − 1, stride e, padding
//   e − 1, count_include_pad=False)`, so a border window averages only the pixels it covers
//   (`add_maxpool`: `0.5·avg + 0.5·max_pool2d` with the same window, the padding never the max),
//   giving a ⌈H/e⌉×⌈W/e⌉ map; the MLP as 1×1 convs, a nearest resize to H×W. A plane no larger
//   than the extent pools to 1×1, which timm broadcasts without a resize (the MLP on a vector).

import Foundation

extension Catalog {
    /// The gather, MLP, resize and gate of timm's GatherExcite on `input`.
    public static func gatherExcite(
        _ input: InputShape, gather: GEGather, useMLP: Bool, reduced: Int, gate: SigmoidGate
    ) -> [Layer] {
        let c = input.c
        var size = (h: 1, w: 1)
        let gathered: [Layer]
        switch gather {
        case .mean(let addMaxpool):
            gathered = addMaxpool ? meanAndMaxPool(input) : [GlobalPool(.mean).layer]
        case .pool(let e, let addMaxpool):
            let (k, pad) = (2 * e - 1, e - 1)
            size = ((input.h - 1) / e + 1, (input.w - 1) / e + 1)
            let mean = Primitive(.pool2d(.mean, kernelSize: k, stride: e, padding: pad, countIncludePad: false), "x")
            gathered = build {
                if addMaxpool {
                    mean
                    MultiplyScalar(0.5).named("gather_mean")
                    Primitive(.pool2d(.max, kernelSize: k, stride: e, padding: pad), "x")
                    MultiplyScalar(0.5)
                    Add("gather_mean")
                } else {
                    mean
                }
            }
        case .globalConv(let k):
            let p = (k - 1) / 2
            size = (input.h + 2 * p - k + 1, input.w + 2 * p - k + 1)
            gathered = build {
                Conv2D(c, kernelSize: k, padding: p, groups: c, bias: false, param: "gather.conv1")
                BatchNorm(param: "gather.norm1")
            }
        case .strided(let convs):
            size = (input.h, input.w)
            var layers: [Layer] = []
            for i in 1...convs {
                size = ((size.h - 1) / 2 + 1, (size.w - 1) / 2 + 1)
                layers += build {
                    Conv2D(c, kernelSize: 3, padding: 1, stride: 2, groups: c, bias: false, param: "gather.conv\(i)")
                    BatchNorm(param: "gather.norm\(i)")
                    if i < convs { ReLU() }
                }
            }
            gathered = layers
        }
        let vector = size == (1, 1)
        return build {
            gathered
            if useMLP {
                if vector {
                    Linear(reduced, bias: true, param: "mlp.fc1")
                    ReLU()
                    Linear(c, bias: true, param: "mlp.fc2")
                } else {
                    Conv2D(reduced, kernelSize: 1, padding: 0, bias: true, param: "mlp.fc1")
                    ReLU()
                    Conv2D(c, kernelSize: 1, padding: 0, bias: true, param: "mlp.fc2")
                }
            }
            // The gate before the resize, not after as timm writes it: an elementwise gate commutes
            // with nearest upsampling (the same values), and runs on the gathered map, extent²
            // times fewer pixels.
            gate.layer
            if !vector && size != (input.h, input.w) {
                Primitive(.upsampleNearest(h: input.h, w: input.w))
            }
            Multiply("x")
        }
    }
}

/// How GatherExcite gathers: a mean (optionally with the max), one depthwise conv of the feature
/// size, or depthwise 3×3 stride-2 convs.
public enum GEGather: Hashable, Sendable {
    /// The global mean over H·W, plus the max when `addMaxpool`.
    case mean(addMaxpool: Bool)
    /// timm's padded `2e − 1` windows of stride `e`, means over the pixels inside the plane (plus
    /// the max when `addMaxpool`).
    case pool(extent: Int, addMaxpool: Bool)
    /// One depthwise conv as large as the plane, with BatchNorm.
    case globalConv(kernel: Int)
    /// `convs` depthwise 3×3 stride-2 convs with BatchNorm (extent 2^convs).
    case strided(convs: Int)
}

/// Gather-Excite hyperparameters as given (timm `GatherExcite`).
public struct GEOptions: Hashable, Sendable {
    /// The kernel of the global-extent conv (`extra_params`, `extent` 0); default H (H must equal W).
    public var featSize: Int?
    /// Learned depthwise convs with BatchNorm gather instead of pooling; default false.
    public var extraParams: Bool?
    /// 0 (global, default) or an even stride of the gather.
    public var extent: Int?
    /// Default true.
    public var useMLP: Bool?
    /// C / rd_ratio; default 16.
    public var reduction: Int?
    /// The MLP's hidden width; wins over `reduction`.
    public var reducedChannels: Int?
    /// Default 1.
    public var rdDivisor: Int?
    /// Default false; only without `extra_params` (the pooled gathers).
    public var addMaxpool: Bool?
    /// Default sigmoid.
    public var gateLayer: SigmoidGate?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        featSize: Int? = nil, extraParams: Bool? = nil, extent: Int? = nil, useMLP: Bool? = nil, reduction: Int? = nil,
        reducedChannels: Int? = nil, rdDivisor: Int? = nil, addMaxpool: Bool? = nil, gateLayer: SigmoidGate? = nil
    ) {
        self.featSize = featSize
        self.extraParams = extraParams
        self.extent = extent
        self.useMLP = useMLP
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.rdDivisor = rdDivisor
        self.addMaxpool = addMaxpool
        self.gateLayer = gateLayer
    }

    /// The gather these options ask for on `input`, checked.
    func gather(_ input: InputShape) throws(SpecError) -> GEGather {
        let extent = extent ?? 0
        guard extent >= 0, extent <= maxElements else { throw SpecError("extent", "must be 0 (global) or an even number, got \(extent)") }
        guard extent % 2 == 0 else { throw SpecError("extent", "must be 0 (global) or an even number (timm asserts it), got \(extent)") }
        let maxpool = addMaxpool ?? false
        guard extraParams ?? false else {
            if featSize != nil { throw SpecError("feat_size", "is only read with extra_params and extent 0 (the conv's kernel)") }
            // The window 2e − 1 stays within the int range the plan's loops take.
            guard extent <= maxKernelSize else { throw SpecError("extent", "must be at most \(maxKernelSize), got \(extent)") }
            return extent == 0 ? .mean(addMaxpool: maxpool) : .pool(extent: extent, addMaxpool: maxpool)
        }
        if maxpool { throw SpecError("add_maxpool", "has no effect with extra_params (timm pools only without them); leave it out") }
        guard extent == 0 else {
            if featSize != nil { throw SpecError("feat_size", "is only read with extent 0 (the global conv's kernel)") }
            // timm: int(log2(extent)) stride-2 convs.
            var convs = 0
            while (2 << convs) <= extent { convs += 1 }
            var size = (input.h, input.w)
            for _ in 0..<convs {
                size.0 = try Rules.convExtent(size.0, kernel: 3, padding: 1, dilation: 1, stride: 2, "extent")
                size.1 = try Rules.convExtent(size.1, kernel: 3, padding: 1, dilation: 1, stride: 2, "extent")
            }
            return .strided(convs: convs)
        }
        guard let k = featSize ?? (input.h == input.w ? input.h : nil) else {
            throw SpecError("feat_size", "is required for a \(input.h)×\(input.w) input (its default, H, needs H == W)")
        }
        guard k <= maxKernelSize else { throw SpecError("feat_size", "must be at most \(maxKernelSize), got \(k)") }
        _ = try Rules.convExtent(input.h, kernel: k, padding: max(0, (k - 1) / 2), dilation: 1, stride: 1, "feat_size")
        _ = try Rules.convExtent(input.w, kernel: k, padding: max(0, (k - 1) / 2), dilation: 1, stride: 1, "feat_size")
        try Rules.paddedPlane(channels: input.c, h: input.h, w: input.w, padding: (k - 1) / 2, "feat_size", "feat_size \(k) (padding \((k - 1) / 2))")
        return .globalConv(kernel: k)
    }
}

extension GEOptions: CatalogBlock {
    package static let kind = "ge"
    package static let reference = "timm GatherExcite"
    package static let hyperparameters = [
        "feat_size=H", "extra_params=false", "extent=0", "use_mlp=true", "reduction=16", "reduced_channels", "rd_divisor=1",
        "add_maxpool=false", "gate_layer=sigmoid",
    ]
    package static var examples: [BlockSpec] {
        [
            GatherExcite("ge_g1", input: .nchw(2, 24, 5, 3)),
            GatherExcite("ge_g2", input: .nchw(1, 13, 7, 9), GEOptions(useMLP: false, addMaxpool: true, gateLayer: .hardSigmoid)),
            GatherExcite("ge_g3", input: .nchw(2, 12, 5, 5), GEOptions(extraParams: true, reduction: 4)),
            GatherExcite("ge_g4", input: .nchw(1, 10, 6, 7), GEOptions(featSize: 4, extraParams: true, useMLP: false)),
            GatherExcite("ge_g5", input: .nchw(1, 16, 9, 7), GEOptions(extraParams: true, extent: 4, reducedChannels: 3)),
            GatherExcite("ge_g6", input: .nchw(2, 12, 7, 9), GEOptions(extent: 2, reducedChannels: 3, addMaxpool: true)),
            GatherExcite("ge_g7", input: .nchw(1, 10, 5, 3), GEOptions(extent: 4, useMLP: false, gateLayer: .hardSigmoid)),
            GatherExcite("ge_g8", input: .nchw(2, 20, 5, 7), GEOptions(extent: 8, addMaxpool: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            featSize: try r.int("feat_size"), extraParams: try r.bool("extra_params"), extent: try r.int("extent"),
            useMLP: try r.bool("use_mlp"), reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            rdDivisor: try r.int("rd_divisor"), addMaxpool: try r.bool("add_maxpool"), gateLayer: try SigmoidGate.read(&r, "gate_layer"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["feat_size"] = featSize.map { .int($0) }
        f["extra_params"] = extraParams.map { .bool($0) }
        f["extent"] = extent.map { .int($0) }
        f["use_mlp"] = useMLP.map { .bool($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["rd_divisor"] = rdDivisor.map { .int($0) }
        f["add_maxpool"] = addMaxpool.map { .bool($0) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let gather = try gather(input)
        let useMLP = useMLP ?? true
        var rd = 1
        if useMLP {
            rd = try Rules.timmReducedWidth(input.c, reduction: reduction, reduced: reducedChannels, divisor: rdDivisor, defaultReduction: 16)
        } else {
            for (field, given) in [("reduction", reduction), ("reduced_channels", reducedChannels), ("rd_divisor", rdDivisor)] where given != nil {
                throw SpecError(field, "is only read with use_mlp (the MLP's width)")
            }
        }
        if case .globalConv(let k) = gather { try Rules.fits([input.c, 1, k, k], "feat_size", "gather.conv1.weight") }
        return Catalog.gatherExcite(input, gather: gather, useMLP: useMLP, reduced: rd, gate: gateLayer ?? .sigmoid)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.extraParams = try w.bias("gather.conv1.weight", given: extraParams, field: "extra_params")
        o.useMLP = try w.bias("mlp.fc1.weight", given: useMLP, field: "use_mlp")
        if o.useMLP == true, let dims = w.dims("mlp.fc1.weight"), let rd = dims.first {
            if let stated = reducedChannels, stated != rd {
                throw SpecError("reduced_channels", "is \(stated) but \(w.source) has \"\(w.displayName("mlp.fc1.weight"))\" of shape \(dims)")
            }
            if reducedChannels == nil, reduction != nil || rdDivisor != nil,
                let expected = try? Rules.timmReducedWidth(input.c, reduction: reduction, reduced: nil, divisor: rdDivisor, defaultReduction: 16),
                expected != rd
            {
                throw SpecError(
                    reduction != nil ? "reduction" : "rd_divisor", "gives rd = \(expected) but \(w.source) has \"\(w.displayName("mlp.fc1.weight"))\" of shape \(dims)")
            }
            o.reducedChannels = rd
        }
        // The global conv's kernel is its feature size; a strided gather's 3×3 kernels say nothing
        // of the extent (the stride is not in the weights).
        if o.extraParams == true, (extent ?? 0) == 0 {
            o.featSize = try w.kernel("gather.conv1.weight", given: featSize, field: "feat_size")
        }
        return o
    }
}

/// A Gather-Excite block (`kind: "ge"`).
public func GatherExcite(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: GEOptions = GEOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
