// The PSA module of EPSANet (Zhang et al., ACCV 2022), written in the DSL. Follows the official
// murufeng/EPSANet `models/epsanet.py::PSAModule` and `SE_weight_module.py`: the four convs all
// read the full input (the paper's figure splits it), one SE module is shared by the four scales,
// the softmax runs over the scales, and the output is concatenated in reverse, [f4, f3, f2, f1]
// (the loop prepends; EPSANet #14), which the next layer's weights depend on.

/// PSA hyperparameters (official constructor arguments).
public struct PSAOptions: Hashable, Sendable {
    /// Output channels P; default C. Each scale has P/4, its SE P/64 hidden units.
    public var planes: Int?
    /// Four odd kernel sizes; default [3, 5, 7, 9].
    public var convKernels: [Int]?
    /// Four group counts; default [1, 4, 8, 16].
    public var convGroups: [Int]?
    /// Stride of the four convs; default 1.
    public var stride: Int?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(planes: Int? = nil, convKernels: [Int]? = nil, convGroups: [Int]? = nil, stride: Int? = nil) {
        self.planes = planes
        self.convKernels = convKernels
        self.convGroups = convGroups
        self.stride = stride
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let planes = planes ?? input.c
        let kernels = convKernels ?? [3, 5, 7, 9]
        let groups = convGroups ?? [1, 4, 8, 16]
        let stride = stride ?? 1
        try Rules.atLeast(1, stride, "stride")
        guard planes % 4 == 0, planes / 4 / 16 >= 1 else {
            throw SpecError("planes", "must be a multiple of 4 with planes/4 ≥ 16 (the shared SE has planes/64 hidden units), got \(planes)")
        }
        guard kernels.count == 4 else { throw SpecError("conv_kernels", "must list 4 kernel sizes, got \(kernels.count)") }
        guard groups.count == 4 else { throw SpecError("conv_groups", "must list 4 group counts, got \(groups.count)") }
        for (i, (k, g)) in zip(kernels, groups).enumerated() {
            try Rules.oddKernelSize(k, "conv_kernels[\(i)]")
            try Rules.divides(g, input.c, "C", "conv_groups[\(i)]")
            try Rules.divides(g, planes / 4, "planes/4", "conv_groups[\(i)]")
            _ = try Rules.convExtent(min(input.h, input.w), kernel: k, padding: k / 2, dilation: 1, stride: stride, "conv_kernels[\(i)]")
        }
        let oh = try Rules.convExtent(input.h, kernel: 1, padding: 0, dilation: 1, stride: stride, "stride")
        let ow = try Rules.convExtent(input.w, kernel: 1, padding: 0, dilation: 1, stride: stride, "stride")
        try Rules.fits([input.n, planes, oh, ow], "planes", "the output")
        for (i, (k, g)) in zip(kernels, groups).enumerated() {
            try Rules.fits([planes / 4, input.c / g, k, k], "planes", "conv_\(i + 1).weight")
            try Rules.paddedPlane(channels: input.c, h: input.h, w: input.w, padding: k / 2, "conv_kernels[\(i)]", "kernel \(k) (padding \(k / 2))")
        }
        try Rules.fits([planes / 4, planes / 64], "planes", "se.fc1.weight")
        var tables = TapTables()
        for (i, (k, g)) in zip(kernels, groups).enumerated() {
            try tables.add(inPerGroup: input.c / g, kernel: k, stride: stride, outChannels: planes / 4, "conv_kernels[\(i)]")
        }
        return Catalog.psa(batch: input.n, planes: planes, kernels: kernels, groups: groups, stride: stride)
    }
}

extension Catalog {
    /// `x_i = conv_i(x)`, `w_i = SE(x_i)` (shared), `a = softmax over i of w_i`, output
    /// `cat(x_4·a_4, x_3·a_3, x_2·a_2, x_1·a_1)`.
    public static func psa(batch n: Int, planes: Int, kernels: [Int], groups: [Int], stride: Int) -> [Layer] {
        let split = planes / 4
        let scales = Array(0..<4)
        return build {
            for i in scales {
                Conv2D(split, kernelSize: kernels[i], padding: kernels[i] / 2, stride: stride, groups: groups[i],
                    bias: false, param: "conv_\(i + 1)", of: "x").named("x\(i + 1)")
                GlobalPool(.mean)
                Linear(split / 16, bias: true, param: "se.fc1")
                ReLU()
                Linear(split, bias: true, param: "se.fc2")
                Sigmoid().named("w\(i + 1)")
            }
            Concat("w1", "w2", "w3", "w4")
            // [N, 4·P/4, 1, 1] viewed as [N, 4, P/4, 1]: softmax across the four scales.
            Primitive(.reshape([n, 4, split, 1]))
            Softmax(.c)
            Primitive(.reshape([n, planes, 1, 1])).named("a")
            for i in scales {
                Primitive(.slice(start: i * split, count: split), "a")
                Multiply("x\(i + 1)").named("f\(i + 1)")
            }
            Concat("f4", "f3", "f2", "f1")
        }
    }
}

extension PSAOptions: CatalogBlock {
    package static let kind = "psa"
    package static let reference = "EPSANet PSAModule"
    package static let hyperparameters = ["planes=C", "conv_kernels=[3,5,7,9]", "conv_groups=[1,4,8,16]", "stride=1"]
    package static var examples: [BlockSpec] {
        [
            PSA("psa_g1", input: .nchw(1, 64, 8, 8)),
            PSA("psa_g2", input: .nchw(2, 32, 7, 5), PSAOptions(planes: 64, convGroups: [1, 2, 4, 8], stride: 2)),
            PSA("psa_g3", input: .nchw(1, 16, 5, 5), PSAOptions(planes: 128, convKernels: [1, 3, 3, 5], convGroups: [1, 1, 2, 16])),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            planes: try r.int("planes"), convKernels: try r.ints("conv_kernels"), convGroups: try r.ints("conv_groups"),
            stride: try r.int("stride"))
    }
    package func encode(into f: inout [String: JSONValue]) {
        f["planes"] = planes.map { .int($0) }
        f["conv_kernels"] = convKernels.map { .array($0.map { .int($0) }) }
        f["conv_groups"] = convGroups.map { .array($0.map { .int($0) }) }
        f["stride"] = stride.map { .int($0) }
    }
}

/// EPSANet's pyramid split attention module (`kind: "psa"`).
public func PSA(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: PSAOptions = PSAOptions(), weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
