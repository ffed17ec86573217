// The cost model's two counts: `flops` charges every tap of a conv, `usefulFlops` only the taps
// that land inside the input (the benchmark's compute floor).

import AttnIR
import Testing

@Suite("Program cost")
struct CostTests {
    /// A 7×7, pad-3 conv from 4 channels to 1 over a [1,4,5,1] map: along W only the middle tap
    /// reaches the single column; along H the output rows 0…4 reach 4, 5, 5, 5, 4 input rows.
    @Test func usefulFlopsLeaveOutPaddingTaps() throws {
        var b = ProgramBuilder(name: "narrow_conv", input: Shape(n: 1, c: 4, h: 5, w: 1))
        let w = try b.param("conv.weight", [1, 4, 7, 7], .weight)
        let conv = try b.add(
            .conv2d(Conv2dAttrs(weight: w, bias: nil, outChannels: 1, kernel: 7, padding: 3, dilation: 1)), [b.x],
            role: "conv")
        let p = try b.finish(output: conv)
        #expect(p.flops == 2 * 5 * 4 * 49)
        #expect(p.usefulFlops == 2 * 4 * (4 + 5 + 5 + 5 + 4) * 1)
    }

    /// Without padding every tap is inside: both counts agree (stride 2, dilation 2 included).
    @Test func unpaddedConvCountsAgree() throws {
        var b = ProgramBuilder(name: "strided_conv", input: Shape(n: 2, c: 3, h: 9, w: 9))
        let w = try b.param("conv.weight", [2, 3, 3, 3], .weight)
        let conv = try b.add(
            .conv2d(Conv2dAttrs(weight: w, bias: nil, outChannels: 2, kernel: 3, padding: 0, dilation: 2, stride: 2)),
            [b.x], role: "conv")
        let p = try b.finish(output: conv)
        #expect(p.usefulFlops == p.flops)
        #expect(p.flops == 2 * (2 * 2 * 3 * 3) * 3 * 9)
    }
}
