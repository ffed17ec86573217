// What is measured: every Generated/ example's block at each of the issue's shapes.

import AttnGen
import Foundation

/// The issue's shapes, in its order.
enum Shapes {
    static let all: [InputShape] = [
        .nchw(1, 64, 56, 56), .nchw(1, 256, 56, 56), .nchw(1, 512, 28, 28), .nchw(1, 2048, 7, 7), .nchw(8, 256, 56, 56),
    ]
}

/// One Generated/ example: its block, whose input shape each case replaces.
struct Example {
    let spec: BlockSpec

    var name: String { spec.name }
    /// `se`, `eca`, `cbam`, or `custom` for a graph.
    var kind: String { spec.kind ?? "custom" }
    /// Targets in the issue are stated for the catalog blocks only.
    var hasTargets: Bool { spec.kind != nil }

    /// The memory-bound examples the speed issue names (SE, ECA, CBAM and the max-ECA custom
    /// block), catalog kinds first, then the custom graph.
    static func load(root: URL) throws -> [Example] {
        try loadAll(root: root).filter { ["se", "eca", "cbam"].contains($0.kind) || $0.name == "max_eca_custom" }
    }

    /// Every Generated/*.spec.json.
    static func loadAll(root: URL) throws -> [Example] {
        let folder = root.appendingPathComponent("Generated")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".spec.json")
        }
        var examples: [Example] = []
        for file in files.sorted() {
            for spec in try Pipeline.loadSpecs(path: folder.appendingPathComponent(file).path) {
                var spec = spec
                // Random weights: timing does not depend on their values.
                spec.weights = nil
                spec.weightsPrefix = nil
                examples.append(Example(spec: spec))
            }
        }
        let order = ["se", "eca", "cbam", "custom"]
        return examples.sorted {
            (order.firstIndex(of: $0.kind) ?? 9, $0.name) < (order.firstIndex(of: $1.kind) ?? 9, $1.name)
        }
    }

    func spec(at shape: InputShape) -> BlockSpec {
        var spec = spec
        spec.input = shape
        return spec
    }
}

/// The later catalog kinds, each at a shape where such a block sits in its network (`--catalog`),
/// and seed 000's JSON examples at their own shapes.
enum CatalogCases {
    static let specs: [String] = [
        #"{"name": "se_var1", "kind": "se_var1", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "se_var2", "kind": "se_var2", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "se_var3", "kind": "se_var3", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "se_gc", "kind": "se_gc", "groups": 16, "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "bam", "kind": "bam", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "sk", "kind": "sk", "groups": 32, "split_input": false, "rd_divisor": 32, "input": {"c": 128, "h": 28, "w": 28}}"#,
        #"{"name": "danet_pam", "kind": "danet_pam", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "danet_cam", "kind": "danet_cam", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "scconv", "kind": "scconv", "input": {"c": 64, "h": 28, "w": 28}}"#,
        #"{"name": "psa", "kind": "psa", "input": {"c": 128, "h": 28, "w": 28}}"#,
        #"{"name": "emsa", "kind": "emsa", "num_heads": 2, "sr_ratio": 4, "qkv_bias": true, "apply_transform": true, "input": {"c": 128, "h": 28, "w": 28}}"#,
        #"{"name": "external_attention", "kind": "external_attention", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "fusion", "kind": "fusion", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "ese", "kind": "ese", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "ceca", "kind": "ceca", "input": {"c": 512, "h": 28, "w": 28}}"#,
        #"{"name": "gc", "kind": "gc", "fuse_add": true, "fuse_scale": false, "input": {"c": 1024, "h": 14, "w": 14}}"#,
        #"{"name": "triplet", "kind": "triplet", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "fca", "kind": "fca", "input": {"c": 512, "h": 14, "w": 14}}"#,
        #"{"name": "ge", "kind": "ge", "extra_params": true, "extent": 2, "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "simam", "kind": "simam", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "srm", "kind": "srm", "input": {"c": 256, "h": 56, "w": 56}}"#,
        #"{"name": "ecam", "kind": "eca", "use_mlp": true, "input": {"c": 512, "h": 28, "w": 28}}"#,
        #"{"name": "coord", "kind": "coord", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "scoord", "kind": "scoord", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "lcbam", "kind": "lcbam", "input": {"c": 1024, "h": 14, "w": 14}}"#,
        #"{"name": "splat", "kind": "splat", "radix": 2, "norm_layer": "batchnorm", "input": {"c": 64, "h": 56, "w": 56}}"#,
        #"{"name": "nl", "kind": "nl", "input": {"c": 1024, "h": 14, "w": 14}}"#,
        #"{"name": "bat", "kind": "bat", "input": {"c": 512, "h": 28, "w": 28}}"#,
        #"{"name": "bottleneck", "kind": "bottleneck", "input": {"c": 256, "h": 16, "w": 16}}"#,
        #"{"name": "lambda", "kind": "lambda", "input": {"c": 256, "h": 16, "w": 16}}"#,
        // lambda_resnet26rpt_256's stage-3 layer: the relative-position variant.
        #"{"name": "lambda_rel", "kind": "lambda", "feat_size": [16, 16], "input": {"c": 256, "h": 16, "w": 16}}"#,
        #"{"name": "strip", "kind": "strip", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "ela", "kind": "ela", "input": {"c": 256, "h": 28, "w": 28}}"#,
        #"{"name": "halo", "kind": "halo", "block_size": 8, "halo_size": 2, "input": {"c": 256, "h": 16, "w": 16}}"#,
    ]

    static func load(root: URL) throws -> [Example] {
        let kinds = try specs.map { Example(spec: try BlockSpec.decodeFile(Data($0.utf8))[0]) }
        return kinds + (try Example.loadAll(root: root).filter { $0.name.hasPrefix("seed000_") })
    }
}

extension Program {
    /// Hyperparameters the peers need to build the same module, read off the parameter shapes
    /// (they are what the spec resolved to: reduced channels, biases, kernel sizes).
    var peerHyperparameters: [String: Any] {
        var out: [String: Any] = [:]
        for p in params {
            if p.name.hasSuffix("fc1.weight") { out["rd"] = p.dims[0] }
            if p.name == "conv.weight" { out["kernel_size"] = p.dims.last! }
            if p.name == "spatial.conv.conv.weight" { out["spatial_kernel_size"] = p.dims.last! }
        }
        out["bias"] = params.contains { $0.name.hasSuffix("fc1.bias") }
        return out
    }
}

extension InputShape {
    var label: String { "\(n)×\(c)×\(h)×\(w)" }
    var count: Int { n * c * h * w }
}
