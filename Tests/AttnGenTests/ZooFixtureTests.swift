// The zoo kinds of issue 13 (coord, scoord, lcbam, strip, ela, splat, nl, bat, bottleneck, lambda, halo)
// reproduce their reference code on every host tier and in each device build: every fixture of
// those kinds (scripts/make_zoo_fixtures.py) runs through the JIT (tcc) and the native tier (gcc),
// as written (NCHW, libm) and as a device build (NHWC, no libm), within 1e-5 of max|y| of the
// reference module's output (1e-4 for the attention-style kinds, whose softmaxes over many keys
// sum in another order than PyTorch's). The Cortex-M4F runs the same kinds from their Generated/ examples
// (EmbeddedTests).

import AttnGen
import AttnInterp
import AttnLower
import AttnWeights
import Foundation
import Testing

/// The kinds whose fixtures this suite runs.
let zooKinds: Set<String> = ["coord", "scoord", "lcbam", "splat", "nl", "bat", "bottleneck", "lambda", "strip", "ela", "halo"]

/// The attention-style kinds among them, held to 1e-4 of max|y| as `GoldenCheck` holds them.
let zooAttentionKinds: Set<String> = ["nl", "bat", "bottleneck", "lambda", "halo"]

private func zooFixtureKind(_ name: String) -> String? {
    let path = Paths.fixtures.appendingPathComponent("\(name)/spec.json").path
    return (try? Pipeline.loadSpecs(path: path))?.first?.kind
}

@Suite struct ZooFixtureTests {
    static let names = Paths.fixtureNames().filter { zooFixtureKind($0).map(zooKinds.contains) ?? false }

    @Test func everyKindHasAFixture() {
        for kind in zooKinds { #expect(Self.names.contains { zooFixtureKind($0) == kind }, "no \(kind) fixture") }
    }

    @Test(arguments: names)
    func everyTierAndBuildReproducesTheReference(_ name: String) throws {
        let dir = Paths.fixtures.appendingPathComponent(name)
        let base = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
        let tolerance = zooAttentionKinds.contains(base.kind ?? "") ? GoldenCheck.tolerance(kind: base.kind) : CrossCheck.tolerance
        let io = try SafeTensorsFile.load(path: dir.appendingPathComponent("io.safetensors").path)
        let input = try io.floats("input")
        let expected = try io.floats("output")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-zoo-fixtures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        for (label, spec) in [("nchw libm", base), ("nhwc no-libm", base.layout(.nhwc).libm(false))] {
            let kernel = try Kernel(spec, weights: .spec(baseDirectory: dir))
            let native = try NativeKernel(sameAs: kernel, compiler: NativeCompiler(cacheDirectory: cache))
            let layout = kernel.layout
            let x = try layout.fromNCHW(input, kernel.program.input)
            let jit = try Comparison(try layout.toNCHW(try kernel(x), kernel.program.outputShape), reference: expected)
            let gcc = try Comparison(try layout.toNCHW(try native.apply(x), kernel.program.outputShape), reference: expected)
            let interp = try Comparison(try Interpreter.run(kernel.program, input: input, params: kernel.params), reference: expected)
            print("zoo fixture \(name) [\(label)]: JIT \(jit); gcc \(gcc); interpreter \(interp) vs the reference")
            #expect(jit.within(tolerance), "\(name) [\(label)] JIT vs the reference: \(jit)")
            #expect(gcc.within(tolerance), "\(name) [\(label)] gcc vs the reference: \(gcc)")
            #expect(interp.within(tolerance), "\(name) interpreter vs the reference: \(interp)")
        }
    }
}

/// The first error decoding and lowering one block of `kind` gives, or nil.
private func zooKindError(_ kind: String, _ extra: String) -> SpecError? {
    let json = #"{"name": "b", "kind": "\#(kind)", "input": {"c": 64, "h": 6, "w": 5}, \#(extra)}"#
    do {
        for spec in try BlockSpec.decodeFile(Data(json.utf8)) { _ = try Lowering.lower(spec) }
        return nil
    } catch {
        return error
    }
}

@Suite struct ZooSpecErrorTests {
    @Test func coord() {
        expectError(zooKindError("coord", #""rd_divisor": 4"#), path: "rd_divisor", "timm's CoordAttn argument")
        expectError(zooKindError("coord", #""variant": "paper""#), path: "variant", "unknown variant \"paper\"", "official, timm")
        expectError(zooKindError("coord", #""norm_layer": "layernorm""#), path: "norm_layer", "batchnorm, none")
        expectError(zooKindError("coord", #""act_layer": "swish""#), path: "act_layer", "unknown activation \"swish\"", "hard_swish")
        expectError(zooKindError("coord", #""variant": "timm", "se_factor": 0"#), path: "se_factor", "positive")
        #expect(zooKindError("coord", #""variant": "timm", "rd_divisor": 4, "se_factor": 1, "has_skip": true"#) == nil)
    }

    @Test func scoordAndLcbam() {
        expectError(zooKindError("scoord", #""rd_divisor": 2147483647"#), path: "rd_divisor", "past 32-bit indexing")
        expectError(zooKindError("scoord", #""reduction": 0"#), path: "reduction", "at least 1")
        // timm's LightCbamModule never uses its gate_layer: the kind has none.
        expectError(zooKindError("lcbam", #""gate_layer": "sigmoid""#), path: "gate_layer", "unknown field for kind \"lcbam\"")
        expectError(zooKindError("lcbam", #""spatial_kernel_size": 4"#), path: "spatial_kernel_size", "odd")
    }

    @Test func splat() {
        expectError(zooKindError("splat", #""radix": 0"#), path: "radix", "at least 1")
        expectError(zooKindError("splat", #""radix": 3"#), path: "radix", "groups·radix = 1·3 = 3", "must divide C (64)")
        expectError(zooKindError("splat", #""groups": 5"#), path: "groups", "groups·radix = 5·2 = 10", "must divide C (64)")
        expectError(zooKindError("splat", #""groups": 4, "out_channels": 6"#), path: "groups", "must divide out_channels (6)")
        // fc1 is reduced_channels·radix = 6 wide, which 4 groups cannot split.
        expectError(zooKindError("splat", #""groups": 4, "reduced_channels": 3"#), path: "reduced_channels", "multiple of groups (4)")
        expectError(zooKindError("splat", #""kernel_size": 9, "padding": 0"#), path: "kernel_size", "does not fit in 6 pixels")
        expectError(zooKindError("splat", #""norm_layer": "layernorm""#), path: "norm_layer", "batchnorm, none")
        expectError(zooKindError("splat", #""act_layer": "mish""#), path: "act_layer", "unknown activation \"mish\"")
        #expect(zooKindError("splat", #""radix": 1, "groups": 4, "stride": 2, "norm_layer": "batchnorm""#) == nil)
    }

    /// A stated width that the file's fc1 contradicts names the field and the tensor.
    @Test func splatWidthAgainstTheWeights() throws {
        let dir = Paths.fixtures.appendingPathComponent("splat_timm_c32_r2")
        let spec = SplitAttention("splat", input: .nchw(2, 32, 7, 6), SplatOptions(reduction: 1), weights: "weights.safetensors")
        var thrown: SpecError?
        do { _ = try Pipeline.generate(spec, baseDirectory: dir) } catch { thrown = error }
        expectError(thrown, path: "reduction", "gives fc1 64 channels", "\"fc1.weight\" of shape [32, 32, 1, 1]")
    }

    @Test func nonLocal() {
        expectError(zooKindError("nl", #""reduction": 0"#), path: "reduction", "at least 1")
        expectError(zooKindError("nl", #""rd_divisor": 0"#), path: "rd_divisor", "at least 1")
        expectError(zooKindError("nl", #""use_scale": 1"#), path: "use_scale")
        #expect(zooKindError("nl", #""reduced_channels": 3, "use_scale": false"#) == nil)
    }

    @Test func bat() {
        // The zoo input is 6×5: no 7×7 transform fits it.
        expectError(zooKindError("bat", #""groups": 2"#), path: "block_size", "must divide H (6) and W (5)", "got 7")
        expectError(zooKindError("bat", #""block_size": 0"#), path: "block_size", "at least 1")
        expectError(zooKindError("bat", #""block_size": 1, "groups": 3"#), path: "groups", "must divide the inner width rd (16)")
        expectError(zooKindError("bat", #""block_size": 1, "act_layer": "mish""#), path: "act_layer", "unknown activation")
        #expect(zooKindError("bat", #""block_size": 1, "groups": 4, "reduced_channels": 8, "act_layer": "gelu""#) == nil)
    }

    @Test func bottleneck() {
        expectError(zooKindError("bottleneck", #""feat_size": [6, 6]"#), path: "feat_size", "[6, 5]")
        expectError(zooKindError("bottleneck", #""stride": 3"#), path: "stride", "1 or 2")
        expectError(zooKindError("bottleneck", #""dim_out": 30"#), path: "dim_out", "must divide dim_out (30)")
        expectError(zooKindError("bottleneck", #""num_heads": 5"#), path: "num_heads", "must divide dim_out (64)")
        expectError(zooKindError("bottleneck", #""dim_head": 0"#), path: "dim_head", "at least 1")
        #expect(zooKindError("bottleneck", #""feat_size": [6, 5], "dim_out": 32, "stride": 2, "qk_ratio": 0.5"#) == nil)
    }

    @Test func lambda() {
        expectError(zooKindError("lambda", #""dim_out": 32"#), path: "dim_out", "must be the input's C (64)")
        expectError(zooKindError("lambda", #""r": 4"#), path: "r", "odd")
        expectError(zooKindError("lambda", #""num_heads": 3"#), path: "num_heads", "must divide dim_out (64)")
        expectError(zooKindError("lambda", #""stride": 3"#), path: "stride", "1 or 2")
        #expect(zooKindError("lambda", #""stride": 2, "r": 3, "dim_head": 8, "num_heads": 2"#) == nil)
        // The relative-position variant: pos_emb is made for feat_size, which must be the input's.
        expectError(zooKindError("lambda", #""feat_size": [6, 6]"#), path: "feat_size", "6×6", "input's plane is 6×5")
        expectError(zooKindError("lambda", #""feat_size": 5"#), path: "feat_size", "5×5", "6×5")
        expectError(zooKindError("lambda", #""feat_size": [6, 5], "r": 9"#), path: "r", "r=None")
        expectError(zooKindError("lambda", #""feat_size": [6, 5, 1]"#), path: "feat_size", "[h, w]")
        #expect(zooKindError("lambda", #""feat_size": [6, 5], "stride": 2, "dim_head": 4"#) == nil)
    }

    @Test func stripAndEla() {
        // timm's strips are one longer than the plane for an even kernel: they do not broadcast.
        expectError(zooKindError("strip", #""kernel_size": 4"#), path: "kernel_size", "odd")
        expectError(zooKindError("strip", #""use_conv": false, "kernel_size": 5"#), path: "kernel_size", "use_conv false")
        expectError(zooKindError("strip", #""act_layer": "relu""#), path: "act_layer", "unknown field for kind \"strip\"")
        expectError(zooKindError("ela", #""kernel_size": 0"#), path: "kernel_size", "odd")
        expectError(zooKindError("ela", #""norm_layer": "layernorm""#), path: "norm_layer", "groupnorm1, groupnorm, batchnorm, none")
        let gn48 = #"{"name": "b", "kind": "ela", "norm_layer": "groupnorm", "input": {"c": 48, "h": 3, "w": 3}}"#
        #expect(throws: SpecError.self) { for spec in try BlockSpec.decodeFile(Data(gn48.utf8)) { _ = try Lowering.lower(spec) } }
        expectError(zooKindError("ela", #""gate_layer": "swish""#), path: "gate_layer", "unknown activation \"swish\"")
        #expect(zooKindError("ela", #""norm_layer": "groupnorm", "kernel_size": 1, "bias": true, "has_skip": true"#) == nil)
        #expect(zooKindError("strip", #""use_conv": false, "gate_layer": "hard_sigmoid""#) == nil)
    }

    @Test func halo() {
        // timm asserts that the blocks tile the plane: the default block_size 8 does not divide 6×5.
        expectError(zooKindError("halo", #""halo_size": 3"#), path: "block_size", "must divide the input's H and W (6×5), got 8")
        expectError(zooKindError("halo", #""block_size": 2"#), path: "block_size", "(6×5), got 2")
        expectError(zooKindError("halo", #""block_size": 0"#), path: "block_size", "at least 1")
        expectError(zooKindError("halo", #""block_size": 1, "halo_size": -1"#), path: "halo_size", "at least 0")
        expectError(zooKindError("halo", #""block_size": 1, "halo_size": 5000"#), path: "halo_size", "at most 1023")
        expectError(zooKindError("halo", #""block_size": 1, "stride": 4"#), path: "stride", "1 or 2")
        expectError(zooKindError("halo", #""block_size": 1, "dim_out": 36"#), path: "dim_out", "must divide dim_out (36)")
        expectError(zooKindError("halo", #""block_size": 1, "num_heads": 5"#), path: "num_heads", "must divide dim_out (64)")
        expectError(zooKindError("halo", #""block_size": 1, "dim_head": 0"#), path: "dim_head", "at least 1")
        expectError(zooKindError("halo", #""block_size": 1, "dim_head": 4611686018427387904"#), path: "dim_head", "32-bit indexing")
        expectError(zooKindError("halo", #""block_size": 1, "num_heads": 64, "qk_ratio": 0.125"#), path: "qk_ratio", "give dim_head")
        expectError(zooKindError("halo", #""block_size": 1, "feat_size": [6, 0]"#), path: "feat_size[1]", "at least 1")
        expectError(zooKindError("halo", #""block_size": 1, "avg_down": 1"#), path: "avg_down", "true or false")
        // timm's feat_size is unused by HaloAttn: any plane size is accepted.
        #expect(zooKindError("halo", #""block_size": 1, "feat_size": 16"#) == nil)
        #expect(zooKindError("halo", #""block_size": 1, "halo_size": 2, "num_heads": 4, "avg_down": true, "stride": 2"#) == nil)
    }
}
