// timm's ecam on the native tier: gcc computes the hidden sequences inside the second conv, a tile
// of positions at a time (`SequenceMLP`: a long tile under AVX, a shorter one else), checked at each
// ISA level the CPU runs, against the interpreter at sequences shorter
// than a tile, of one position, over several tiles with a short last one (C, rd and k off the
// tile), and with every activation the kind takes.

import Foundation
import Testing

@testable import AttnGen
import AttnInterp
import AttnNative

@Suite struct SequenceMLPTests {
    static let cases: [(InputShape, ECAOptions)] = [
        (.nchw(2, 13, 3, 5), ECAOptions(useMLP: true, reducedChannels: 3)),
        (.nchw(1, 200, 2, 3), ECAOptions(kernelSize: 5, useMLP: true, reducedChannels: 24)),
        (.nchw(3, 1, 2, 2), ECAOptions(kernelSize: 3, useMLP: true, reducedChannels: 2)),
        (.nchw(1, 130, 1, 1), ECAOptions(kernelSize: 9, useMLP: true, reducedChannels: 5, actLayer: .relu6)),
        (.nchw(1, 40, 7, 1), ECAOptions(kernelSize: 7, useMLP: true, actLayer: .silu)),
        (.nchw(2, 600, 1, 2), ECAOptions(kernelSize: 7, useMLP: true, reducedChannels: 7, actLayer: .relu)),
        (.nchw(1, 517, 1, 1), ECAOptions(kernelSize: 5, useMLP: true, reducedChannels: 3, actLayer: .sigmoid)),
        (.nchw(1, 259, 1, 1), ECAOptions(kernelSize: 3, useMLP: true, reducedChannels: 5, actLayer: .hardSigmoid)),
        (.nchw(1, 70, 1, 1), ECAOptions(kernelSize: 5, useMLP: true, reducedChannels: 6, actLayer: .hardSwish)),
        (.nchw(1, 300, 1, 1), ECAOptions(kernelSize: 9, useMLP: true, reducedChannels: 2, actLayer: .gelu)),
        (.nchw(1, 33, 1, 1), ECAOptions(kernelSize: 3, useMLP: true, reducedChannels: 4, actLayer: .geluTanh)),
        (.nchw(1, 257, 1, 1), ECAOptions(kernelSize: 7, useMLP: true, reducedChannels: 3, actLayer: .tanh)),
    ]

    @Test func theCasesTakeEveryActivation() {
        #expect(Set(Self.cases.map { $0.1.actLayer ?? .relu }) == Set(Activation.allCases))
    }

    /// At each x86-64 level the CPU runs (AVX's long tile and SSE's shorter one), or native.
    @Test(arguments: ISALevel.runnable().levels)
    func hostsComputeTheHiddenLayerInTheConv(_ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-test-cache-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        defer { try? FileManager.default.removeItem(at: cache) }
        for (i, (shape, options)) in Self.cases.enumerated() {
            let spec = EfficientChannelAttention("ecam_native_\(i)", input: shape, options)
            let kernel = try NativeKernel(spec, weights: .random(seed: 13), compiler: compiler)
            // relu's taps are piecewise linear in their input: tables of intervals instead.
            let relu = (options.actLayer ?? .relu) == .relu
            let fused = kernel.generated.source.source.contains(relu ? "attn_seq_relu(seq" : "hid[t] =")
            #expect(fused, "\(spec.name): every activation of the kind takes the fused form")
            let input = kernel.program.randomInput(seed: 4)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) \(shape) at \(level): \(comparison)")
        }
    }

    /// The relu form's tables (`attn_seq_relu`): hidden rows with a zero scale (a constant) and
    /// a negative one (on below its breakpoint), two samples, inputs near the breakpoints, and
    /// NaN and infinities, which take the rows one by one: each output of the same class as the
    /// interpreter's (NaN, ±Inf, finite) and the finite ones within the tolerance.
    @Test func reluTablesMatchTheInterpreter() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-test-cache-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache)
        defer { try? FileManager.default.removeItem(at: cache) }
        let spec = EfficientChannelAttention("ecam_tables", input: .nchw(2, 300, 1, 2), ECAOptions(kernelSize: 5, useMLP: true, reducedChannels: 9))
        var params = try NativeKernel(spec, weights: .random(seed: 21), compiler: compiler).params
        // conv.weight [9,1,1,1] then conv.bias [9]: rows 0 and 1 constant, row 2 on below its breakpoint.
        params[0] = 0
        params[1] = 0
        params[9 + 1] = -0.5
        params[2] = -abs(params[2]) - 0.1
        let kernel = try NativeKernel(spec, weights: .values(params), compiler: compiler)
        #expect(kernel.generated.source.source.contains("attn_seq_relu(seq"))
        let count = kernel.program.input.count
        var rng = SplitMix64(seed: 5)
        for special: [Float] in [[], [.nan], [.infinity], [-.infinity], [.nan, .infinity, -.infinity]] {
            var input = kernel.program.randomInput(seed: 6)
            // A whole channel of one special value makes its pooled input that value.
            for (j, v) in special.enumerated() {
                let c = Int(rng.next() % 300), n = j % 2
                for i in 0..<2 { input[(n * 300 + c) * 2 + i] = v }
            }
            let reference = try Interpreter.run(kernel.program, input: input, params: params)
            let output = try kernel.apply(input)
            var finite: ([Float], [Float]) = ([], [])
            for (o, r) in zip(output, reference) {
                #expect(o.isNaN == r.isNaN && (o.isInfinite ? o == r : !r.isInfinite), "\(special): \(o) against \(r)")
                if o.isFinite && r.isFinite { finite.0.append(o); finite.1.append(r) }
            }
            let comparison = try Comparison(finite.0, reference: finite.1)
            #expect(comparison.within(CrossCheck.tolerance), "\(special): \(comparison)")
        }
    }
}
