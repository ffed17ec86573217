// The strip-pooling kinds of issue 13 (coord, scoord, lcbam, strip, ela) reproduce their
// reference code on every host tier and in each device build: every fixture of those kinds
// (scripts/make_zoo_fixtures.py) runs through the JIT (tcc) and the native tier (gcc), as written
// (NCHW, libm) and as a device build (NHWC, no libm), within 1e-5 of max|y| of the reference
// module's output. The Cortex-M4F runs the same kinds from their Generated/ examples
// (EmbeddedTests).

import AttnGen
import AttnInterp
import AttnLower
import AttnWeights
import Foundation
import Testing

/// The kinds whose fixtures this suite runs.
let zooKinds: Set<String> = ["coord", "scoord", "lcbam", "strip", "ela"]

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
            #expect(jit.within(CrossCheck.tolerance), "\(name) [\(label)] JIT vs the reference: \(jit)")
            #expect(gcc.within(CrossCheck.tolerance), "\(name) [\(label)] gcc vs the reference: \(gcc)")
            #expect(interp.within(CrossCheck.tolerance), "\(name) interpreter vs the reference: \(interp)")
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
}
