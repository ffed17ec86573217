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

    @OptionGroup var weightsOptions: WeightsFlags

    @Option(help: "Compiler the .c is for: portable (every branch, compiles anywhere), host (gcc/clang on x86-64/AArch64) or mcu.")
    var target: TargetChoice = .portable

    func run() throws {
        let specURL = URL(fileURLWithPath: spec)
        let base = specURL.deletingLastPathComponent()
        let outDir = output.map { URL(fileURLWithPath: $0) } ?? base
        do {
            var files: [(name: String, contents: String)] = []
            var all: [Generated] = []
            for block in try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec)) {
                let generated = try Pipeline.generate(block, baseDirectory: base, target: target.emitTarget)
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
