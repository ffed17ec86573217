// `attn-gen SPEC.json [-o DIR] [--weights FILE]`: the main job.

import ArgumentParser
import AttnGen
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emit <name>.h and <name>.c for every block of a spec file.")

    @Argument(help: "Spec JSON: one block, or {\"blocks\": [...]}.")
    var spec: String

    @Option(name: .shortAndLong, help: "Output folder (default: the spec file's folder).")
    var output: String?

    @Option(help: "safetensors file with the block's state_dict (overrides the spec's \"weights\").")
    var weights: String?

    @Option(help: "Prefix selecting the block's tensors in a whole-network checkpoint.")
    var weightsPrefix: String?

    func run() throws {
        let specURL = URL(fileURLWithPath: spec)
        let base = specURL.deletingLastPathComponent()
        let outDir = output.map { URL(fileURLWithPath: $0) } ?? base
        do {
            var files: [(name: String, contents: String)] = []
            var all: [Generated] = []
            for var block in try Pipeline.loadBlocks(path: spec) {
                if let weightsPrefix { block.spec.weightsPrefix = weightsPrefix }
                // --weights is relative to the working directory, "weights" to the spec file.
                let override = weights.map { URL(fileURLWithPath: $0).path }
                let generated = try Pipeline.generate(block, baseDirectory: base, weightsOverride: override)
                files += generated.source.files
                all.append(generated)
            }
            try Pipeline.checkGlobalNames(all)
            try OutputWriter.write(files, to: outDir)
            for f in files { print(outDir.appendingPathComponent(f.name).path) }
        } catch {
            throw fail(error)
        }
    }
}
