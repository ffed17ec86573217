// SC-Conv, the self-calibrated convolution of SCNet (Liu et al., CVPR 2020), written in the DSL.
// Follows the official MCG-NKU/SCNet `scnet.py::SCConv(inplanes, planes, stride, padding,
// dilation, groups, pooling_r)` with inplanes = planes = C (the newer file; an older one in the
// same repository has a ReLU inside k4 and no groups/padding/dilation). The gate adds x itself,
// not a projection, before the sigmoid, and the upsampling is PyTorch's legacy nearest rule,
// which is not `dst // r` when r does not divide H or W.

/// SC-Conv hyperparameters (official constructor arguments).
public struct SCConvOptions: Hashable, Sendable {
    /// AvgPool kernel and stride of the calibration branch k2; default 4.
    public var poolingR: Int?
    /// Stride of the last conv (k4); default 1.
    public var stride: Int?
    /// Padding of the 3×3 convs; default 1. Must equal `dilation` so k3 keeps H×W.
    public var padding: Int?
    /// Dilation of the 3×3 convs; default 1.
    public var dilation: Int?
    /// Groups of the 3×3 convs; must divide C; default 1.
    public var groups: Int?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(poolingR: Int? = nil, stride: Int? = nil, padding: Int? = nil, dilation: Int? = nil, groups: Int? = nil) {
        self.poolingR = poolingR
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let r = poolingR ?? 4, stride = stride ?? 1, dilation = dilation ?? 1, groups = groups ?? 1
        let padding = padding ?? dilation
        try Rules.atLeast(1, r, "pooling_r")
        try Rules.atLeast(1, stride, "stride")
        try Rules.atLeast(1, dilation, "dilation")
        try Rules.atLeast(0, padding, "padding")
        try Rules.divides(groups, input.c, "C", "groups")
        guard r <= input.h, r <= input.w else {
            throw SpecError("pooling_r", "\(r) is larger than the \(input.h)×\(input.w) input")
        }
        // k3's output is multiplied by the H×W gate, so its 3×3 conv must keep the size.
        guard padding == dilation else {
            throw SpecError("padding", "must equal dilation (\(dilation)) so the 3×3 convs keep H×W, got \(padding)")
        }
        // The 3×3 convs read x (and its pooled copy) padded by `padding` on every side.
        let padField = self.padding == nil ? "dilation" : "padding"
        try Rules.paddedPlane(channels: input.c, h: input.h, w: input.w, padding: padding, padField, "\(padding)")
        _ = try Rules.convExtent(input.h, kernel: 3, padding: padding, dilation: dilation, stride: stride, "stride")
        var tables = TapTables()
        for s in [1, 1, stride] {  // k2, k3, k4
            try tables.add(inPerGroup: input.c / groups, kernel: 3, stride: s, outChannels: input.c, "groups")
        }
        return Catalog.scconv(input, poolingR: r, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

extension Catalog {
    /// `k4(k3(x) ⊙ σ(x + up(k2(avgpool_r(x)))))`, each k a 3×3 conv (no bias) and BatchNorm.
    public static func scconv(_ input: InputShape, poolingR: Int, stride: Int, padding: Int, dilation: Int, groups: Int) -> [Layer] {
        let c = input.c
        return build {
            Primitive(.pool2d(.mean, kernelSize: poolingR, stride: poolingR), "x")
            Conv2D(c, kernelSize: 3, padding: padding, dilation: dilation, groups: groups, bias: false, param: "k2.1")
            BatchNorm(param: "k2.2")
            Primitive(.upsampleNearest(h: input.h, w: input.w))
            Add("x")
            Sigmoid().named("gate")
            Conv2D(c, kernelSize: 3, padding: padding, dilation: dilation, groups: groups, bias: false, param: "k3.0", of: "x")
            BatchNorm(param: "k3.1")
            Multiply("gate")
            Conv2D(c, kernelSize: 3, padding: padding, dilation: dilation, stride: stride, groups: groups, bias: false, param: "k4.0")
            BatchNorm(param: "k4.1")
        }
    }
}

extension SCConvOptions: CatalogBlock {
    package static let kind = "scconv"
    package static let reference = "SCNet SCConv"
    package static let hyperparameters = ["pooling_r=4", "stride=1", "padding=1", "dilation=1", "groups=1"]
    package static var examples: [BlockSpec] {
        [
            SCConv("scconv_g1", input: .nchw(1, 16, 8, 8)),
            SCConv("scconv_g2", input: .nchw(2, 8, 10, 13), SCConvOptions(stride: 2, groups: 2)),
            SCConv("scconv_g3", input: .nchw(1, 8, 4, 5), SCConvOptions(poolingR: 2, padding: 2, dilation: 2)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            poolingR: try r.int("pooling_r"), stride: try r.int("stride"), padding: try r.int("padding"),
            dilation: try r.int("dilation"), groups: try r.int("groups"))
    }
    package func encode(into f: inout [String: JSONValue]) {
        f["pooling_r"] = poolingR.map { .int($0) }
        f["stride"] = stride.map { .int($0) }
        f["padding"] = padding.map { .int($0) }
        f["dilation"] = dilation.map { .int($0) }
        f["groups"] = groups.map { .int($0) }
    }
}

/// A self-calibrated convolution (`kind: "scconv"`).
public func SCConv(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SCConvOptions = SCConvOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
