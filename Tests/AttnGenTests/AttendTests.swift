// Attention's query blocks on the gcc tier (attend.c: the scores' panels, each panel's softmax in
// one pass after its maximum, the sums kept for the outputs) against the interpreter, with and
// without libm, at every ISA level this CPU runs, at shapes off every blocking edge: keys past a
// 256-key block and off the 6-key tile, query blocks ending in a full 16-wide panel, a partial one
// (12) and a one-vector panel (5), an inexact scale (so the scaled scores are stored before the
// shift), and DANet's PAM.
// And attend.c's vector exponentials against the scalar ones they stand in for.

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

    /// Every ISA level this CPU runs: each compiles its own vector width (4, 8 or 16 lanes).
    static let levels = ISALevel.runnable().levels

    @Test(arguments: [true, false], levels)
    func gccTierMatchesInterpreter(_ libm: Bool, _ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-attend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        for json in Self.specs {
            let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first).libm(libm)
            let kernel = try NativeKernel(spec, weights: .random(seed: 5), compiler: compiler)
            #expect(try Pipeline.generate(spec).source.source.contains("attn_attend("), "\(spec.name): not on attend.c")
            let input = kernel.program.randomInput(seed: 9)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) libm \(libm) at \(level): \(comparison)")
        }
    }

    /// attn_attend_vexp gives the bits of the scalar exponential it stands in for, for the softmax's
    /// arguments, x <= 0 and NaN: on libm builds attn_expf_host's (a signalling NaN comes out quiet;
    /// the softmax's x, a difference, is never one), without libm attn_expf's. A spread of them
    /// here; every such float is checked by
    /// scripts/attend_expf_exhaustive.c. At every level, as the kernels run it (with FMA from v3).
    @Test(arguments: [true, false], levels)
    func vectorExponentialIsTheScalarOneAtOrBelowZero(_ libm: Bool, _ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-attend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let (scalar, vector, reference) = libm ? ("expf_host.c", "attend_expf.c", "attn_expf_host") : ("expf.c", "attend_expf_lanes.c", "attn_expf")
        let harness = """
            #include <stdint.h>
            #include <math.h>
            #if defined(__AVX512F__)
            #define ATTN_GEMM_LANES 16
            #elif defined(__AVX__)
            #define ATTN_GEMM_LANES 8
            #else
            #define ATTN_GEMM_LANES 4
            #endif
            typedef float attn_gemm_vec __attribute__((vector_size(4 * ATTN_GEMM_LANES)));
            typedef int32_t attn_attend_mask __attribute__((vector_size(4 * ATTN_GEMM_LANES)));
            \(Templates.text(scalar))
            \(Templates.text(vector))
            /* Bit patterns start, start + stride, ... (count of them) through both: how many differ
             * (with `quiet`, a NaN in gives a NaN with x's quiet bits). */
            long attn_attend_expf_mismatches(uint32_t start, uint32_t stride, long count)
            {
                const int quiet = \(libm ? 1 : 0);
                float x[1024], a[1024], b[1024];
                long bad = 0;
                for (long i0 = 0; i0 < count; i0 += 1024) {
                    const long n = count - i0 < 1024 ? count - i0 : 1024;
                    for (long i = 0; i < 1024; i++) {
                        const uint32_t u = start + (uint32_t)(i0 + (i < n ? i : 0)) * stride;
                        __builtin_memcpy(&x[i], &u, sizeof u);
                    }
                    for (long i = 0; i < n; i++) a[i] = \(reference)(x[i]);
                    for (long i = 0; i < 1024; i += ATTN_GEMM_LANES) {
                        attn_gemm_vec v;
                        __builtin_memcpy(&v, x + i, sizeof v);
                        v = attn_attend_vexp(v);
                        __builtin_memcpy(b + i, &v, sizeof v);
                    }
                    for (long i = 0; i < n; i++) {
                        uint32_t ua, ub;
                        __builtin_memcpy(&ua, &a[i], sizeof ua);
                        __builtin_memcpy(&ub, &b[i], sizeof ub);
                        bad += quiet && x[i] != x[i] ? (b[i] == b[i] || (ua | 0x400000u) != ub) : ua != ub;
                    }
                }
                return bad;
            }
            """
        let library = try NativeCompiler(cacheDirectory: cache).at(level).library(files: [("expf.c", harness)], main: "expf.c", key: "attend expf", useCache: false)
        let mismatches = try library.function("attn_attend_expf_mismatches", as: (@convention(c) (UInt32, UInt32, Int) -> Int).self)
        // Negative floats (-0 to -inf and the negative NaNs) every 509th, every one from -86 to
        // -88.8 (where the clamp and the flush to 0 are), +0, and positive NaNs every 509th.
        #expect(mismatches(0x8000_0000, 509, (1 << 31) / 509) == 0)
        #expect(mismatches(Float(-86).bitPattern, 1, Int(Float(-88.8).bitPattern - Float(-86).bitPattern)) == 0)
        #expect(mismatches(0, 1, 1) == 0)
        #expect(mismatches(0x7f80_0001, 509, (1 << 23) / 509) == 0)
    }
}
