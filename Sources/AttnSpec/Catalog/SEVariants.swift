// The SE variants of the ECA-Net ablation (Wang et al., CVPR 2020, Table 2), written in the DSL.
// No official code exists; scripts/make_catalog_fixtures.py (`SEVar1`, `SEGrouped`) is the
// reference: all bias-free, the gate a sigmoid of the H·W mean mapped C → C by
//   Var1: nothing (no parameters), Var2: a depthwise 1×1 conv (groups C),
//   Var3: one dense 1×1 conv, GC: a 1×1 conv with G groups,
// the conv's weight under `fc.weight [C, C/G, 1, 1]`.

/// SE-GC hyperparameters: the group count G of its 1×1 conv.
public struct SEGCOptions: Hashable, Sendable {
    /// Required, unless weights say it (`fc.weight [C, C/G, 1, 1]`).
    public var groups: Int?

    /// Options as given; `groups` may be left for the weights to say.
    public init(groups: Int? = nil) { self.groups = groups }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        guard let g = groups else { throw SpecError("groups", "is required for se_gc (G of its grouped 1×1 conv)") }
        try Rules.divides(g, input.c, "C", "groups")
        try Rules.fits([input.c, input.c / g], "groups", "fc.weight")
        return Catalog.seVariant(channels: input.c, groups: g)
    }
}

extension Catalog {
    /// `x · σ(conv1x1_G(mean_HW x))`; `groups` nil is Var1 (`x · σ(mean_HW x)`), C is Var2, 1 is Var3.
    public static func seVariant(channels: Int, groups: Int?) -> [Layer] {
        build {
            GlobalPool(.mean)
            if let groups {
                Conv2D(channels, kernelSize: 1, padding: 0, groups: groups, bias: false, param: "fc")
            }
            Sigmoid()
            Multiply("x")
        }
    }
}

extension SEGCOptions: CatalogBlock {
    package static let kind = "se_gc"
    package static let reference = "ECA-Net ablation (grouped FC)"
    package static let hyperparameters = ["groups (required)"]
    package static var examples: [BlockSpec] {
        [
            SEVariant("se_gc_g4", input: .nchw(1, 64, 9, 9), .gc(groups: 4)),
            SEVariant("se_gc_g3", input: .nchw(2, 24, 5, 3), .gc(groups: 3)),
        ]
    }
    package static var listingFields: [String: JSONValue] { ["groups": .int(4)] }

    package init(fields r: inout FieldReader) throws(SpecError) { self.init(groups: try r.int("groups")) }
    package func encode(into f: inout [String: JSONValue]) { f["groups"] = groups.map { .int($0) } }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        // fc.weight [C, C/G, 1, 1] says G.
        let c = input.c
        guard groups == nil, let perGroup = w.dims("fc.weight")?.dropFirst().first, perGroup >= 1, c % perGroup == 0 else { return self }
        return SEGCOptions(groups: c / perGroup)
    }
}

/// SE without the bottleneck (ECA-Net ablation): `x · σ(mean_HW x)`, no parameters.
public struct SEVar1Options: Hashable, Sendable {
    /// The only configuration: the variant has no hyperparameters.
    public init() {}
}

extension SEVar1Options: FieldlessCatalogBlock {
    package static let kind = "se_var1"
    package static let reference = "ECA-Net ablation (GAP, sigmoid)"
    package static var examples: [BlockSpec] {
        [
            SEVariant("se_var1_g", input: .nchw(2, 5, 3, 7), .var1),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        Catalog.seVariant(channels: input.c, groups: nil)
    }
}

/// SE-Var2: a depthwise 1×1 conv (`groups = C`) on the pooled vector.
public struct SEVar2Options: Hashable, Sendable {
    /// The only configuration: the variant has no hyperparameters.
    public init() {}
}

extension SEVar2Options: FieldlessCatalogBlock {
    package static let kind = "se_var2"
    package static let reference = "ECA-Net ablation (one weight per channel)"
    package static var examples: [BlockSpec] {
        [
            SEVariant("se_var2_g", input: .nchw(1, 24, 7, 5), .var2),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        Catalog.seVariant(channels: input.c, groups: input.c)
    }
}

/// SE-Var3: one dense 1×1 conv C → C on the pooled vector.
public struct SEVar3Options: Hashable, Sendable {
    /// The only configuration: the variant has no hyperparameters.
    public init() {}
}

extension SEVar3Options: FieldlessCatalogBlock {
    package static let kind = "se_var3"
    package static let reference = "ECA-Net ablation (one C×C FC)"
    package static var examples: [BlockSpec] {
        [
            SEVariant("se_var3_g", input: .nchw(2, 33, 1, 1), .var3),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        try Rules.fits([input.c, input.c], "input.c", "the dense 1×1 conv's weight fc.weight")
        return Catalog.seVariant(channels: input.c, groups: 1)
    }
}

/// An SE variant of the ECA-Net ablation (`kind: "se_var1"`, `"se_var2"`, `"se_var3"`, `"se_gc"`).
public func SEVariant(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ variant: SEVariantKind, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    let body: BlockSpec.Body
    switch variant {
    case .var1: body = .block(SEVar1Options())
    case .var2: body = .block(SEVar2Options())
    case .var3: body = .block(SEVar3Options())
    case .gc(let groups): body = .block(SEGCOptions(groups: groups))
    }
    return BlockSpec(name: name, input: input, body: body, weights: weights, weightsPrefix: weightsPrefix)
}

/// Which SE variant: no parameters, depthwise, dense, or grouped 1×1 conv on the pooled vector.
public enum SEVariantKind: Hashable, Sendable {
    /// No parameters; a depthwise 1×1 conv; a dense 1×1 conv.
    case var1, var2, var3
    /// A 1×1 conv with `groups` groups (nil until the spec or the weights say).
    case gc(groups: Int?)
}
