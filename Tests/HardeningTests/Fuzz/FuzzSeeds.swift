// Valid inputs the mutations start from, and the tokens they splice in. The libFuzzer targets
// write the same seeds and dictionaries (scripts/fuzz/run.sh), so both fuzzers start alike.

import AttnGen
import AttnWeights
import Foundation

enum FuzzSeeds {
    /// Spec documents covering every kind, every op and the multi-block form.
    static let specs: [(name: String, text: String)] = [
        ("se", #"{"name": "se", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}, "reduction": 4}"#),
        ("se_rd", #"{"name": "se", "kind": "se", "input": {"n": 2, "c": 8, "h": 3, "w": 5}, "reduced_channels": 3, "bias": false}"#),
        ("eca", #"{"name": "eca", "kind": "eca", "input": {"c": 32, "h": 2, "w": 2}, "kernel_size": 3}"#),
        ("eca_formula", #"{"name": "eca", "kind": "eca", "input": {"c": 100, "h": 1, "w": 1}}"#),
        ("cbam", #"{"name": "cbam", "kind": "cbam", "input": {"c": 16, "h": 5, "w": 4}, "reduction": 4, "spatial_kernel_size": 3, "bias": true}"#),
        ("blocks", #"{"blocks": [{"name": "a", "kind": "se", "input": {"c": 16, "h": 2, "w": 2}}, {"name": "b", "kind": "eca", "input": {"c": 16, "h": 2, "w": 2}}]}"#),
        ("max_eca", """
            {"name": "max_eca", "input": {"c": 8, "h": 3, "w": 3}, "graph": [
              {"op": "global_pool", "mode": "max"}, {"op": "channel_conv1d", "kernel_size": 5, "param": "conv"},
              {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]}
            """),
        ("mlp_gate", """
            {"name": "g", "input": {"n": 2, "c": 8, "h": 2, "w": 3}, "graph": [
              {"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": 2, "param": "fc1", "bias": false},
              {"op": "relu"}, {"op": "linear", "out_features": 8, "param": "fc2"}, {"op": "batch_norm", "param": "bn", "eps": 0.001},
              {"op": "hard_sigmoid"}, {"op": "mul", "inputs": ["x"]}]}
            """),
        ("spatial", """
            {"name": "sp", "input": {"c": 4, "h": 6, "w": 5}, "graph": [
              {"op": "channel_pool", "mode": "mean", "inputs": ["x"], "as": "a"},
              {"op": "channel_pool", "mode": "max", "inputs": ["x"], "as": "b"},
              {"op": "concat", "inputs": ["a", "b"]},
              {"op": "conv2d", "out_channels": 1, "kernel_size": 3, "padding": 2, "dilation": 2, "bias": true, "param": "spatial.conv"},
              {"op": "batch_norm", "param": "spatial.bn"}, {"op": "sigmoid"}, {"op": "add", "inputs": ["x"]}]}
            """),
    ]

    /// Tokens for the spec dictionary: keys, kinds, ops and edge numbers.
    static let specTokens: [String] =
        [
            #""name""#, #""kind""#, #""input""#, #""n""#, #""c""#, #""h""#, #""w""#, #""graph""#, #""blocks""#, #""op""#,
            #""inputs""#, #""as""#, #""param""#, #""mode""#, #""reduction""#, #""reduced_channels""#, #""bias""#,
            #""kernel_size""#, #""spatial_kernel_size""#, #""out_features""#, #""out_channels""#, #""padding""#,
            #""dilation""#, #""eps""#, #""weights""#, #""weights_prefix""#, #""se""#, #""eca""#, #""cbam""#, #""mean""#,
            #""max""#, #""global_pool""#, #""channel_pool""#, #""linear""#, #""channel_conv1d""#, #""conv2d""#,
            #""batch_norm""#, #""relu""#, #""sigmoid""#, #""hard_sigmoid""#, #""add""#, #""mul""#, #""concat""#, #""x""#,
            #""_""#, "true", "false", "null", "{", "}", "[", "]", ":", ",",
        ] + SpecGenerator.edgeNumbers + SpecGenerator.hostileNames.map { SpecGenerator.quote($0) }

    // MARK: weights

    /// Deterministic small values: finite, mixed signs.
    static func ramp(_ n: Int, scale: Float = 0.1) -> [Float] { (0..<n).map { Float(($0 * 7) % 11 - 5) * scale } }

    /// A safetensors file written byte by byte, for dtypes the writer does not produce.
    static func handMade(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
        SafeTensorsWriter.encodeRaw(tensors)
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    static func f32(_ values: [Float]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }

    /// Files for every weight layout the importer knows (C = 16, rd = 4, k = 3). The tensors are
    /// fixed and valid, so the writer cannot refuse them (`try!`).
    static let weights: [(name: String, bytes: [UInt8])] = {
        let bn = { (p: String) -> [(name: String, shape: [Int], values: [Float])] in
            [("\(p).weight", [1], [1.2]), ("\(p).bias", [1], [-0.1]), ("\(p).running_mean", [1], [0.05]), ("\(p).running_var", [1], [0.8])]
        }
        var files: [(String, [UInt8])] = [
            ("se_timm", try! SafeTensorsWriter.encode([
                ("fc1.weight", [4, 16, 1, 1], ramp(64)), ("fc1.bias", [4], ramp(4)),
                ("fc2.weight", [16, 4, 1, 1], ramp(64)), ("fc2.bias", [16], ramp(16)),
            ])),
            ("se_moskomule", try! SafeTensorsWriter.encode([("fc.0.weight", [4, 16], ramp(64)), ("fc.2.weight", [16, 4], ramp(64))])),
            ("se_prefix", try! SafeTensorsWriter.encode([
                ("layer1.0.conv1.weight", [2, 2], ramp(4)),
                ("layer1.0.se.fc1.weight", [4, 16, 1, 1], ramp(64)), ("layer1.0.se.fc1.bias", [4], ramp(4)),
                ("layer1.0.se.fc2.weight", [16, 4, 1, 1], ramp(64)), ("layer1.0.se.fc2.bias", [16], ramp(16)),
            ], metadata: ["format": "pt"])),
            ("eca", try! SafeTensorsWriter.encode([("conv.weight", [1, 1, 3], [0.2, -0.5, 0.7])])),
            ("cbam_timm", try! SafeTensorsWriter.encode([
                ("channel.fc1.weight", [4, 16, 1, 1], ramp(64)), ("channel.fc2.weight", [16, 4, 1, 1], ramp(64)),
                ("spatial.conv.conv.weight", [1, 2, 3, 3], ramp(18)),
            ] + bn("spatial.conv.bn"))),
            ("cbam_official", try! SafeTensorsWriter.encode([
                ("ChannelGate.mlp.1.weight", [4, 16], ramp(64)), ("ChannelGate.mlp.1.bias", [4], ramp(4)),
                ("ChannelGate.mlp.3.weight", [16, 4], ramp(64)), ("ChannelGate.mlp.3.bias", [16], ramp(16)),
                ("SpatialGate.spatial.conv.weight", [1, 2, 3, 3], ramp(18)),
            ] + bn("SpatialGate.spatial.bn"))),
            ("graph_fc_bn", try! SafeTensorsWriter.encode([
                ("fc.weight", [16, 16], ramp(256, scale: 0.02)), ("fc.bias", [16], ramp(16)),
                ("bn.weight", [16], ramp(16)), ("bn.bias", [16], ramp(16)), ("bn.running_mean", [16], ramp(16)),
                ("bn.running_var", [16], [Float](repeating: 0.5, count: 16)),
            ])),
        ]
        // Other float dtypes and an integer BatchNorm counter, as PyTorch writes them.
        files.append(("eca_f16", handMade([("conv.weight", "F16", [1, 1, 3], littleEndian([UInt16(0x3400), 0xB800, 0x3C00]))])))
        files.append(("eca_bf16", handMade([("conv.weight", "BF16", [3], littleEndian([UInt16(0x3E80), 0xBF00, 0x3F80]))])))
        files.append(("eca_f64", handMade([
            ("conv.weight", "F64", [1, 1, 5], littleEndian([0.1, -0.2, 0.3, 0.4, -0.5].map { (v: Double) in v.bitPattern })),
            ("num_batches_tracked", "I64", [], littleEndian([Int64(7)])),
        ])))
        return files
    }()

    static let weightTokens: [String] = [
        #""dtype""#, #""shape""#, #""data_offsets""#, #""__metadata__""#, #""F32""#, #""F16""#, #""BF16""#, #""F64""#,
        #""I64""#, #""BOOL""#, #""F8_E4M3""#, #""fc1.weight""#, #""fc2.weight""#, #""conv.weight""#, #""channel.fc1.weight""#,
        #""spatial.conv.bn.running_var""#, "[0,0]", "[]", "[1]", "-1", "0", "4294967296", "18446744073709551615",
        "9223372036854775807", "1e3", "2.5", "{}", "null",
    ]

    /// A libFuzzer dictionary: one quoted, escaped token per line.
    static func dictionary(_ tokens: [String]) -> String {
        tokens.map { token in
            var out = "\""
            for b in token.utf8 {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                    out += "\\" + String(UnicodeScalar(b))
                } else if b < 0x20 || b >= 0x7F {
                    out += String(format: "\\x%02X", b)
                } else {
                    out += String(UnicodeScalar(b))
                }
            }
            return out + "\""
        }.joined(separator: "\n") + "\n"
    }
}
