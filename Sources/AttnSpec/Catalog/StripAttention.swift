// Strip attention, written in the DSL. Follows timm `StripAttn` (timm/layers/coord_attn.py),
// timm's own minimal relative of coordinate attention: the two strip means, each optionally
// refined by a depthwise 1-D conv, added (the H strip broadcast along W and the W strip along
// H) under one gate:
//   y = x · gate(conv_h(mean_W x) + conv_w(mean_H x)) (+ x with has_skip)
// conv_h has a (k, 1) kernel, conv_w (1, k), both padded k // 2; `use_conv: false` leaves the
// means as they are. An even kernel_size makes timm's strips one longer than the plane, so they
// no longer broadcast against x: the kind takes odd ones only. There is no paper block of this form.

extension Catalog {
    /// The block above; `kernel` is unused without `useConv`.
    public static func stripAttention(useConv: Bool, kernel: Int, bias: Bool, gate: Activation, hasSkip: Bool) -> [Layer] {
        build {
            if useConv {
                Primitive(.axisPool(.mean, axis: .w), "x")
                AxisConv1D(kernelSize: kernel, axis: .h, bias: bias, param: "conv_h").named("x_h")
                Primitive(.axisPool(.mean, axis: .h), "x")
                AxisConv1D(kernelSize: kernel, axis: .w, bias: bias, param: "conv_w")
            } else {
                Primitive(.axisPool(.mean, axis: .w), "x").named("x_h")
                Primitive(.axisPool(.mean, axis: .h), "x")
            }
            Add("x_h")
            gate.layer
            Multiply("x")
            if hasSkip { Add("x") }
        }
    }
}

/// Strip attention hyperparameters as given (timm `StripAttn`).
public struct StripOptions: Hashable, Sendable {
    /// Refines each strip by a depthwise 1-D conv; default true.
    public var useConv: Bool?
    /// Odd width of the two convs; default 3.
    public var kernelSize: Int?
    /// Biases on the two convs; default false.
    public var bias: Bool?
    /// Default sigmoid.
    public var gateLayer: Activation?
    /// Adds the input to the output; default false.
    public var hasSkip: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(
        useConv: Bool? = nil, kernelSize: Int? = nil, bias: Bool? = nil, gateLayer: Activation? = nil, hasSkip: Bool? = nil
    ) {
        self.useConv = useConv
        self.kernelSize = kernelSize
        self.bias = bias
        self.gateLayer = gateLayer
        self.hasSkip = hasSkip
    }
}

extension StripOptions: CatalogBlock {
    package static let kind = "strip"
    package static let reference = "timm StripAttn"
    package static let hyperparameters = ["use_conv=true", "kernel_size=3", "bias=false", "gate_layer=sigmoid", "has_skip=false"]
    package static var examples: [BlockSpec] {
        [
            StripAttention("strip_g1", input: .nchw(2, 24, 5, 7)),
            StripAttention(
                "strip_g2", input: .nchw(1, 20, 9, 4),
                StripOptions(kernelSize: 5, bias: true, gateLayer: .hardSigmoid, hasSkip: true)),
            StripAttention("strip_g3", input: .nchw(2, 12, 6, 1), StripOptions(useConv: false, gateLayer: .tanh)),
            StripAttention("strip_g4", input: .nchw(1, 10, 1, 11), StripOptions(kernelSize: 7)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(
            useConv: try r.bool("use_conv"), kernelSize: try r.int("kernel_size"), bias: try r.bool("bias"),
            gateLayer: try Activation.read(&r, "gate_layer"), hasSkip: try r.bool("has_skip"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["use_conv"] = useConv.map { .bool($0) }
        f["kernel_size"] = kernelSize.map { .int($0) }
        f["bias"] = bias.map { .bool($0) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
        f["has_skip"] = hasSkip.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let useConv = useConv ?? true
        let k = kernelSize ?? 3
        if useConv {
            try Rules.oddKernelSize(k, "kernel_size")
            try Rules.fits([input.c, k], "kernel_size", "conv_h.weight")
        } else if kernelSize != nil || bias != nil {
            throw SpecError(kernelSize != nil ? "kernel_size" : "bias", "has no conv to apply to with use_conv false")
        }
        return Catalog.stripAttention(useConv: useConv, kernel: k, bias: bias ?? false, gate: gateLayer ?? .sigmoid, hasSkip: hasSkip ?? false)
    }

    /// Whether there are convs, their kernel and their biases are in the file; stated ones must agree.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        guard let dims = w.dims("conv_h.weight") else {
            if useConv == true { return o }  // import names the missing tensor
            o.useConv = false
            return o
        }
        if useConv == false {
            throw SpecError("use_conv", "is false but \(w.source) holds \(w.displayName("conv_h.weight")) (\(w.schemeLabel) names)")
        }
        o.useConv = true
        o.kernelSize = try Catalog.axisKernel(dims, w, "conv_h.weight", given: kernelSize)
        o.bias = try w.bias("conv_h.bias", given: bias)
        return o
    }
}

/// A strip attention block (`kind: "strip"`).
public func StripAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: StripOptions = StripOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
