// The footprint model lives in AttnFootprint, below the pipeline; this asks it about a spec.

import Foundation

extension Footprint {
    /// The footprint of what `attn-gen SPEC` would generate for `spec` (weights read when the spec
    /// names them, for the hyperparameters they imply).
    public static func of(
        _ spec: BlockSpec, baseDirectory: URL? = nil, weightsOverride: String? = nil, model: CodeSizeModel = .cortexM4F
    ) throws(SpecError) -> Footprint {
        let generated = try Pipeline.generate(spec, baseDirectory: baseDirectory, weightsOverride: weightsOverride)
        return Footprint(program: generated.program, source: generated.source, model: model)
    }
}
