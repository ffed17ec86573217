// Emission options that change how the C looks, never what it computes: NHWC input/output,
// no libm, in-place output, and the on-device self-check.

import AttnCEmit
import AttnGen
import AttnJIT
import AttnTemplates
import Foundation
import Testing

private let blocks: [BlockSpec] = [
    SqueezeExcite("se_opt", input: .nchw(3, 40, 9, 7), reduction: 8),
    EfficientChannelAttention("eca_opt", input: .nchw(1, 100, 6, 11), kernelSize: 5),
    CBAM("cbam_opt", input: .nchw(3, 64, 13, 5), reduction: 16, spatialKernelSize: 7),
    CBAM("cbam_opt_c1", input: .nchw(1, 1, 4, 4), reduction: 1, spatialKernelSize: 3),
    Block("graph_opt", input: .nchw(2, 24, 5, 5)) {
        ChannelPool(.max).named("m")
        Conv2D(4, kernelSize: 3, param: "conv", of: "x")
        Concat("m", "_")
        Conv2D(24, kernelSize: 1, bias: true, param: "proj")
    },
]

@Suite struct EmitOptionTests {
    @Test(arguments: blocks)
    func nhwcMatchesInterpreter(_ spec: BlockSpec) throws {
        let result = try CrossCheck.run(spec.layout(.nhwc), seed: 5)
        #expect(result.passed, "\(result)")
        let source = try Pipeline.generate(spec.layout(.nhwc)).source.header
        #expect(source.contains("_LAYOUT_NHWC 1"))
        #expect(source.contains(" * Layout: NHWC,") && !source.contains("NCHW"), "the header comment must say the layout it has")
    }

    @Test(arguments: blocks)
    func noLibmMatchesInterpreter(_ spec: BlockSpec) throws {
        let result = try CrossCheck.run(spec.libm(false), seed: 6)
        #expect(result.passed, "\(result)")
        let c = try Pipeline.generate(spec.libm(false)).source.source
        #expect(!c.contains("math.h"))
        #expect(!c.contains(" expf("), "libm's expf still called")
    }

    /// SE, ECA and CBAM write each output element from the same input element in their last
    /// pass, so they may run in place; the header says so and the kernel honours it.
    @Test(arguments: blocks.prefix(4))
    func inPlace(_ spec: BlockSpec) throws {
        let kernel = try Kernel(spec, weights: .random(seed: 3))
        #expect(kernel.generated.source.header.contains("_OUTPUT_MAY_ALIAS_INPUT 1"))
        let x = kernel.program.randomInput(seed: 4)
        let expected = try kernel(x)
        var buffer = x
        var scratch = [Float](repeating: 0, count: max(1, kernel.scratchCount))
        try buffer.withUnsafeMutableBufferPointer { b in
            try scratch.withUnsafeMutableBufferPointer { s in try kernel.run(input: b.baseAddress!, output: b.baseAddress!, scratch: s.baseAddress!) }
        }
        #expect(buffer == expected)
    }

    @Test func graphEndingInConvMayNotAlias() throws {
        let g = try Pipeline.generate(blocks[4])
        #expect(g.source.header.contains("_OUTPUT_MAY_ALIAS_INPUT 0"))
    }

    /// `<name>_selftest()` passes with the right weights and fails with damaged ones.
    @Test(arguments: ["se_timm_c64", "eca_timm_k5_c100", "cbam_official_c64"])
    func selftest(_ fixture: String) throws {
        let dir = Paths.fixtures.appendingPathComponent(fixture)
        let spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0].selftest(true)
        let g = try Pipeline.generate(spec, baseDirectory: dir)
        #expect(try runSelftest(g, damage: false) == 0)
        #expect(try runSelftest(g, damage: true) != 0)
    }

    @Test func selftestWithoutWeightsIsAnError() {
        #expect(throws: SpecError.self) { try Pipeline.generate(blocks[0].selftest(true)) }
    }

    /// The generator's expf against libm's over a sweep of the whole normal range.
    @Test func ownExpfIsAccurate() throws {
        let source = Templates.text("expf.c").replacingOccurrences(of: "static float attn_expf", with: "float attn_expf")
        let module = try TCCModule(source: "typedef unsigned int uint32_t;\n#define INFINITY (1.0f / 0.0f)\n" + source)
        let f = try module.function("attn_expf", as: (@convention(c) (Float) -> Float).self)
        var worst = 0.0
        // 2^20 points spread over the range of normal results, plus every float near 0.
        let count = 1 << 20
        var points: [Float] = (0..<count).map { i in Float(-87.33) + Float(176.04) * Float(i) / Float(count) }
        for i in 0..<4096 { points.append(Float(bitPattern: 0x3800_0000 + UInt32(i) * 4096)) }
        for x in points {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(f(x)) - exact) / Double(Float(exact).ulp))
        }
        #expect(worst <= 2.0, "attn_expf error \(worst) ulp")
        #expect(f(-1e30) == 0 && f(1e30) == .infinity && f(.nan).isNaN && f(0) == 1)
        withExtendedLifetime(module) {}
    }

    /// The spec text is copied into the header as a comment; a `*/` in it must not end that
    /// comment (the `*` is written as its JSON escape `\u002a`), so the files still compile.
    @Test func commentEndsInTheSpecTextAreBroken() throws {
        let program = try Pipeline.generate(SqueezeExcite("se_comment", input: .nchw(1, 8, 2, 2), reduction: 2)).program
        let source = try CEmitter.emit(program, specText: "{\"weights\": \"a*/b*//c.safetensors\"}\n")
        #expect(source.header.contains(#"a\u002a/b\u002a//c."#), "\(source.header)")
        #expect(!source.header.contains("a*/"))
        _ = try TCCModule(source: source.jitSource)
    }
}

/// Compiles the standalone file form with tcc and calls `<name>_selftest`.
private func runSelftest(_ g: Generated, damage: Bool) throws -> Int32 {
    var c = g.source
    if damage {
        // The same golden checks with every weight scaled by 1.5: the self-check must notice.
        let params = try #require(g.params)
        let golden = try Pipeline.goldenChecks(g.program, params: params, layout: .nchw)
        c = try CEmitter.emit(
            g.program, specText: "", weights: params.map { $0 * 1.5 }, options: EmitOptions(selftest: golden))
    }
    let source = c.header + c.source.replacingOccurrences(of: "#include \"\(g.program.name).h\"", with: "")
    let module = try TCCModule(source: source)
    let f = try module.function("\(g.program.name)_selftest", as: (@convention(c) (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Int32).self)
    var x = [Float](repeating: 0, count: g.program.input.count)
    var y = [Float](repeating: 0, count: g.program.outputShape.count)
    var s = [Float](repeating: 0, count: max(1, g.source.scratchSize))
    return withExtendedLifetime(module) { f(&x, &y, &s) }
}
