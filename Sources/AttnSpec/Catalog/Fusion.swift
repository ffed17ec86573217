// Seed 000's multi-input fusion, written in the DSL: SK's selection step applied to M given inputs
// instead of M conv paths. No public code exists; scripts/make_catalog_fixtures.py (`Fusion`) is
// the reference. The block's one input array packs the M inputs along C (`[N, M·C, H, W]`,
// `BlockSpec.programInput`); `input.c` is the C of each, and of the output.

/// How the M per-input gates are made from the MLP's M·C outputs.
public enum FusionGate: String, Hashable, Sendable, CaseIterable {
    /// Each gate on its own: `σ(a_m)`.
    case sigmoid
    /// Across the inputs, per channel (SK's selection): `softmax_m(a_m)`.
    case softmax
}

/// Fusion hyperparameters.
public struct FusionOptions: Hashable, Sendable {
    /// M when the spec does not say, also what `list` shows the block with.
    public static let defaultInputs = 3

    /// M, the number of inputs; default 3.
    public var inputs: Int?
    /// r of the gate MLP: C / r hidden units; default 16.
    public var reduction: Int?
    /// Hidden units of the gate MLP; wins over `reduction`.
    public var reducedChannels: Int?
    /// Default softmax.
    public var gate: FusionGate?
    /// A full M·C → M·C layer (`fc_mix`) after the MLP, so the inputs' gates see each other; default false.
    public var interaction: Bool?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(inputs: Int? = nil, reduction: Int? = nil, reducedChannels: Int? = nil, gate: FusionGate? = nil, interaction: Bool? = nil) {
        self.inputs = inputs
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.gate = gate
        self.interaction = interaction
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let m = inputs ?? Self.defaultInputs
        try Rules.atLeast(2, m, "inputs")
        guard m <= 64, input.c <= maxElements / m, input.n * m * input.c <= maxElements / (input.h * input.w) else {
            throw SpecError("inputs", "\(m) inputs of \(input.n)×\(input.c)×\(input.h)×\(input.w) exceed 32-bit indexing or 64 inputs")
        }
        let rd = try Rules.reducedWidth(input.c, reduction: reduction, reduced: reducedChannels)
        return Catalog.fusion(input, inputs: m, reduced: rd, gate: gate ?? .softmax, interaction: interaction ?? false)
    }
}

extension Catalog {
    /// `y = Σ_m g_m ⊙ x_m`, `g = gate(fc2(relu(fc1(mean_HW Σ_m x_m))))` (with `fc_mix` after fc2
    /// when `interaction`), the M·C gate values input-major.
    public static func fusion(_ input: InputShape, inputs m: Int, reduced: Int, gate: FusionGate, interaction: Bool) -> [Layer] {
        let (n, c) = (input.n, input.c)
        let xs = (0..<m).map { "x\($0)" }
        return build {
            for i in 0..<m {
                Primitive(.slice(start: i * c, count: c), "x").named(xs[i])
            }
            sum(xs)
            GlobalPool(.mean)
            Linear(reduced, bias: true, param: "fc1")
            ReLU()
            Linear(m * c, bias: true, param: "fc2")
            if interaction {
                Linear(m * c, bias: true, param: "fc_mix")
            }
            switch gate {
            case .sigmoid:
                Sigmoid().named("g")
            case .softmax:
                Primitive(.reshape([n, m, c, 1]))
                Softmax(.c)
                Primitive(.reshape([n, m * c, 1, 1])).named("g")
            }
            for i in 0..<m {
                Primitive(.slice(start: i * c, count: c), "g")
                Multiply(xs[i]).named("y\(i)")
            }
            sum((0..<m).map { "y\($0)" })
        }
    }
}

extension FusionOptions: CatalogBlock {
    package static let kind = "fusion"
    package static let reference = "seed 000 multi-input fusion"
    package static let hyperparameters = ["inputs=3", "reduction=16", "reduced_channels", "gate=softmax", "interaction=false"]
    package static var examples: [BlockSpec] {
        [
            Fusion("fusion_g1", input: .nchw(1, 16, 6, 6), FusionOptions(inputs: 2, reduction: 2)),
            Fusion("fusion_g2", input: .nchw(2, 8, 5, 7), FusionOptions(reduction: 4, gate: .sigmoid, interaction: true)),
            Fusion("fusion_g3", input: .nchw(1, 32, 3, 3), FusionOptions(inputs: 4, reducedChannels: 3, interaction: true)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        var gate: FusionGate? = nil
        if let text = try r.string("gate") {
            guard let g = FusionGate(rawValue: text) else {
                throw SpecError("gate", "unknown gate \"\(text)\" (known: \(FusionGate.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            gate = g
        }
        self.init(
            inputs: try r.int("inputs"), reduction: try r.int("reduction"), reducedChannels: try r.int("reduced_channels"),
            gate: gate, interaction: try r.bool("interaction"))
    }
    package func encode(into f: inout [String: JSONValue]) {
        f["inputs"] = inputs.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["gate"] = gate.map { .string($0.rawValue) }
        f["interaction"] = interaction.map { .bool($0) }
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.interaction = try w.bias("fc_mix.weight", given: interaction, field: "interaction")
        return o
    }

    /// The one input array packs the M inputs along C: `[N, M·C, H, W]`, input m in channels
    /// `[m·C, (m+1)·C)`.
    package func programInput(_ input: InputShape) -> InputShape {
        let (c, overflow) = input.c.multipliedReportingOverflow(by: inputs ?? Self.defaultInputs)
        // Overflow only for specs resolve() rejects; keep the shape total until then.
        return InputShape(n: input.n, c: overflow ? input.c : c, h: input.h, w: input.w)
    }
}

/// Seed 000's multi-input fusion (`kind: "fusion"`); `input.c` is each input's C, the kernel's
/// input array holds the M inputs one after another along C.
public func Fusion(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: FusionOptions = FusionOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
