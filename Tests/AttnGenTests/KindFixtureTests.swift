// The kinds of issue 13 reproduce their reference code on every host tier and in each device
// build: every fixture of those kinds (scripts/make_kind_fixtures.py) runs through the JIT (tcc)
// and the native tier (gcc), as written (NCHW, libm) and as a device build (NHWC, no libm),
// within 1e-5 of max|y| of the reference module's output. The Cortex-M4F runs the same kinds
// from their Generated/ examples (EmbeddedTests).

import AttnGen
import AttnInterp
import AttnSpec
import AttnWeights
import Foundation
import Testing

/// The kinds whose fixtures this suite runs.
let issue13Kinds: Set<String> = ["ese", "ceca", "gc", "triplet", "fca", "ge", "simam", "srm", "eca"]

private func fixtureKind(_ name: String) -> String? {
    let path = Paths.fixtures.appendingPathComponent("\(name)/spec.json").path
    return (try? Pipeline.loadSpecs(path: path))?.first?.kind
}

@Suite struct KindFixtureTests {
    static let names = Paths.fixtureNames().filter { fixtureKind($0).map(issue13Kinds.contains) ?? false }

    @Test func everyKindHasAFixture() {
        for kind in issue13Kinds { #expect(Self.names.contains { fixtureKind($0) == kind }, "no \(kind) fixture") }
    }

    /// The DCT filter attn-gen computes at lowering is the official `get_dct_filter`: every FcaNet
    /// fixture that saved the buffer holds it, within float rounding (import checks each file the
    /// same way); the others work without it.
    @Test func fcaFilterIsTheOfficialOne() throws {
        let fca = Self.names.filter { fixtureKind($0) == "fca" }
        var withBuffer = 0, without = 0
        for name in fca {
            let dir = Paths.fixtures.appendingPathComponent(name)
            let spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
            let weights = try SafeTensorsFile.load(path: dir.appendingPathComponent("weights.safetensors").path)
            guard let dims = weights.tensors["dct_layer.weight"]?.shape else {
                without += 1
                continue
            }
            withBuffer += 1
            let file = try weights.floats("dct_layer.weight")
            // The spec as the weights complete it (dct_h, dct_w from the buffer's shape).
            let completed = try Pipeline.generate(spec, baseDirectory: dir).spec
            guard case .fixed(_, _, let ours, let ourDims, _)? = try completed.derivedTensors()["dct_layer.weight"] else {
                Issue.record("\(name): no computed DCT filter")
                continue
            }
            let worst = zip(ours, file).map { abs($0 - $1) }.max() ?? .infinity
            #expect(ourDims == dims && worst <= 1e-6, "\(name): DCT filter differs by \(worst)")
        }
        #expect(withBuffer >= 3 && without >= 1)
    }

    @Test(arguments: names)
    func everyTierAndBuildReproducesTheReference(_ name: String) throws {
        let dir = Paths.fixtures.appendingPathComponent(name)
        let base = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
        let io = try SafeTensorsFile.load(path: dir.appendingPathComponent("io.safetensors").path)
        let input = try io.floats("input")
        let expected = try io.floats("output")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-kind-fixtures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        for (label, spec) in [("nchw libm", base), ("nhwc no-libm", base.layout(.nhwc).libm(false))] {
            let kernel = try Kernel(spec, weights: .spec(baseDirectory: dir))
            let native = try NativeKernel(sameAs: kernel, compiler: NativeCompiler(cacheDirectory: cache))
            let layout = kernel.layout
            let x = try layout.fromNCHW(input, kernel.program.input)
            let jit = try Comparison(try layout.toNCHW(try kernel(x), kernel.program.outputShape), reference: expected)
            let gcc = try Comparison(try layout.toNCHW(try native.apply(x), kernel.program.outputShape), reference: expected)
            let interp = try Comparison(try Interpreter.run(kernel.program, input: input, params: kernel.params), reference: expected)
            print("kind fixture \(name) [\(label)]: JIT \(jit); gcc \(gcc); interpreter \(interp) vs the reference")
            #expect(jit.within(CrossCheck.tolerance), "\(name) [\(label)] JIT vs the reference: \(jit)")
            #expect(gcc.within(CrossCheck.tolerance), "\(name) [\(label)] gcc vs the reference: \(gcc)")
            #expect(interp.within(CrossCheck.tolerance), "\(name) interpreter vs the reference: \(interp)")
        }
    }
}
