// SE (Hu et al., CVPR 2018), written in the DSL. Parameter names follow timm's `SEModule`.

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

/// The catalog: each block defined from primitive layers in the DSL, one file per block.
public enum Catalog {
    static func build(@LayerBuilder _ body: () -> [Layer]) -> [Layer] { body() }
}
