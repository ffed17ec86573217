// Every Generated/ example, built for Cortex-M4F with its weights baked in, run bare-metal under
// qemu-system-arm (mps2-an386, semihosting), its output compared with the interpreter's within
// 1e-5 of max|y|. Each example runs as written (NCHW, libm) and as a device build would use it
// (NHWC, no libm, self-test compiled in and run on the device). The output and the input are
// exchanged as exact float bits; the run time is printed, never asserted.

import AttnGen
import AttnJIT
import Foundation
import Testing

@Suite(.serialized) struct QEMURunTests {
    static let cases: [(String, Variant)] = EmbeddedPaths.exampleSpecs().flatMap { spec in Variant.all.map { (spec, $0) } }

    @Test func everyCatalogKindHasAnExample() {
        let specs = EmbeddedPaths.exampleSpecs()
        for kind in ["se_", "eca_", "cbam_"] { #expect(specs.contains { $0.hasPrefix(kind) }, "no \(kind) example in Generated/") }
    }

    @Test(arguments: cases)
    func runsOnCortexM4FUnderQEMU(_ specFile: String, _ variant: Variant) throws {
        for b in try Workspace.shared.blocks(specFile, variant) {
            let elf = try BareMetal.image(b)
            let device = try BareMetal.run(elf)
            let reference = try b.reference()
            #expect(device.bits.count == reference.count)
            guard device.bits.count == reference.count else { continue }
            let cmp = try Comparison(device.floats, reference: reference)
            #expect(cmp.within(CrossCheck.tolerance), "\(b.name) [\(variant)] on the device vs the interpreter: \(cmp)")

            // Informational: how many elements the device and the x86 JIT agree on to the bit.
            var jitNote = ""
            var jitSpec = b.spec
            jitSpec.selftest = nil  // the JIT takes the weights by pointer; a self-test needs them baked
            if let kernel = try? Kernel(jitSpec, weights: .values(b.params)) {
                let jit = try kernel(b.input)
                let same = zip(jit, device.floats).filter { $0.bitPattern == $1.bitPattern }.count
                jitNote = ", bit-identical to the JIT in \(same) of \(jit.count)"
            }
            if b.hasSelftest {
                #expect(device.selftest == 0, "\(b.name)_selftest() returned \(device.selftest.map(String.init) ?? "nothing") on the device")
            }
            print(
                "qemu \(b.name) [\(variant)]: \(cmp)\(jitNote); selftest \(device.selftest.map(String.init) ?? "-");"
                    + " in place \(b.outputMayAliasInput); QEMU \(String(format: "%.2f", device.seconds)) s")
        }
    }

    /// The generated `attn_expf` gives the same bits on the Cortex-M4F as in the x86 JIT (libtcc),
    /// over edge values and 4,096 inputs drawn across its whole range.
    @Test(arguments: EmbeddedPaths.exampleSpecs().prefix(1))
    func expfIsIdenticalOnDeviceAndJIT(_ specFile: String) throws {
        guard let b = try Workspace.shared.blocks(specFile, .device).first else { return }
        guard b.source.contains("attn_expf") else {
            Issue.record("libm: false did not give an attn_expf in \(b.name).c")
            return
        }
        let device = try BareMetal.run(try BareMetal.image(b, probe: true))
        let jit = try ExpfProbe.jit(b)
        #expect(device.bits.count == jit.count)
        let differing = zip(device.bits, jit).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(differing.isEmpty, "attn_expf differs at \(differing.prefix(5).map { "#\($0.offset): \($0.element.0) vs \($0.element.1)" })")
        print("attn_expf: \(device.bits.count) inputs, \(differing.count) differ between Cortex-M4F and the JIT")
    }
}

/// The probe's inputs (as scripts/embedded/main.c draws them) through the JIT-compiled attn_expf.
enum ExpfProbe {
    static let edges: [Float] = [0, -0.0, 1, -1, 88.7, 88.8, -87.3, -103.9, -200, 200]
    static let count = 4096

    static func inputs(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return edges + (0..<count).map { _ in rng.uniform(-104, 89) }
    }

    typealias Probe = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int32) -> Void

    static func jit(_ b: PreparedBlock) throws -> [UInt32] {
        let wrapper = "\nvoid attn_expf_probe(const float *x, float *y, int n) { for (int i = 0; i < n; i++) y[i] = attn_expf(x[i]); }\n"
        let generated = try Pipeline.generate(b.spec, baseDirectory: b.directory, weightsOverride: nil)
        let module = try TCCModule(source: generated.source.jitSource + wrapper)
        let probe = try module.function("attn_expf_probe", as: Probe.self)
        let x = inputs(seed: b.inputSeed)
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                withExtendedLifetime(module) { probe(xp.baseAddress, yp.baseAddress, Int32(x.count)) }
            }
        }
        return y.map(\.bitPattern)
    }
}
