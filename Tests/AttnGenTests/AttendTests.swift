// Attention's query blocks on the gcc tier (attend.c: the scores' panels, each panel's softmax in
// one pass after its maximum, the sums kept for the outputs) against the interpreter, with and
// without libm, at shapes off every blocking edge: keys past a 256-key block and off the 6-key
// tile, query blocks ending in a full 16-wide panel, a partial one (12) and a one-vector panel
// (5), an inexact scale (so the scaled scores are stored before the shift), and DANet's PAM.
// And attend.c's own exponential on libm builds against the host's expf it stands in for.

import AttnGen
import AttnInterp
import AttnNative
import AttnSpec
import AttnTemplates
import Foundation
import Testing

@Suite struct AttendTests {
    static let specs = [
        #"{"name": "attend_a", "input": {"c": 1, "h": 5, "w": 37}, "graph": [{"op": "attention", "inputs": ["x", "x", "x"], "scale": 0.3}]}"#,
        #"{"name": "attend_b", "input": {"n": 2, "c": 1, "h": 3, "w": 300}, "graph": [{"op": "attention", "inputs": ["x", "x", "x"], "scale": 0.7}]}"#,
        #"{"name": "attend_pam", "kind": "danet_pam", "input": {"c": 16, "h": 5, "w": 7}}"#,
    ]

    @Test(arguments: [true, false])
    func gccTierMatchesInterpreter(_ libm: Bool) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-attend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = NativeCompiler(cacheDirectory: cache)
        for json in Self.specs {
            let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first).libm(libm)
            let kernel = try NativeKernel(spec, weights: .random(seed: 5), compiler: compiler)
            #expect(try Pipeline.generate(spec).source.source.contains("attn_attend("), "\(spec.name): not on attend.c")
            let input = kernel.program.randomInput(seed: 9)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) libm \(libm): \(comparison)")
        }
    }

    /// attn_attend_expf gives attn_expf_host's bits for the softmax's arguments, x <= 0 and NaN
    /// (a spread of them here, in vectorised loops at -O3 -march=native as the kernels run it; every
    /// such float was checked once by a script).
    @Test func ownExponentialIsTheHostExpfAtOrBelowZero() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-attend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let harness = """
            #include <stdint.h>
            #include <math.h>
            \(Templates.text("expf_host.c"))
            \(Templates.text("attend_expf.c"))
            /* Bit patterns start, start + stride, ... (count of them) through both: how many differ. */
            long attn_attend_expf_mismatches(uint32_t start, uint32_t stride, long count)
            {
                float x[1024], a[1024], b[1024];
                long bad = 0;
                for (long i0 = 0; i0 < count; i0 += 1024) {
                    const long n = count - i0 < 1024 ? count - i0 : 1024;
                    for (long i = 0; i < n; i++) {
                        const uint32_t u = start + (uint32_t)(i0 + i) * stride;
                        __builtin_memcpy(&x[i], &u, sizeof u);
                    }
                    for (long i = 0; i < n; i++) a[i] = expf(x[i]);
                    for (long i = 0; i < n; i++) b[i] = attn_attend_expf(x[i]);
                    for (long i = 0; i < n; i++) bad += __builtin_memcmp(&a[i], &b[i], sizeof a[i]) != 0;
                }
                return bad;
            }
            """
        let library = try NativeCompiler(cacheDirectory: cache).library(files: [("expf.c", harness)], main: "expf.c", key: "attend expf", useCache: false)
        let mismatches = try library.function("attn_attend_expf_mismatches", as: (@convention(c) (UInt32, UInt32, Int) -> Int).self)
        // Negative floats (-0 to -inf and the negative NaNs) every 509th, every one from -86 to
        // -88.8 (where the clamp and the flush to 0 are), +0, and positive NaNs every 509th.
        #expect(mismatches(0x8000_0000, 509, (1 << 31) / 509) == 0)
        #expect(mismatches(Float(-86).bitPattern, 1, Int(Float(-88.8).bitPattern - Float(-86).bitPattern)) == 0)
        #expect(mismatches(0, 1, 1) == 0)
        #expect(mismatches(0x7f80_0001, 509, (1 << 23) / 509) == 0)
    }
}
