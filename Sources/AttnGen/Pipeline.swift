// spec → (weights read, hyperparameters completed) → IR → C, in one call. The CLI, the harness,
// the JIT and the tests all go through here.

import Foundation

/// Everything generated for one block.
public struct Generated: Sendable {
    /// The spec with hyperparameters completed from the weights.
    public let spec: BlockSpec
    public let lowered: Lowered
    /// Imported parameters, or nil when the spec names no weights.
    public let params: [Float]?
    public let source: CSource

    public var program: Program { lowered.program }
}

public enum Pipeline {
    /// Runs the whole pipeline. `baseDirectory` resolves a relative `weights` path (the spec
    /// file's folder); `weightsOverride` replaces the spec's `weights`.
    public static func generate(
        _ spec: BlockSpec, baseDirectory: URL? = nil, weightsOverride: String? = nil
    ) throws(SpecError) -> Generated {
        var spec = spec
        if let w = weightsOverride { spec.weights = w }
        var params: [Float]? = nil
        var lowered: Lowered
        if let checkpoint = try loadCheckpoint(spec, baseDirectory: baseDirectory) {
            spec = try checkpoint.complete(spec)
            lowered = try Lowering.lower(spec)
            params = try checkpoint.parameters(for: lowered)
        } else {
            lowered = try Lowering.lower(spec)
        }
        debugDump(lowered.program)
        let source = CEmitter.emit(lowered.program, specText: spec.canonicalJSON, weights: params)
        return Generated(spec: spec, lowered: lowered, params: params, source: source)
    }

    /// Decodes a spec file; relative weights resolve against its folder.
    public static func loadSpecs(path: String) throws(SpecError) -> [BlockSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError("", "cannot read spec file \(path)")
        }
        return try BlockSpec.decodeFile(data)
    }

    static func loadCheckpoint(_ spec: BlockSpec, baseDirectory: URL?) throws(SpecError) -> Checkpoint? {
        guard let weights = spec.weights else {
            if spec.weightsPrefix != nil { throw SpecError("weights_prefix", "is given but no weights file is") }
            return nil
        }
        let url = baseDirectory.map { URL(fileURLWithPath: weights, relativeTo: $0) } ?? URL(fileURLWithPath: weights)
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.load(path: url.path)
        } catch {
            throw SpecError("weights", error.description)
        }
        return try Checkpoint(file: file, prefix: spec.weightsPrefix, body: spec.body)
    }

    /// `ATTN_DEBUG=1` prints the IR after lowering, on stderr.
    private static func debugDump(_ program: Program) {
        guard ProcessInfo.processInfo.environment["ATTN_DEBUG"] == "1" else { return }
        FileHandle.standardError.write(Data("after lowering:\n\(program)".utf8))
    }
}
