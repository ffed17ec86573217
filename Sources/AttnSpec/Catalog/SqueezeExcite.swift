// SE (Hu et al., CVPR 2018), written in the DSL. Parameter names follow timm's `SEModule`;
// moskomule's `SELayer` files are renamed on import.

/// Squeeze-and-Excitation hyperparameters as given (timm `SEModule`, moskomule `SELayer`).
public struct SEOptions: Hashable, Sendable {
    /// r: the hidden layer has C / r units (floor); default 16.
    public var reduction: Int?
    /// Wins over `reduction`.
    public var reducedChannels: Int?
    /// Biases on both FC layers (timm: yes, moskomule: no). Default: yes.
    public var bias: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(reduction: Int? = nil, reducedChannels: Int? = nil, bias: Bool? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.bias = bias
    }
}

extension SEOptions: CatalogBlock {
    package static let kind = "se"
    package static let reference = "timm SEModule"
    package static let hyperparameters = ["reduction=16", "reduced_channels", "bias=true"]
    package static var examples: [BlockSpec] {
        [
            SqueezeExcite("se_g1", input: .nchw(2, 24, 5, 3), reduction: 4, bias: false),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .moskomuleSE] }

    package init(fields r: inout FieldReader) throws(SpecError) {
        self.init(reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"), bias: try r.bool("bias"))
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["bias"] = bias.map { .bool($0) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let rd = try Rules.reducedWidth(input.c, reduction: reduction, reduced: reducedChannels)
        return Catalog.squeezeExcite(channels: input.c, reduced: rd, bias: bias ?? true)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.reducedChannels = try w.reduced("fc1.weight", input.c, reduction, reducedChannels)
        o.bias = try w.bias("fc1.bias", given: bias)
        return o
    }
}

extension NameScheme {
    /// moskomule/senet.pytorch `SELayer`: `fc.0`/`fc.2` Linear layers without bias.
    static let moskomuleSE = NameScheme(
        label: "moskomule SELayer", renames: [("fc.0.", "fc1."), ("fc.2.", "fc2.")], swappedPlanes: [])
}

/// A Squeeze-and-Excitation block (`kind: "se"`).
public func SqueezeExcite(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, reduction: Int? = nil, reducedChannels: Int? = nil, bias: Bool? = nil,
    weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input,
        body: .block(SEOptions(reduction: reduction, reducedChannels: reducedChannels, bias: bias)),
        weights: weights, weightsPrefix: weightsPrefix)
}

extension Catalog {
    /// `x · σ(W2 · relu(W1 · mean_HW(x) + b1) + b2)`.
    ///
    /// Follows timm `SEModule` (fc1/fc2 as 1×1 convs with bias); moskomule's `SELayer` is the
    /// same math without biases, imported under other names.
    public static func squeezeExcite(channels: Int, reduced: Int, bias: Bool) -> [Layer] {
        build {
            GlobalPool(.mean)
            Linear(reduced, bias: bias, param: "fc1")
            ReLU()
            Linear(channels, bias: bias, param: "fc2")
            Sigmoid()
            Multiply("x")
        }
    }
}
