// Effective SE (Lee & Park, CenterMask, CVPR 2020), written in the DSL. Follows timm
// `EffectiveSEModule` (`fc.weight [C,C,1,1]`, `fc.bias`; hard-sigmoid gate; `add_maxpool`
// squeezes by `0.5·mean + 0.5·max`). timm's hgnet `EseModule` is the same block with a sigmoid
// gate and its conv named `conv`: its files import renamed, and its gate is the default for them.
// The official CenterMask `eSEModule` also takes a `reduction` it never uses; there is none here.

/// The gate of a block whose reference lets it be chosen (`gate_layer`).
public enum SigmoidGate: String, Hashable, Sendable, CaseIterable {
    /// `1 / (1 + e^-x)`.
    case sigmoid
    /// PyTorch's `relu6(x + 3) / 6` (timm's `hard_sigmoid`).
    case hardSigmoid = "hard_sigmoid"

    /// Reads `field` as one of the gates.
    static func read(_ r: inout FieldReader, _ field: String) throws(SpecError) -> SigmoidGate? {
        guard let text = try r.string(field) else { return nil }
        guard let g = SigmoidGate(rawValue: text) else {
            throw SpecError(field, "unknown gate \"\(text)\" (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return g
    }

    /// The layer computing the gate.
    var layer: Layer { self == .sigmoid ? Sigmoid().layer : HardSigmoid().layer }
}

extension Catalog {
    /// `0.5·mean_HW(x) + 0.5·max_HW(x)` as timm's `add_maxpool` squeeze: the mean of the two
    /// pooled vectors stacked as two channels, which is that sum to the last bit.
    static func meanAndMaxPool(_ input: InputShape) -> [Layer] {
        let (n, c) = (input.n, input.c)
        return build {
            GlobalPool(.mean, of: "x").named("squeeze_mean")
            GlobalPool(.max, of: "x").named("squeeze_max")
            Concat("squeeze_mean", "squeeze_max")
            Primitive(.reshape([n, 2, c, 1]))
            ChannelPool(.mean)
            Primitive(.reshape([n, c, 1, 1]))
        }
    }

    /// `x · gate(fc(squeeze(x)))` with one C → C 1×1 conv with bias.
    public static func effectiveSE(_ input: InputShape, addMaxpool: Bool, gate: SigmoidGate) -> [Layer] {
        build {
            if addMaxpool {
                meanAndMaxPool(input)
            } else {
                GlobalPool(.mean)
            }
            Linear(input.c, bias: true, param: "fc")
            gate.layer
            Multiply("x")
        }
    }
}

/// Effective SE hyperparameters as given (timm `EffectiveSEModule`, hgnet `EseModule`).
public struct ESEOptions: Hashable, Sendable {
    /// Squeeze by `0.5·mean + 0.5·max`; default false.
    public var addMaxpool: Bool?
    /// Default hard_sigmoid (timm), sigmoid for hgnet's files.
    public var gateLayer: SigmoidGate?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(addMaxpool: Bool? = nil, gateLayer: SigmoidGate? = nil) {
        self.addMaxpool = addMaxpool
        self.gateLayer = gateLayer
    }
}

extension ESEOptions: CatalogBlock {
    package static let kind = "ese"
    package static let reference = "timm EffectiveSEModule / hgnet EseModule"
    package static let hyperparameters = ["add_maxpool=false", "gate_layer=hard_sigmoid (sigmoid for hgnet names)"]
    package static var examples: [BlockSpec] {
        [
            EffectiveSE("ese_g1", input: .nchw(2, 24, 5, 3)),
            EffectiveSE("ese_g2", input: .nchw(1, 13, 7, 9), ESEOptions(addMaxpool: true, gateLayer: .sigmoid)),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .hgnetESE] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(addMaxpool: try r.bool("add_maxpool"), gateLayer: try SigmoidGate.read(&r, "gate_layer"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["add_maxpool"] = addMaxpool.map { .bool($0) }
        f["gate_layer"] = gateLayer.map { .string($0.rawValue) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        try Rules.fits([input.c, input.c], "input.c", "the dense 1×1 conv's weight fc.weight")
        return Catalog.effectiveSE(input, addMaxpool: addMaxpool ?? false, gate: gateLayer ?? .hardSigmoid)
    }

    /// hgnet's `EseModule` always gates with a sigmoid: its files say the gate.
    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        if o.gateLayer == nil, w.schemeLabel == NameScheme.hgnetESE.label { o.gateLayer = .sigmoid }
        return o
    }
}

extension NameScheme {
    /// timm hgnet `EseModule`: the 1×1 conv is `conv`.
    static let hgnetESE = NameScheme(label: "hgnet EseModule", renames: [("conv.", "fc.")], swappedPlanes: [])
}

/// An Effective SE block (`kind: "ese"`).
public func EffectiveSE(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: ESEOptions = ESEOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
