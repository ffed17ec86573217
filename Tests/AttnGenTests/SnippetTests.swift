// Codegen pinned op by op: for each tiny spec in `cases`, the IR after lowering and the body of
// `<name>_forward` must equal Tests/Snippets/<case>.txt. Golden files of whole examples say that
// something changed; these say where, in a few lines a reviewer can read. After an intended
// change, `ATTN_UPDATE_SNIPPETS=1 swift test --filter SnippetTests` rewrites them.

import AttnGen
import Foundation
import Testing

@Suite struct SnippetTests {
    static let folder = Paths.root.appendingPathComponent("Tests/Snippets")

    /// (case name, spec JSON): one op or one fusion each, at shapes small enough to read.
    static let cases: [(String, String)] = [
        ("conv2d_3x3", #"{"name": "k", "input": {"c": 2, "h": 5, "w": 5}, "graph": [{"op": "conv2d", "out_channels": 2, "kernel_size": 3, "param": "conv"}]}"#),
        ("conv2d_strided_dilated", #"{"name": "k", "input": {"c": 2, "h": 7, "w": 7}, "graph": [{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "dilation": 2, "bias": false, "param": "conv"}]}"#),
        ("pool_then_scale", #"{"name": "k", "input": {"c": 4, "h": 3, "w": 3}, "graph": [{"op": "global_pool", "mode": "mean"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]}"#),
        ("se", #"{"name": "k", "kind": "se", "input": {"c": 8, "h": 2, "w": 2}, "reduced_channels": 2}"#),
        ("eca_k3", #"{"name": "k", "kind": "eca", "input": {"c": 6, "h": 2, "w": 3}, "kernel_size": 3}"#),
        ("channel_pool_concat", #"{"name": "k", "input": {"c": 3, "h": 2, "w": 2}, "graph": [{"op": "channel_pool", "mode": "mean", "as": "a"}, {"op": "channel_pool", "mode": "max", "inputs": ["x"], "as": "m"}, {"op": "concat", "inputs": ["a", "m"]}]}"#),
        ("matmul_alpha", #"{"name": "k", "input": {"c": 1, "h": 3, "w": 3}, "graph": [{"op": "matmul", "inputs": ["x", "x"], "alpha": 0.5}]}"#),
        ("activations", #"{"name": "k", "input": {"c": 2, "h": 1, "w": 3}, "graph": [{"op": "mul_scalar", "value": 2.5}, {"op": "silu", "as": "a"}, {"op": "hard_swish"}, {"op": "gelu"}, {"op": "gelu", "approximate": "tanh"}, {"op": "tanh"}, {"op": "leaky_relu", "negative_slope": 0.125}, {"op": "relu6"}, {"op": "add_scalar", "value": -1}, {"op": "mul", "inputs": ["a"]}]}"#),
        ("activations_no_libm", #"{"name": "k", "libm": false, "input": {"c": 2, "h": 1, "w": 3}, "graph": [{"op": "silu", "as": "a"}, {"op": "gelu", "as": "b"}, {"op": "tanh", "inputs": ["x"]}, {"op": "add", "inputs": ["a"]}, {"op": "add", "inputs": ["b"]}]}"#),
        ("sqrt", #"{"name": "k", "input": {"c": 2, "h": 1, "w": 3}, "graph": [{"op": "mul", "inputs": ["x", "x"]}, {"op": "sqrt"}]}"#),
        ("sqrt_no_libm", #"{"name": "k", "libm": false, "input": {"c": 2, "h": 1, "w": 3}, "graph": [{"op": "sqrt"}, {"op": "add", "inputs": ["x"]}]}"#),
        ("variance", #"{"name": "k", "input": {"c": 2, "h": 2, "w": 3}, "graph": [{"op": "variance", "unbiased": false}]}"#),
        ("softmax_hw", #"{"name": "k", "input": {"c": 2, "h": 2, "w": 2}, "graph": [{"op": "softmax", "axis": "hw"}]}"#),
    ]

    static func snippet(_ json: String) throws -> String {
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        let generated = try Pipeline.generate(spec)
        let source = generated.source.source
        // The function body: from its signature to the closing brace at column 0.
        let start = try #require(source.range(of: "void \(spec.name)_forward("), "no forward in\n\(source)")
        let rest = source[start.lowerBound...]
        let end = try #require(rest.range(of: "\n}\n"), "forward never closes")
        return "// IR after lowering\n\(generated.program)\n// \(spec.name)_forward\n\(rest[..<end.upperBound])"
    }

    @Test(arguments: cases.map(\.0))
    func codegenIsPinned(_ name: String) throws {
        let json = try #require(Self.cases.first { $0.0 == name }?.1)
        let got = try Self.snippet(json)
        let file = Self.folder.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["ATTN_UPDATE_SNIPPETS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Data(got.utf8).write(to: file)
            return
        }
        let want = String(decoding: try #require(FileManager.default.contents(atPath: file.path), "missing \(file.path)"), as: UTF8.self)
        #expect(got == want, "\(name) changed:\n\(lineDiff(old: want, new: got, label: "../Tests/Snippets/\(name).txt"))")
    }

    /// A snippet file without a case is a leftover: it would pin nothing.
    @Test func everySnippetFileHasACase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".txt") }
        #expect(Set(files) == Set(Self.cases.map { "\($0.0).txt" }))
    }
}
