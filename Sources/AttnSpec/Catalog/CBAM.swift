// CBAM (Woo et al., ECCV 2018), written in the DSL. Names follow timm `CbamModule`; the official
// Jongchan code is the same math with its planes in [max, mean] order, swapped at import.

extension Catalog {
    /// Channel gate `x1 = x · σ(MLP(avg) + MLP(max))` with one shared MLP, then spatial gate
    /// `y = x1 · σ(BN(conv_k([mean_C x1, max_C x1])))`, planes in timm's [mean, max] order.
    public static func cbam(channels: Int, reduced: Int, spatialKernel: Int, bias: Bool) -> [Layer] {
        build {
            GlobalPool(.mean, of: "x")
            Linear(reduced, bias: bias, param: "channel.fc1")
            ReLU()
            Linear(channels, bias: bias, param: "channel.fc2").named("avg_path")
            GlobalPool(.max, of: "x")
            Linear(reduced, bias: bias, param: "channel.fc1")
            ReLU()
            Linear(channels, bias: bias, param: "channel.fc2")
            Add("avg_path")
            Sigmoid()
            Multiply("x").named("x1")
            ChannelPool(.mean, of: "x1").named("mean_c")
            ChannelPool(.max, of: "x1").named("max_c")
            Concat("mean_c", "max_c")
            Conv2D(1, kernelSize: spatialKernel, bias: false, param: "spatial.conv.conv")
            BatchNorm(param: "spatial.conv.bn")
            Sigmoid()
            Multiply("x1")
        }
    }
}
