// Layer defaults are PyTorch's modules' defaults, and a checkpoint's every tensor is read: the
// MobileNetV3 SE (conv_reduce/conv_expand 1×1 convs with biases) written without "bias" runs
// with its biases, checked against plain loops written here, not against the interpreter.

import AttnGen
import AttnLower
import AttnWeights
import Foundation
import Testing

@Suite struct PyTorchDefaultsTests {
    @Test func conv2dHasABiasByDefaultInJSONAndDSL() throws {
        let json = #"{"name": "b", "input": {"c": 4, "h": 2, "w": 2}, "graph": [{"op": "conv2d", "out_channels": 4, "kernel_size": 1, "param": "c"}]}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        guard case .graph(let layers) = spec.body, case .conv2d(let c) = layers[0].op else {
            Issue.record("not a conv2d graph")
            return
        }
        #expect(c.bias)
        guard case .conv2d(let dsl) = Conv2D(4, kernelSize: 1, param: "c").layer.op else {
            Issue.record("Conv2D is not a conv2d")
            return
        }
        #expect(dsl.bias)
        #expect(Conv2DLayer(outChannels: 4, kernelSize: 1, padding: 0, param: "c").bias)
        #expect(try Lowering.lower(spec).program.params.map(\.name) == ["c.weight", "c.bias"])
    }

    /// Norm eps defaults follow nn.BatchNorm2d, nn.LayerNorm and nn.InstanceNorm2d (1e-5).
    @Test func normDefaultsArePyTorchs() throws {
        let json = #"""
            {"name": "b", "input": {"c": 4, "h": 2, "w": 2}, "graph": [
              {"op": "batch_norm", "param": "bn"}, {"op": "layer_norm", "param": "ln"}, {"op": "instance_norm"}]}
            """#
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        guard case .graph(let layers) = spec.body else { return }
        #expect(layers.map(\.op) == [.batchNorm(param: "bn", eps: 1e-5), .layerNorm(param: "ln", eps: 1e-5), .instanceNorm(eps: 1e-5)])
    }

    @Test func mobileNetV3SqueezeExciteReadsItsConvBiases() throws {
        let (c, rd, h, w) = (16, 4, 3, 5)
        func values(_ n: Int, _ seed: Int) -> [Float] { (0..<n).map { Float(sin(Double($0 * 7 + seed))) * 0.8 } }
        let w1 = values(rd * c, 1), b1 = values(rd, 2), w2 = values(c * rd, 3), b2 = values(c, 4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnv3-se-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("se.safetensors")
        try Data(SafeTensorsWriter.encode([
            ("conv_reduce.weight", [rd, c, 1, 1], w1), ("conv_reduce.bias", [rd], b1),
            ("conv_expand.weight", [c, rd, 1, 1], w2), ("conv_expand.bias", [c], b2),
        ])).write(to: file)
        let json = #"""
            {"name": "mnv3_se", "input": {"c": 16, "h": 3, "w": 5}, "graph": [
              {"op": "global_pool", "mode": "mean"},
              {"op": "conv2d", "out_channels": 4, "kernel_size": 1, "param": "conv_reduce"},
              {"op": "relu"},
              {"op": "conv2d", "out_channels": 16, "kernel_size": 1, "param": "conv_expand"},
              {"op": "hard_sigmoid"},
              {"op": "mul", "inputs": ["x"]}]}
            """#
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        let kernel = try Kernel(spec, weights: .safetensors(path: file.path), useCache: false)
        let x = values(c * h * w, 5).map { $0 * 2 }
        let y = try kernel(x)

        // timm's SqueezeExcite, by hand in Double.
        func reference(_ b1: [Float], _ b2: [Float]) -> [Float] {
            let mean = (0..<c).map { ch in (0..<h * w).reduce(0.0) { $0 + Double(x[ch * h * w + $1]) } / Double(h * w) }
            let hidden = (0..<rd).map { r in
                max(0, Double(b1[r]) + (0..<c).reduce(0.0) { $0 + Double(w1[r * c + $1]) * mean[$1] })
            }
            let gate = (0..<c).map { ch in
                let z = Double(b2[ch]) + (0..<rd).reduce(0.0) { $0 + Double(w2[ch * rd + $1]) * hidden[$1] }
                return min(max(z + 3, 0), 6) / 6
            }
            return (0..<c * h * w).map { Float(Double(x[$0]) * gate[$0 / (h * w)]) }
        }
        let cmp = try Comparison(y, reference: reference(b1, b2))
        #expect(cmp.within(CrossCheck.tolerance), "\(cmp)")
        // The same block without its biases (what exit 0 used to compute) is far off: the
        // check above can tell the two apart.
        let withoutBiases = try Comparison(y, reference: reference([Float](repeating: 0, count: rd), [Float](repeating: 0, count: c)))
        #expect(withoutBiases.maxRelError > 0.01, "\(withoutBiases)")
    }
}

@Suite struct OutputShapeTests {
    @Test func roundTripsExactlyAndStaysOutOfSpecsWithoutIt() throws {
        let plain = #"{"name": "b", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(plain.utf8)).first)
        #expect(spec.output == nil)
        #expect(!spec.canonicalJSON.contains("output"))
        for text in [#""output": {"c": 16, "h": 4, "w": 4}"#, #""output": {"n": 1, "c": 16, "h": 4, "w": 4}"#] {
            let json = #"{"name": "b", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}, "# + text + "}"
            let stated = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
            #expect(try BlockSpec.decodeFile(Data(stated.canonicalJSON.utf8)) == [stated])
            _ = try Lowering.lower(stated)
        }
    }

    @Test func dslOutputMismatchIsAnErrorAtOutput() throws {
        let sk = SelectiveKernel("sk", input: .nchw(1, 16, 8, 8)).output(.nchw(1, 16, 4, 4))
        #expect(throws: SpecError("output", "is [1,16,4,4] (n, c, h, w) but the block's output is [1,16,8,8]; check stride, out_channels and the other fields that change the shape")) {
            try Lowering.lower(sk)
        }
        _ = try Lowering.lower(sk.output(OutputShape(c: 16, h: 8, w: 8)))
    }
}
