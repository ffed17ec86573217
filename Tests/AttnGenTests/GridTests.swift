// The harness over a grid of shapes per block: JIT-compiled C against the interpreter on seeded
// random inputs and weights. Shapes include C and H·W that are not multiples of 8 or of r,
// non-square planes, N = 1 and 3, and the extremes C = 1 and 2048, H = W = 1 and 112.

import AttnGen
import Testing

struct GridCase: CustomStringConvertible, Sendable {
    let n, c, h, w: Int
    var input: InputShape { .nchw(n, c, h, w) }
    var description: String { "\(n)x\(c)x\(h)x\(w)" }
}

private let shapes: [GridCase] = [
    GridCase(n: 1, c: 1, h: 1, w: 1),
    GridCase(n: 3, c: 1, h: 5, w: 3),
    GridCase(n: 1, c: 16, h: 112, w: 112),
    GridCase(n: 3, c: 37, h: 13, w: 7),
    GridCase(n: 1, c: 64, h: 56, w: 56),
    GridCase(n: 3, c: 100, h: 1, w: 1),
    GridCase(n: 1, c: 250, h: 7, w: 19),
    GridCase(n: 3, c: 512, h: 3, w: 3),
    GridCase(n: 1, c: 1000, h: 9, w: 1),
    GridCase(n: 1, c: 2048, h: 7, w: 7),
]

private func expectClose(_ spec: BlockSpec, seed: UInt64 = 7) throws {
    let result = try CrossCheck.run(spec, seed: seed)
    #expect(result.passed, "\(result)")
}

@Suite struct GridTests {
    @Test(arguments: shapes, [1, 4, 16])
    func squeezeExcite(_ s: GridCase, reduction: Int) throws {
        guard s.c / reduction >= 1 else { return }  // that r leaves no channel: a spec error, tested elsewhere
        try expectClose(SqueezeExcite("se_grid", input: s.input, reduction: reduction))
        try expectClose(SqueezeExcite("se_grid_nobias", input: s.input, reducedChannels: max(1, s.c / 3), bias: false))
    }

    @Test(arguments: shapes, [1, 3, 5, 7, 9])
    func eca(_ s: GridCase, kernel: Int) throws {
        try expectClose(EfficientChannelAttention("eca_grid", input: s.input, kernelSize: kernel))
    }

    @Test(arguments: shapes)
    func ecaAdaptiveKernel(_ s: GridCase) throws {
        try expectClose(EfficientChannelAttention("eca_grid_auto", input: s.input))
    }

    @Test(arguments: shapes, [3, 7])
    func cbam(_ s: GridCase, kernel: Int) throws {
        let r = s.c >= 16 ? 16 : 1
        try expectClose(CBAM("cbam_grid", input: s.input, reduction: r, spatialKernelSize: kernel))
        try expectClose(CBAM("cbam_grid_bias", input: s.input, reducedChannels: max(1, s.c / 5), spatialKernelSize: kernel, bias: true))
    }

    /// timm's pooled GatherExcite: windows clipped at every border of odd planes, 1×1 maps of
    /// planes within the extent (broadcast, the MLP on a vector), the max added or not.
    @Test(arguments: shapes, [2, 4])
    func gatherExcitePooled(_ s: GridCase, extent: Int) throws {
        let rd = max(1, s.c / 8)
        try expectClose(GatherExcite("ge_grid", input: s.input, GEOptions(extent: extent, reducedChannels: rd, addMaxpool: true)))
        try expectClose(GatherExcite("ge_grid_nomlp", input: s.input, GEOptions(extent: extent, useMLP: false, gateLayer: .hardSigmoid)))
    }

    /// A user's block from the DSL goes through the same checks.
    @Test(arguments: shapes.prefix(6))
    func customBlock(_ s: GridCase) throws {
        let block = Block("max_eca", input: s.input) {
            GlobalPool(.max)
            ChannelConv1D(kernelSize: 5)
            HardSigmoid()
            Multiply("x")
        }
        try expectClose(block)
    }

    /// Different seeds, same verdict: the check is not tuned to one draw.
    @Test(arguments: [UInt64(1), 2, 3, 99])
    func seeds(_ seed: UInt64) throws {
        try expectClose(CBAM("cbam_seed", input: .nchw(3, 96, 14, 14), reduction: 16), seed: seed)
        try expectClose(SqueezeExcite("se_seed", input: .nchw(3, 96, 14, 14)), seed: seed)
    }
}
