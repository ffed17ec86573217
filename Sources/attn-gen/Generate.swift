// `attn-gen SPEC.json [-o DIR] [--weights FILE]`: the main job.

import ArgumentParser
import AttnCEmit
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

    @Flag(help: "For a spec of several blocks: write the plain helpers once, to <stem>_support.{h,c} (stem: the spec file's name), which every block's .c includes; link the support .c with them. A single block keeps two self-contained files.")
    var sharedHelpers = false

    func run() throws {
        let specURL = URL(fileURLWithPath: spec)
        let base = specURL.deletingLastPathComponent()
        let outDir = output.map { URL(fileURLWithPath: $0) } ?? base
        do {
            var files: [(name: String, contents: String)] = []
            var all: [Generated] = []
            let blocks = try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec))
            let stem = sharedHelpers && blocks.count > 1 ? try supportStem(specURL, blocks: blocks.map(\.spec.name)) : nil
            for block in blocks {
                let generated = try Pipeline.generate(block, baseDirectory: base, target: target.emitTarget, sharedHelpers: stem)
                files += generated.source.files
                all.append(generated)
            }
            try Pipeline.checkGlobalNames(all)
            if let stem {
                var uses: [Helper: Set<Compiler>] = [:]
                for g in all { uses.merge(g.source.sharedHelpers) { $0.union($1) } }
                files += SupportFiles.make(stem: stem, uses: uses, target: target.emitTarget)
            }
            try OutputWriter.write(files, to: outDir)
            for f in files { print(outDir.appendingPathComponent(f.name).path) }
        } catch {
            throw fail(error)
        }
    }

    /// The support files' stem: the spec file's name without `.spec.json` or `.json`, which the
    /// C uses as a prefix, so it must be an identifier no block's files or symbols meet.
    private func supportStem(_ url: URL, blocks: [String]) throws(SpecError) -> String {
        var stem = url.lastPathComponent
        for suffix in [".spec.json", ".json"] where stem.hasSuffix(suffix) {
            stem.removeLast(suffix.count)
            break
        }
        let identifier = stem.first.map { $0.isASCII && $0.isLetter } == true
            && stem.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && !stem.contains("__")
        guard identifier else {
            throw SpecError(
                "--shared-helpers", "the spec file's name \"\(stem)\" names the support files and prefixes their C symbols: it must be a C identifier (letters, digits, single underscores, a letter first)")
        }
        if let clash = blocks.first(where: { $0.lowercased() == "\(stem)_support".lowercased() }) {
            throw SpecError("--shared-helpers", "block \(clash) would share its file names with the support files \(stem)_support.{h,c}")
        }
        return stem
    }
}
