// What is measured: every Generated/ example's block at each of the shapes.

import AttnGen
import Foundation

/// The shapes, in its order.
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

    /// Generated/*.spec.json, catalog kinds first (se, eca, cbam), then custom graphs.
    static func load(root: URL) throws -> [Example] {
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
