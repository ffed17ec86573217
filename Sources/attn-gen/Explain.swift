// `attn-gen explain SPEC.json [--dot FILE]`: the lowered op graph with shapes, costs and storage.

import ArgumentParser
import AttnGen
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print each block's lowered op graph: shapes, FLOPs, parameters and where each value lives.",
        discussion: "Values marked inline are fused into their readers and never stored; scratch ranges are in floats.")

    @Argument(help: "Spec JSON file.")
    var spec: String

    @Option(help: "Also write the graph in Graphviz DOT to this file (one digraph per block).")
    var dot: String?

    func run() throws {
        do {
            let base = URL(fileURLWithPath: spec).deletingLastPathComponent()
            var graphs: [String] = []
            let files = WeightsFileCache()
            var reports: [String] = []
            for block in try Pipeline.loadBlocks(path: spec) {
                // Hyperparameters a weights file implies (SE's rd) need the file; without one the
                // spec's own values are explained.
                let g = try Pipeline.generate(block, baseDirectory: base, files: files)
                let layout = g.spec.layout ?? .nchw
                reports.append(Explain.text(g.program, layout: layout))
                graphs.append(Explain.dot(g.program, layout: layout))
            }
            // Nothing is written unless every block lowered.
            if let dot {
                // Written like generated C: atomically, and only over a file attn-gen wrote (the
                // marker comment, which Graphviz ignores, is how it knows), a symlink or nothing.
                guard !dot.isEmpty, !dot.hasSuffix("/") else { throw SpecError("--dot", "\(dot.debugDescription) is not a file name") }
                let url = URL(fileURLWithPath: dot)
                let text = generatedMarker + " explain --dot: regenerate instead of editing. */\n" + graphs.joined(separator: "\n")
                do {
                    try OutputWriter.write([(url.lastPathComponent, text)], to: url.deletingLastPathComponent())
                } catch {
                    throw error.within("--dot")
                }
            }
            print(reports.joined(separator: "\n"), terminator: "")
        } catch {
            throw fail(error)
        }
    }
}
