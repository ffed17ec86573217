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

    public init(s: Int? = nil) { self.s = s }

    func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let s = self.s ?? 64
        try atLeast(1, s, "S")
        try fits([input.c, input.c], "input.c", "conv1.weight")
        try fits([input.n, s, input.h, input.w], "S", "the attention map")
        try fits([s, input.c], "S", "linear_0.weight")
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
