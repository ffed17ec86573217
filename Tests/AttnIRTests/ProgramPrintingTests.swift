// Golden text of `Program.description` for small hand-built programs: the printed IR is what
// ATTN_DEBUG=1 shows and what snippet tests diff, so its exact form is pinned here.

import AttnIR
import Testing

@Suite("Program.description")
struct ProgramPrintingTests {
    /// A squeeze-and-excitation block on [1,8,4,4] with rd 2, fc2 without bias.
    static func tinySE() throws -> Program {
        var b = ProgramBuilder(name: "tiny_se", input: Shape(n: 1, c: 8, h: 4, w: 4))
        let pool = try b.add(.globalPool(.mean), [b.x], role: "pool")
        let w1 = try b.param("fc1.weight", [2, 8], .weight)
        let b1 = try b.param("fc1.bias", [2], .bias)
        let fc1 = try b.add(.linear(weight: w1, bias: b1, outFeatures: 2), [pool], role: "fc1")
        let relu = try b.add(.unary(.relu), [fc1], role: "relu")
        let w2 = try b.param("fc2.weight", [8, 2], .weight)
        let fc2 = try b.add(.linear(weight: w2, bias: nil, outFeatures: 8), [relu], role: "fc2")
        let gate = try b.add(.unary(.sigmoid), [fc2], role: "gate")
        let out = try b.add(.binary(.mul), [b.x, gate], role: "out")
        return try b.finish(output: out)
    }

    @Test func tinySEPrintsExactly() throws {
        let expected = """
            program tiny_se(%0: [1,8,4,4]) -> %6: [1,8,4,4]
              $0 fc1.weight [2, 8] weight
              $1 fc1.bias [2] bias
              $2 fc2.weight [8, 2] weight
              %1 pool: [1,8,1,1] = global_pool.mean(%0)
              %2 fc1: [1,2,1,1] = linear(out=2, w=$0, b=$1)(%1)
              %3 relu: [1,2,1,1] = relu(%2)
              %4 fc2: [1,8,1,1] = linear(out=8, w=$2)(%3)
              %5 gate: [1,8,1,1] = sigmoid(%4)
              %6 out: [1,8,4,4] = mul(%0, %5)

            """
        #expect(try Self.tinySE().description == expected)
    }

    /// Every op of the IR once: a CBAM-like spatial gate plus an ECA-like channel gate.
    @Test func everyOpPrintsExactly() throws {
        var b = ProgramBuilder(name: "all_ops", input: Shape(n: 2, c: 4, h: 5, w: 5))
        let mean = try b.add(.channelPool(.mean), [b.x], role: "mean_c")
        let max = try b.add(.channelPool(.max), [b.x], role: "max_c")
        let cat = try b.add(.concat, [mean, max], role: "cat")
        let cw = try b.param("spatial.conv.weight", [1, 2, 3, 3], .weight)
        let cb = try b.param("spatial.conv.bias", [1], .bias)
        let conv = try b.add(
            .conv2d(Conv2dAttrs(weight: cw, bias: cb, outChannels: 1, kernel: 3, padding: 2, dilation: 2)), [cat],
            role: "conv")
        let s = try b.param("bn.scale", [1], .scale)
        let t = try b.param("bn.shift", [1], .shift)
        let bn = try b.add(.affine(scale: s, shift: t), [conv], role: "bn")
        let hs = try b.add(.unary(.hardSigmoid), [bn], role: "spatial")
        let gp = try b.add(.globalPool(.max), [b.x], role: "pool_max")
        let k = try b.param("conv.weight", [3], .weight)
        let c1 = try b.add(.channelConv1d(weight: k, kernel: 3), [gp], role: "eca")
        let sum = try b.add(.binary(.add), [hs, c1], role: "gate")
        let out = try b.add(.binary(.mul), [b.x, sum], role: "out")
        let p = try b.finish(output: out)
        let expected = """
            program all_ops(%0: [2,4,5,5]) -> %10: [2,4,5,5]
              $0 spatial.conv.weight [1, 2, 3, 3] weight
              $1 spatial.conv.bias [1] bias
              $2 bn.scale [1] scale
              $3 bn.shift [1] shift
              $4 conv.weight [3] weight
              %1 mean_c: [2,1,5,5] = channel_pool.mean(%0)
              %2 max_c: [2,1,5,5] = channel_pool.max(%0)
              %3 cat: [2,2,5,5] = concat.c(%1, %2)
              %4 conv: [2,1,5,5] = conv2d(out=1, k=3, pad=2, dil=2, w=$0, b=$1)(%3)
              %5 bn: [2,1,5,5] = affine(scale=$2, shift=$3)(%4)
              %6 spatial: [2,1,5,5] = hard_sigmoid(%5)
              %7 pool_max: [2,4,1,1] = global_pool.max(%0)
              %8 eca: [2,4,1,1] = channel_conv1d(k=3, w=$4)(%7)
              %9 gate: [2,4,5,5] = add(%6, %8)
              %10 out: [2,4,5,5] = mul(%0, %9)

            """
        #expect(p.description == expected)
        #expect(p.paramCount == 18 + 1 + 1 + 1 + 3)
        #expect(p.paramOffsets == [0, 18, 19, 20, 21])
    }

    @Test func derivedPropertiesOfTinySE() throws {
        let p = try Self.tinySE()
        #expect(p.outputShape == Shape(n: 1, c: 8, h: 4, w: 4))
        #expect(p.paramCount == 16 + 2 + 16)
        #expect(p.paramOffsets == [0, 16, 18])
        #expect(p.instr(defining: 0) == nil)
        #expect(p.instr(defining: 2)?.role == "fc1")
        // x is read by the pool and by the final mul; the gate only by the mul.
        #expect(p.users()[0] == [1, 6])
        #expect(p.users()[5] == [6])
        #expect(p.users()[6] == [])
    }
}
