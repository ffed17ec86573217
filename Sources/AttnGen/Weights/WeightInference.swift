// Hyperparameters the weights already say, filled in by each kind (`CatalogBlock.completed`).

import AttnSpec

extension Checkpoint: CheckpointShapes {
    var source: String { file.source }
    var schemeLabel: String { scheme.label }

    /// The spec with hyperparameters completed from tensor shapes.
    func complete(_ spec: BlockSpec) throws(SpecError) -> BlockSpec {
        guard case .catalog(let b) = spec.body else { return spec }
        var spec = spec
        spec.body = .catalog(AnyCatalogBlock(try b.block.completed(from: self, input: spec.input)))
        return spec
    }
}
