// The Winograd form of 3×3 stride-1 convolutions (gcc and clang hosts, AttnPlan's WinogradConv)
// against the interpreter at -march=native and at each fixed ISA level this CPU runs (the
// transforms run in 4-, 8- or 16-lane vectors): odd planes (a last tile row and column half
// outside), padding 0 to 2, groups, biases, channel counts off the GEMM tiles, several samples,
// blocks of tile rows with a short last one, and a conv reading another's result from scratch.

import AttnCEmit
import AttnInterp
import AttnIR
import AttnPlan
import Foundation
import Testing

@testable import AttnGen

/// One conv (two chained, `chained`) on an n×c×h×w input: out channels, groups, padding, bias.
private func winogradSpec(
    _ n: Int, _ c: Int, _ h: Int, _ w: Int, out: Int, groups: Int, padding: Int, bias: Bool, chained: Bool = false
) throws -> BlockSpec {
    let conv = { (param: String) in
        #"{"op": "conv2d", "out_channels": \#(out), "kernel_size": 3, "padding": \#(padding), "groups": \#(groups), "bias": \#(bias), "param": "\#(param)"}"#
    }
    let graph = chained ? [conv("a"), conv("b")] : [conv("a")]
    let json = """
        {"name": "winograd_\(n)_\(c)_\(h)_\(w)_\(out)_g\(groups)_p\(padding)\(chained ? "_chain" : "")", "input": {"n": \(n), "c": \(c), "h": \(h), "w": \(w)},
         "graph": [\(graph.joined(separator: ", "))]}
        """
    return try BlockSpec.decodeFile(Data(json.utf8))[0]
}

private let winogradSpecs: [BlockSpec] = try! [
    winogradSpec(1, 32, 11, 12, out: 32, groups: 1, padding: 1, bias: false),  // odd rows
    winogradSpec(2, 32, 13, 9, out: 40, groups: 1, padding: 1, bias: true),  // odd plane, two samples, rows off the 6-row tiles
    winogradSpec(1, 64, 16, 12, out: 64, groups: 2, padding: 0, bias: false),  // groups, no padding
    winogradSpec(1, 32, 10, 12, out: 32, groups: 1, padding: 2, bias: true),  // padding past the kernel's
    winogradSpec(1, 32, 25, 33, out: 32, groups: 1, padding: 1, bias: false),  // blocks of tile rows, short last
    winogradSpec(1, 66, 9, 15, out: 66, groups: 2, padding: 1, bias: true, chained: true),  // 33 per group, scratch input
]

@Suite struct WinogradTests {
    static let levels: [ISALevel] = ISALevel.runnable().levels

    /// The rule: 3×3, stride 1, undilated, enough channels per group and tiles, rows contiguous.
    @Test func ruleTakesOnlyWhatPays() {
        let nchw = Layout(buffer: .scratch, Shape(n: 1, c: 64, h: 28, w: 28), .nchw)
        let plane = Shape(n: 1, c: 64, h: 28, w: 28)
        let dense = Conv2dAttrs(weight: 0, bias: nil, outChannels: 64, kernel: 3, padding: 1, dilation: 1, stride: 1, groups: 1)
        #expect(WinogradConv(dense, input: plane, output: plane, outputLayout: nchw) != nil)
        let dilated = Conv2dAttrs(weight: 0, bias: nil, outChannels: 64, kernel: 3, padding: 2, dilation: 2, stride: 1, groups: 1)
        #expect(WinogradConv(dilated, input: plane, output: plane, outputLayout: nchw) == nil)
        let halves = Conv2dAttrs(weight: 0, bias: nil, outChannels: 64, kernel: 3, padding: 1, dilation: 1, stride: 1, groups: 2)
        #expect(WinogradConv(halves, input: plane, output: plane, outputLayout: nchw) != nil)
        let narrow = Conv2dAttrs(weight: 0, bias: nil, outChannels: 64, kernel: 3, padding: 1, dilation: 1, stride: 1, groups: 4)
        #expect(WinogradConv(narrow, input: plane, output: plane, outputLayout: nchw) == nil)
        let small = Shape(n: 1, c: 64, h: 7, w: 7)
        #expect(WinogradConv(dense, input: small, output: small, outputLayout: Layout(buffer: .scratch, small, .nchw)) == nil)
        let nhwc = Layout(buffer: .scratch, plane, .nhwc)
        #expect(WinogradConv(dense, input: plane, output: plane, outputLayout: nhwc) == nil)
    }

    @Test(arguments: levels)
    func matchesInterpreter(_ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-winograd-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        defer { try? FileManager.default.removeItem(at: cache) }
        for spec in winogradSpecs {
            let kernel = try NativeKernel(spec, weights: .random(seed: 17), compiler: compiler)
            let c = NativeKernel.sourceFiles(kernel.generated).list.map(\.contents).joined()
            #expect(c.contains("Winograd F(2x2, 3x3)") && c.contains("attn_gemm_nn("), "\(spec.name) did not take the Winograd form")
            let program = kernel.program
            let input = program.randomInput(seed: 5)
            let reference = try Interpreter.run(program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) at \(level): \(comparison)")
        }
    }
}
