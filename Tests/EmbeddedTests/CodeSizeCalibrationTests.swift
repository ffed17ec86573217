// Refits CodeSizeModel's coefficients: `ATTN_CALIBRATE=1 swift test --filter CodeSizeCalibration`.
// Generates a corpus of blocks (SE, ECA, CBAM over several C, r, k, bias and N; custom graphs
// using every op), each plain, without libm, and in NHWC without libm with the self-test, with
// random weights baked in; compiles each for M0+, M4F and M7 with arm-none-eabi-gcc -O2; takes
// code = text - weights from arm-none-eabi-size; fits code ≈ b·features by least squares per
// core; prints the fitted table for Sources/AttnFootprint/CodeSizeModel.swift with the
// leave-one-out errors. Off by default: it compiles a few hundred objects.

import AttnGen
import AttnFootprint
import AttnLower
import Foundation
import Testing

@Suite struct CodeSizeCalibrationTests {
    static let enabled = ProcessInfo.processInfo.environment["ATTN_CALIBRATE"] == "1"

    @Test(.enabled(if: enabled)) func refit() throws {
        let tools = try ARMTools.get()
        let corpus = Self.corpus()
        let variants = [Variant.plain, Variant(layout: .nchw, libm: false, selftest: false), Variant.device]
        var items: [(spec: BlockSpec, variant: Variant)] = []
        for s in corpus { for v in variants { items.append((v.apply(s), v)) } }
        let dir = Workspace.shared.root.appendingPathComponent("calibration")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

        // Generate (in process, random weights), then compile every item for every core.
        var sources: [(name: String, features: CodeFeatures, weights: Int, file: URL)] = []
        for (i, item) in items.enumerated() {
            var spec = item.spec
            spec.name = "\(spec.name)_\(i)"
            let lowered = try Lowering.lower(spec)
            if lowered.program.paramCount == 0 { spec.selftest = nil }  // the self-test needs a weights file
            let wURL = dir.appendingPathComponent("\(spec.name).safetensors")
            try Data(RandomCheckpoint.encode(lowered, seed: UInt64(i))).write(to: wURL)
            let g = try Pipeline.generate(spec, weightsOverride: lowered.program.paramCount > 0 ? wURL.path : nil)
            try OutputWriter.write(g.source.files, to: dir)
            sources.append((spec.name, CodeFeatures(g.source), g.program.paramCount * 4,
                dir.appendingPathComponent("\(spec.name).c")))
        }
        let cores = CortexM.allCases
        let results = Results(count: sources.count * cores.count)
        let frozen = sources
        DispatchQueue.concurrentPerform(iterations: frozen.count * cores.count) { k in
            let (s, core) = (frozen[k / cores.count], cores[k % cores.count])
            let obj = dir.appendingPathComponent("\(s.name).\(core).o")
            let r = Tool.run(tools.gcc, core.flags + ["-std=c99", "-O2", "-w", "-c", s.file.path, "-o", obj.path])
            results.set(k, r.status == 0 ? ((try? SizeReport(obj, tools).text) ?? -1) - s.weights : -1)
        }
        let measured = results.values
        var csv = "name,core,tokens,loops,branches,helper_calls,expf_calls,constant_bytes,measured_code\n"
        for (i, s) in sources.enumerated() {
            for (c, core) in cores.enumerated() {
                let f = s.features
                csv += "\(s.name),\(core),\(f.tokens),\(f.loops),\(f.branches),\(f.helperCalls),\(f.expfCalls),"
                    + "\(f.constantBytes),\(measured[i * cores.count + c])\n"
            }
        }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("calibration.csv"))
        print("calibration data: \(dir.appendingPathComponent("calibration.csv").path)")
        for (c, core) in cores.enumerated() {
            var rows: [[Double]] = []
            var ys: [Double] = []
            for (i, s) in sources.enumerated() where measured[i * cores.count + c] >= 0 {
                rows.append(s.features.vector)
                ys.append(Double(measured[i * cores.count + c] - s.features.constantBytes))
            }
            #expect(rows.count == sources.count, "\(sources.count - rows.count) objects failed to compile for \(core)")
            let b = LeastSquares.fit(rows, ys)
            var worstBytes = 0.0
            var worstRel = 0.0
            var outside = 0
            for i in rows.indices {
                var r2 = rows
                var y2 = ys
                r2.remove(at: i)
                y2.remove(at: i)
                let bi = LeastSquares.fit(r2, y2)
                let e = zip(bi, rows[i]).reduce(0) { $0 + $1.0 * $1.1 } - ys[i]
                worstBytes = max(worstBytes, abs(e))
                worstRel = max(worstRel, abs(e) / max(ys[i], 1))
                if !CodeSizeModel.withinTolerance(estimate: Int((ys[i] + e).rounded()), measured: Int(ys[i])) { outside += 1 }
            }
            let coef = b.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            print(
                "calibrated \(core) on \(rows.count) objects: coefficients: [\(coef)], calibrationError: "
                    + "(\(Int(worstBytes.rounded(.up))), \(String(format: "%.2f", worstRel))); "
                    + "leave-one-out outside \(CodeSizeModel.toleranceText): \(outside)")
        }
    }

    /// The calibration corpus: 84 SE/ECA/CBAM blocks and custom graphs, 26 of the later kinds and
    /// the 9 op graphs.
    static func corpus() -> [BlockSpec] {
        var json: [String] = []
        var i = 0
        for c in [16, 256, 1024] {
            for r in [4, 16] {
                for bias in [true, false] {
                    for (n, h, w) in [(1, 56, 56), (3, 7, 9)] {
                        json.append(#"{"name": "se_\#(i)", "kind": "se", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "reduction": \#(r), "bias": \#(bias)}"#)
                        i += 1
                    }
                }
            }
        }
        for c in [32, 512, 2048] {
            for k in [1, 3, 5, 9] {
                for n in [1, 2] {
                    json.append(#"{"name": "eca_\#(i)", "kind": "eca", "input": {"n": \#(n), "c": \#(c), "h": 14, "w": 14}, "kernel_size": \#(k)}"#)
                    i += 1
                }
            }
        }
        for c in [64, 1024] {
            for k in [3, 7] {
                for bias in [true, false] {
                    for n in [1, 2] {
                        json.append(#"{"name": "cbam_\#(i)", "kind": "cbam", "input": {"n": \#(n), "c": \#(c), "h": 14, "w": 14}, "reduction": 16, "spatial_kernel_size": \#(k), "bias": \#(bias)}"#)
                        i += 1
                    }
                }
            }
        }
        let graphs = [
            #"[{"op": "global_pool", "mode": "max"}, {"op": "channel_conv1d", "kernel_size": 5, "param": "conv"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": C, "param": "fc"}, {"op": "hard_sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "channel_pool", "mode": "max"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "channel_pool", "mode": "mean", "as": "a"}, {"op": "channel_pool", "mode": "max", "inputs": ["x"], "as": "b"}, {"op": "concat", "inputs": ["a", "b"]}, {"op": "conv2d", "out_channels": 1, "kernel_size": 3, "bias": false, "param": "sp"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "batch_norm", "param": "bn"}, {"op": "relu"}]"#,
            #"[{"op": "relu"}, {"op": "add", "inputs": ["x"]}]"#,
            #"[{"op": "global_pool", "mode": "mean", "as": "m"}, {"op": "global_pool", "mode": "max", "inputs": ["x"], "as": "M"}, {"op": "add", "inputs": ["m", "M"]}, {"op": "linear", "out_features": 4, "param": "f1"}, {"op": "relu"}, {"op": "linear", "out_features": C, "param": "f2"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "conv2d", "out_channels": 4, "kernel_size": 3, "param": "c1", "bias": true}, {"op": "relu"}, {"op": "conv2d", "out_channels": C, "kernel_size": 1, "bias": false, "param": "c2"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 2, "bias": false, "param": "c"}, {"op": "batch_norm", "param": "bn"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#,
            #"[{"op": "global_pool", "mode": "mean"}, {"op": "channel_conv1d", "kernel_size": 3, "param": "c"}, {"op": "sigmoid", "as": "g"}, {"op": "channel_pool", "mode": "mean", "inputs": ["x"]}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["g"]}, {"op": "mul", "inputs": ["x"]}]"#,
        ]
        for (gi, g) in graphs.enumerated() {
            for (n, c, h, w) in [(1, 16, 12, 12), (2, 64, 7, 5)] {
                let graph = g.replacingOccurrences(of: ": C,", with: ": \(c),")
                json.append(#"{"name": "g\#(gi)_\#(i)", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "graph": \#(graph)}"#)
                i += 1
            }
        }
        // The catalog kinds added with issue 3, at two shapes each (defaults otherwise).
        let kinds: [(kind: String, extra: String)] = [
            ("se_var1", ""), ("se_var2", ""), ("se_var3", ""), ("se_gc", #", "groups": 4"#), ("bam", ""),
            ("sk", #", "groups": 4"#), ("danet_pam", ""), ("danet_cam", ""), ("scconv", #", "groups": 2"#),
            ("psa", ""), ("emsa", #", "num_heads": 2, "sr_ratio": 2, "apply_transform": true, "qkv_bias": true"#),
            ("external_attention", #", "S": 16"#), ("fusion", #", "reduction": 4"#),
        ]
        for (kind, extra) in kinds {
            for (n, c, h, w) in [(1, 64, 8, 8), (2, 128, 12, 12)] {
                json.append(#"{"name": "\#(kind)_\#(i)", "kind": "\#(kind)", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}\#(extra)}"#)
                i += 1
            }
        }
        var specs = json.map { try! BlockSpec.decodeFile(Data($0.utf8))[0] }
        // Every primitive op, from the op-graph tests.
        let opGraphs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("OpGraphs/ops.json")
        specs += try! BlockSpec.decodeFile(Data(contentsOf: opGraphs))
        return specs
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int]
    init(count: Int) { storage = Array(repeating: -1, count: count) }
    func set(_ i: Int, _ v: Int) {
        lock.lock()
        storage[i] = v
        lock.unlock()
    }
    var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

/// Ordinary least squares through the normal equations (a handful of columns, well scaled).
enum LeastSquares {
    static func fit(_ rows: [[Double]], _ y: [Double]) -> [Double] {
        let k = rows[0].count
        var a = Array(repeating: Array(repeating: 0.0, count: k + 1), count: k)
        for (r, v) in zip(rows, y) {
            for i in 0..<k {
                for j in 0..<k { a[i][j] += r[i] * r[j] }
                a[i][k] += r[i] * v
            }
        }
        // A column that is zero everywhere (no expf calls in a corpus) gets coefficient 0.
        for i in 0..<k where a[i][i] == 0 { a[i][i] = 1 }
        for col in 0..<k {
            let pivot = (col..<k).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            for row in 0..<k where row != col {
                let f = a[row][col] / a[col][col]
                for j in col...k { a[row][j] -= f * a[col][j] }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] }
    }
}
