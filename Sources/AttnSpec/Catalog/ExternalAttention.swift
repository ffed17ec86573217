// External Attention (Guo et al., TPAMI 2022), written in the DSL. Follows the official
// MenghaoGuo/EANet `model_torch.py::External_attention`: conv1 (1×1, bias), the memory key
// `linear_0` (Conv1d C→S, no bias, weight [S, C, 1] taken as a 1×1 conv), softmax over the H·W
// pixels, L1 over the S slots with eps 1e-9, `linear_1` (S→C), conv2 (1×1 + BatchNorm),
// `relu(x + ·)`. The official code hard-codes S = 64 (`self.k`); here it is the `S` field. At init
// it ties linear_1 to the transpose of linear_0; inference takes the two tensors as stored.

/// External Attention hyperparameters.
public struct ExternalAttentionOptions: Hashable, Sendable {
    /// Memory slots (the official `self.k`); default 64.
    public var s: Int?

    /// Options as given; nil takes the default.
    public init(s: Int? = nil) { self.s = s }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let s = self.s ?? 64
        try Rules.atLeast(1, s, "S")
        try Rules.fits([input.c, input.c], "input.c", "conv1.weight")
        try Rules.fits([input.n, s, input.h, input.w], "S", "the attention map")
        try Rules.fits([s, input.c], "S", "linear_0.weight")
        return Catalog.externalAttention(channels: input.c, slots: s)
    }
}

extension Catalog {
    /// `relu(x + BN(conv2(M_v · l1_S(softmax_HW(M_k · conv1(x))))))`.
    public static func externalAttention(channels: Int, slots: Int) -> [Layer] {
        build {
            Conv2D(channels, kernelSize: 1, padding: 0, bias: true, param: "conv1")
            Conv2D(slots, kernelSize: 1, padding: 0, bias: false, param: "linear_0")
            Softmax(.hw)
            Primitive(.l1Normalize(.c, eps: 1e-9))
            Conv2D(channels, kernelSize: 1, padding: 0, bias: false, param: "linear_1")
            Conv2D(channels, kernelSize: 1, padding: 0, bias: false, param: "conv2.0")
            BatchNorm(param: "conv2.1")
            Add("x")
            ReLU()
        }
    }
}

extension ExternalAttentionOptions: CatalogBlock {
    package static let kind = "external_attention"
    package static let reference = "EANet External_attention"
    package static let hyperparameters = ["S=64"]
    package static var examples: [BlockSpec] {
        [
            ExternalAttention("ea_g1", input: .nchw(1, 16, 6, 10), slots: 8),
            ExternalAttention("ea_g2", input: .nchw(2, 32, 5, 5)),
        ]
    }

    // `S`, capitalised as in the reference code (EANet `self.k`, xmu `S`).
    package init(fields r: inout FieldReader) throws(SpecError) { self.init(s: try r.int("S")) }
    package func encode(into f: inout [String: JSONValue]) { f["S"] = s.map { .int($0) } }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        ExternalAttentionOptions(s: try w.kernel("linear_0.weight", given: s, first: true, field: "S"))
    }
}

/// EANet's external attention (`kind: "external_attention"`), with `slots` memory units (S).
public func ExternalAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, slots: Int? = nil, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(
        name: name, input: input, body: .block(ExternalAttentionOptions(s: slots)), weights: weights,
        weightsPrefix: weightsPrefix)
}
