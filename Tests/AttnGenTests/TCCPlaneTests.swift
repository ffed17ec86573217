// tcc's many-row forms of the memory-bound passes (Templates/c/pool_rows, gated_pool_rows and
// scale_rows .tcc.c.tmpl): a global pool of every row, CBAM's gated channel pools and the gates'
// scaling in one call per plane instead of one per row. Each against sums in Double or the row
// forms' arithmetic in Float (the same bits), widths on and off the blocks of 8 and 32, 0 to 9
// rows, under both ISAs where the CPU has AVX2; then blocks using them through the JIT against
// the interpreter.

import AttnCEmit
import AttnGen
import AttnJIT
import AttnTemplates
import Foundation
import Testing

/// The forms this CPU runs: SSE always, AVX2/FMA where cpuinfo lists both.
private let planeISAs: [Int] = {
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") }
    let words = Set(flags?.split(separator: " ").map(String.init) ?? [])
    return words.isSuperset(of: ["avx2", "fma"]) ? [1, 2] : [1]
}()

@Suite struct TCCPlaneTests {
    static let widths = [0, 1, 7, 8, 9, 28, 31, 32, 33, 196]

    /// attn_pool_rows (sums against Double, maxima bit for bit, NaN skipped, either output
    /// null), attn_gated_pool_rows and attn_scale_rows (bit for bit against the row forms'
    /// arithmetic); nothing past the written floats touched.
    @Test func planeHelpers() throws {
        #if arch(x86_64)
        for isa in planeISAs {
            let names = ["row_sum_max", "row_scale", "row_scale_sum_max", "row_scale_mul", "pool_rows", "gated_pool_rows", "scale_rows"]
            let source = "#define INFINITY (1.0f / 0.0f)\n#define ATTN_TCC_ISA \(isa)\n"
                + (Templates.text("tcc_isa.tcc.c") + names.map { VEX.expand(Templates.text("\($0).tcc.c")) }.joined())
                .replacingOccurrences(of: "static void attn_pool_rows(", with: "void attn_pool_rows(")
                .replacingOccurrences(of: "static void attn_gated_pool_rows(", with: "void attn_gated_pool_rows(")
                .replacingOccurrences(of: "static void attn_scale_rows(", with: "void attn_scale_rows(")
            let module = try TCCModule(source: source)
            typealias Pool = @convention(c) (UnsafePointer<Float>, Int32, Int32, Float, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
            typealias Gated = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int32, Int32, Float) -> Void
            typealias Scale = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, Int32, Int32) -> Void
            let pool = try module.function("attn_pool_rows", as: Pool.self)
            let gated = try module.function("attn_gated_pool_rows", as: Gated.self)
            let scale = try module.function("attn_scale_rows", as: Scale.self)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(isa)
            let random = { () -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int(state >> 40) % 2001) * 0.01 - 10
            }
            let bits = { (a: [Float]) in a.map(\.bitPattern) }
            let maxOf = { (a: ArraySlice<Float>) in a.reduce(-Float.infinity) { $1 > $0 ? $1 : $0 } }
            for n in Self.widths {
                for rows in 0...9 {
                    var x = (0..<(rows * n + 8)).map { _ in random() }
                    if rows * n > 2 { x[rows * n / 2] = .nan }
                    let g = (0..<(rows + 1)).map { _ in random() * 0.1 }
                    let s = (0..<(n + 1)).map { _ in random() * 0.1 }
                    let row = { (r: Int) in x[(r * n)..<(r * n + n)] }
                    // Pools: both outputs, then each alone.
                    for (wantSum, wantMax) in [(true, true), (true, false), (false, true)] {
                        var (sum, max) = ([Float](repeating: -7, count: 12), [Float](repeating: -7, count: 12))
                        sum.withUnsafeMutableBufferPointer { sb in max.withUnsafeMutableBufferPointer { mb in
                            pool(x, Int32(rows), Int32(n), 0.25, wantSum ? sb.baseAddress : nil, wantMax ? mb.baseAddress : nil) } }
                        for r in 0..<12 {
                            var sumOK = sum[r] == -7
                            if wantSum && r < rows {
                                let exact = row(r).map(Double.init).reduce(0, +) * 0.25
                                sumOK = exact.isNaN ? sum[r].isNaN : abs(Double(sum[r]) - exact) <= 1e-5 * Swift.max(1, abs(exact))
                            }
                            #expect(sumOK, "pool_rows sum \(rows)x\(n) row \(r), ISA \(isa)")
                            let maxWant: Float = wantMax && r < rows ? maxOf(row(r)) : -7
                            #expect(max[r].bitPattern == maxWant.bitPattern, "pool_rows max \(rows)x\(n) row \(r), ISA \(isa)")
                        }
                    }
                    // Gated pools: the row form's order, products then sums, the mean scaled last.
                    var (ws, wm) = ([Float](repeating: 0, count: n), [Float](repeating: -.infinity, count: n))
                    for r in 0..<rows {
                        for i in 0..<n {
                            let v = g[r] * x[r * n + i]
                            ws[i] += v
                            wm[i] = v > wm[i] ? v : wm[i]
                        }
                    }
                    ws = ws.map { $0 * 0.125 } + [-7]
                    wm += [-7]
                    var (gs, gm) = ([Float](repeating: -7, count: n + 1), [Float](repeating: -7, count: n + 1))
                    gated(&gs, &gm, x, g, Int32(rows), Int32(n), 0.125)
                    #expect(bits(gs) == bits(ws) && bits(gm) == bits(wm), "gated_pool_rows \(rows)x\(n), ISA \(isa)")
                    // Scaling, without and with the plane, out of place and in place.
                    for plane in [false, true] {
                        let want = (0..<(rows * n)).map { j in plane ? s[j % n] * (g[j / n] * x[j]) : g[j / n] * x[j] } + [-7]
                        var y = [Float](repeating: -7, count: rows * n + 1)
                        s.withUnsafeBufferPointer { sp in scale(&y, x, g, plane ? sp.baseAddress : nil, Int32(rows), Int32(n)) }
                        #expect(bits(y) == bits(want), "scale_rows \(rows)x\(n) plane \(plane), ISA \(isa)")
                        var z = Array(x[0..<(rows * n)]) + [-7]
                        z.withUnsafeMutableBufferPointer { zb in
                            s.withUnsafeBufferPointer { sp in scale(zb.baseAddress!, zb.baseAddress!, g, plane ? sp.baseAddress : nil, Int32(rows), Int32(n)) } }
                        #expect(bits(z) == bits(want), "scale_rows in place \(rows)x\(n) plane \(plane), ISA \(isa)")
                    }
                }
            }
            withExtendedLifetime(module) {}
        }
        #endif
    }

    /// Blocks whose passes take the plane forms (SE-like pool and scale, CBAM's three passes, the
    /// multi-scale excitation, LCBAM) through the JIT under each ISA, against the interpreter:
    /// planes on and off the blocks of 8 and 32, N 1 and 2, rows in and past blocks of eight.
    @Test(arguments: [(1, 8, 7, 4), (2, 9, 14, 14), (1, 20, 3, 11), (2, 16, 1, 33)])
    func planesThroughTheJIT(_ shape: (Int, Int, Int, Int)) throws {
        let (n, c, h, w) = shape
        let specs = [
            #"{"name": "tcc_planes_excite", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "graph": [{"op": "global_pool", "mode": "mean", "as": "s"}, {"op": "channel_conv1d", "kernel_size": 3, "param": "k3", "as": "e3"}, {"op": "channel_conv1d", "kernel_size": 5, "param": "k5", "inputs": ["s"]}, {"op": "add", "inputs": ["e3"]}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]}"#,
            #"{"name": "tcc_planes_lcbam", "kind": "lcbam", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "reduced_channels": 2}"#,
            #"{"name": "tcc_planes_cbam", "kind": "cbam", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "reduced_channels": 3, "spatial_kernel_size": 3}"#,
        ]
        for text in specs {
            let spec = try BlockSpec(json: JSONValue.parse(Data(text.utf8)))
            for isa in planeISAs {
                let kernel = try Kernel(spec, weights: .random(seed: 13), tccISA: isa)
                let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 14))
                #expect(result.passed, "\(spec.name) \(shape), ATTN_TCC_ISA \(isa): \(result)")
            }
        }
    }
}
