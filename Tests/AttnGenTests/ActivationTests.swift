// The pointwise activations against PyTorch's own functions (Tests/ActivationFixture, written by
// scripts/make_activation_fixture.py from torch.nn.functional): a dense sweep of [-12, 12], both
// signs of magnitudes 1e-30...1e30 and the float extremes, through the interpreter, the JIT with
// libm and with the generator's own attn_expf/attn_tanhf/attn_erff, and the system compiler's
// tier. Each element within 4 float spacings of PyTorch's result, plus |x|·2^-23 where the
// functions that form x·(1 + f(x)) cancel (GELU's tail, where PyTorch rounds the same way).

import AttnGen
import AttnInterp
import AttnJIT
import AttnNative
import AttnTemplates
import AttnWeights
import Foundation
import Testing

@Suite struct ActivationTests {
    static let file = Paths.root.appendingPathComponent("Tests/ActivationFixture/torch_activations.safetensors").path

    /// The op for each tensor of the fixture (LeakyReLU with nn.LeakyReLU's default slope, as the script).
    static let ops: [(name: String, layer: Layer)] = [
        ("relu", ReLU().layer), ("sigmoid", Sigmoid().layer), ("hard_sigmoid", HardSigmoid().layer),
        ("relu6", ReLU6().layer), ("silu", SiLU().layer), ("hard_swish", HardSwish().layer), ("gelu", GELU().layer),
        ("gelu_tanh", GELU(approximate: .tanh).layer), ("tanh", Tanh().layer), ("leaky_relu", LeakyReLU().layer),
    ]

    static func allowed(_ x: Float, _ expected: Float) -> Float {
        4 * abs(expected).ulp + abs(x) * 0x1p-23
    }

    @Test(arguments: ops.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        let io = try SafeTensorsFile.load(path: Self.file)
        let x = try io.floats("input")
        let expected = try io.floats(name)
        let layer = try #require(Self.ops.first { $0.name == name }).layer
        let spec = Block("act_\(name)", input: .nchw(1, 1, 1, x.count)) { layer }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-act-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = NativeCompiler(cacheDirectory: cache)
        var results: [(String, [Float])] = []
        for libm in [true, false] {
            let variant = spec.libm(libm)
            let kernel = try Kernel(variant, weights: .values([]))
            results.append(("JIT libm \(libm)", try kernel(x)))
            results.append(("gcc tier libm \(libm)", try NativeKernel(variant, weights: .values([]), compiler: compiler).apply(x)))
            if libm { results.append(("interpreter", try Interpreter.run(kernel.program, input: x, params: []))) }
        }
        for (label, y) in results {
            var worst: (excess: Float, i: Int) = (0, -1)
            for i in x.indices {
                let e = expected[i]
                if e.isInfinite {
                    #expect(y[i] == e, "\(name) [\(label)] at x = \(x[i]): \(y[i]), PyTorch \(e)")
                    continue
                }
                let excess = abs(y[i] - e) / Self.allowed(x[i], e)
                if !(excess <= worst.excess) { worst = (excess, i) }
            }
            let at = worst.i >= 0 ? "x = \(x[worst.i]): \(y[worst.i]) vs PyTorch \(expected[worst.i])" : "-"
            print("activation \(name) [\(label)]: worst \(worst.excess) of the allowed error at \(at)")
            #expect(worst.excess <= 1, "\(name) [\(label)] at \(at)")
        }
    }

    /// The generated tanh and erf over 2^20 points of [-10, 10] and 8,192 floats near 0, both signs,
    /// compiled alone with tcc (the exhaustive bound is scripts/tanhf_erff_exhaustive.c's).
    @Test func ownTanhAndErfAreAccurate() throws {
        let helpers = ["expf", "tanhf", "erff"].map {
            Templates.text("\($0).c").replacingOccurrences(of: "static float attn_", with: "float attn_")
        }
        let module = try TCCModule(source: "typedef unsigned int uint32_t;\n#define INFINITY (1.0f / 0.0f)\n" + helpers.joined(separator: "\n"))
        typealias F = @convention(c) (Float) -> Float
        let tanhf = try module.function("attn_tanhf", as: F.self)
        let erff = try module.function("attn_erff", as: F.self)
        var points: [Float] = (0..<(1 << 20)).map { i in Float(-10) + Float(20) * Float(i) / Float(1 << 20) }
        for i in 0..<8192 { points.append(Float(bitPattern: 0x3000_0000 + UInt32(i) * 2048)) }
        points += points.map { -$0 }
        let cases: [(String, F, (Double) -> Double)] = [("attn_tanhf", tanhf, { Foundation.tanh($0) }), ("attn_erff", erff, { Foundation.erf($0) })]
        for (name, f, exact) in cases {
            var worst = 0.0
            for x in points {
                let e = exact(Double(x))
                // The float spacing at the exact result's magnitude (below 1 when it rounds up to 1).
                let spacing = Double(Float(abs(e)).nextDown.ulp)
                worst = max(worst, abs(Double(f(x)) - e) / spacing)
            }
            #expect(worst <= 2.0, "\(name) error \(worst) ulp")
            #expect(f(.nan).isNaN && f(.infinity) == 1 && f(-.infinity) == -1 && f(-0.0).sign == .minus && f(0) == 0, "\(name) at NaN, ±inf, ±0")
            print("\(name): worst \(worst) ulp over \(points.count) points")
        }
        withExtendedLifetime(module) {}
    }

    /// `libm: false` code with every activation links without libm (gcc, -fno-builtin so no call
    /// is quietly turned into an inline instruction, no -lm) and runs; the libm form of the same
    /// block, the control, does not link that way.
    @Test func libmFreeCodeLinksWithoutLibm() throws {
        let gcc = try #require(which("gcc"), "gcc not found on PATH")
        let spec = try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent("activations_c24.spec.json").path)[0]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-nolibm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = """
            #include "activations_c24.h"
            static float x[ACTIVATIONS_C24_INPUT_SIZE], y[ACTIVATIONS_C24_OUTPUT_SIZE], p[ACTIVATIONS_C24_PARAMS_SIZE];
            static float s[ACTIVATIONS_C24_SCRATCH_SIZE + 1];
            int main(void)
            {
                int i;
                for (i = 0; i < ACTIVATIONS_C24_INPUT_SIZE; i++) x[i] = (float)(i % 17) * 0.5f - 4.0f;
                for (i = 0; i < ACTIVATIONS_C24_PARAMS_SIZE; i++) p[i] = (float)(i % 5) * 0.1f - 0.2f;
                activations_c24_forward(x, y, p, s);
                for (i = 0; i < ACTIVATIONS_C24_OUTPUT_SIZE; i++) if (!(y[i] == y[i])) return 1;
                return 0;
            }
            """
        try main.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        for libm in [false, true] {
            let g = try Pipeline.generate(spec.libm(libm))
            for (name, text) in g.source.files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            #expect(g.source.source.contains("attn_tanhf(") != libm && g.source.source.contains("attn_erff(") != libm)
            let exe = dir.appendingPathComponent("run-\(libm)").path
            let (status, log) = run(gcc, [
                "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-fno-builtin", "-I", dir.path,
                dir.appendingPathComponent("main.c").path, dir.appendingPathComponent("activations_c24.c").path, "-o", exe,
            ])
            if libm {
                #expect(status != 0 && log.contains("undefined reference"), "the libm form linked without -lm: \(log)")
            } else {
                #expect(status == 0, "\(log)")
                #expect(run(exe, []).0 == 0)
            }
        }
    }
}
