// Circular ECA, written in the DSL. timm only: `CecaModule` (`timm/layers/eca.py`), ECA whose
// conv along C pads circularly, so the first and last channels see each other (timm pads with
// `F.pad(mode="circular")` itself, then runs an unpadded `Conv1d`; the math is the same).
// Names: `conv.weight [1,1,k]`, no bias. timm computes k from C and ignores a `kernel_size` it is
// given alongside the channels: its formula, clamped to at least 3 (unlike the ECA paper's), is
// the default here, and an explicit `kernel_size` wins. timm's `act_layer` only switches the
// conv's bias on (the forward never applies it); a file with `conv.bias` is refused by import.

extension Catalog {
    /// `x · gate(conv1d_k(mean_HW(x)))`, the conv running along channels with circular padding.
    public static func circularECA(kernelSize: Int, gate: SigmoidGate) -> [Layer] {
        build {
            GlobalPool(.mean)
            ChannelConv1D(kernelSize: kernelSize, param: "conv", padding: .circular)
            gate.layer
            Multiply("x")
        }
    }
}

/// timm's kernel size for ECA-style blocks given C: `t = int(|log2(C) + 1| / 2)`, the next odd,
/// at least 3.
public func timmECAKernelSize(channels: Int) -> Int {
    max(ecaKernelSize(channels: channels), 3)
}

/// CECA hyperparameters as given (timm `CecaModule`).
public struct CECAOptions: Hashable, Sendable {
    /// Default: timm's formula from C.
    public var kernelSize: Int?
    /// Default sigmoid.
    public var gateLayer: SigmoidGate?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(kernelSize: Int? = nil, gateLayer: SigmoidGate? = nil) {
        self.kernelSize = kernelSize
        self.gateLayer = gateLayer
    }
}

extension CECAOptions: CatalogBlock {
    package static let kind = "ceca"
    package static let reference = "timm CecaModule"
    package static let hyperparameters = ["kernel_size=from C (timm: gamma 2, beta 1, at least 3)", "gate_layer=sigmoid"]
    package static var examples: [BlockSpec] {
        [
            CircularECA("ceca_g1", input: .nchw(2, 20, 3, 5), CECAOptions(kernelSize: 5)),
            // k = 7 on 3 channels: the padding of 3 wraps the whole ring once.
            CircularECA("ceca_g2", input: .nchw(1, 3, 4, 7), CECAOptions(kernelSize: 7, gateLayer: .hardSigmoid)),
            CircularECA("ceca_g3", input: .nchw(1, 130, 2, 3)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(kernelSize: try r.int("kernel_size"), gateLayer: try SigmoidGate.read(&r, "gate_layer"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["kernel_size"] = kernelSize.map { .int($0) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let k = kernelSize ?? timmECAKernelSize(channels: input.c)
        try Rules.oddKernelSize(k, "kernel_size")
        try Rules.circularPadding(kernel: k, channels: input.c, "kernel_size")
        return Catalog.circularECA(kernelSize: k, gate: gateLayer ?? .sigmoid)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.kernelSize = try w.kernel("conv.weight", given: kernelSize, field: "kernel_size")
        return o
    }
}

/// A circular ECA block (`kind: "ceca"`).
public func CircularECA(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: CECAOptions = CECAOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
