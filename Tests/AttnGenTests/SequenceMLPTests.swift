// timm's ecam on the native tier: gcc computes the hidden sequences inside the second conv, a tile
// of positions at a time (`SequenceMLP`), checked against the interpreter at sequences shorter
// than a tile, of one position, and with zero-padded edges on both sides of an interior tile;
// an activation the fused form does not take keeps the stored layer.

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
    ]

    @Test func hostsComputeTheHiddenLayerInTheConv() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-test-cache-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache)
        defer { try? FileManager.default.removeItem(at: cache) }
        for (i, (shape, options)) in Self.cases.enumerated() {
            let spec = EfficientChannelAttention("ecam_native_\(i)", input: shape, options)
            let kernel = try NativeKernel(spec, weights: .random(seed: 13), compiler: compiler)
            let fused = kernel.generated.source.source.contains("hid[t] =")
            #expect(fused == (options.actLayer != .silu), "\(spec.name): the fused form is used for relu and relu6 only")
            let input = kernel.program.randomInput(seed: 4)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) \(shape): \(comparison)")
        }
    }
}
