// ECA-Net (Wang et al., CVPR 2020), written in the DSL. Names follow timm `EcaModule` and the
// official `eca_layer` (both `conv.weight [1,1,k]`, no bias).

extension Catalog {
    /// `x · σ(conv1d_k(mean_HW(x)))`, the conv running along channels with zero padding.
    public static func eca(kernelSize: Int) -> [Layer] {
        build {
            GlobalPool(.mean)
            ChannelConv1D(kernelSize: kernelSize, param: "conv")
            Sigmoid()
            Multiply("x")
        }
    }
}
