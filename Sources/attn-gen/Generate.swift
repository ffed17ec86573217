// `attn-gen SPEC.json... [-o DIR] [--weights FILE]`: the main job.

import ArgumentParser
import AttnCEmit
import AttnGen
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emit <name>.h and <name>.c for every block of one or more spec files.",
        discussion: """
            Each spec's files go to -o DIR, or beside the spec without it. Every block of every spec \
            is generated before anything is written, and blocks whose files land in one folder may \
            not share a file, symbol or macro name. A weights file named by several blocks is read once.
            """)

    @Argument(help: "Spec JSON file(s): one block, or {\"blocks\": [...]}.")
    var specs: [String]

    @Option(name: .shortAndLong, help: "Output folder (default: each spec file's folder).")
    var output: String?

    @OptionGroup var weightsOptions: WeightsFlags

    @Option(help: "Compiler the .c is for: portable (every branch, compiles anywhere), host (gcc/clang on x86-64/AArch64) or mcu.")
    var target: TargetChoice = .portable

    @Flag(help: "For a spec of several blocks: write the plain helpers once, to <stem>_support.{h,c} (stem: the spec file's name), which every block's .c includes; link the support .c with them. A single block keeps two self-contained files.")
    var sharedHelpers = false

    @Flag(help: "Emit one loop nest per op with every value stored, nothing fused: the baseline the benchmarks compare the fused kernel with, not for use.")
    var opByOp = false

    func validate() throws {
        if specs.isEmpty { throw ValidationError("give at least one spec file") }
    }

    func run() throws {
        let files = WeightsFileCache()
        // One entry per output folder, in the order first met: the files and the blocks' names.
        var folders: [(url: URL, files: [(name: String, contents: String)], globals: [BlockGlobalsEntry])] = []
        do {
            for spec in specs {
                let specURL = URL(fileURLWithPath: spec)
                let base = specURL.deletingLastPathComponent()
                let outDir = output.map { URL(fileURLWithPath: $0) } ?? base
                // With several specs an error names its file; one spec keeps the paths it always had.
                let label = specs.count > 1 ? specURL.lastPathComponent : nil
                var all: [Generated] = []
                var blocks: [(path: String, spec: BlockSpec)] = []
                var stem: String?
                do throws(SpecError) {
                    blocks = try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec))
                    stem = sharedHelpers && blocks.count > 1 ? try supportStem(specURL, blocks: blocks.map(\.spec.name)) : nil
                    for block in blocks {
                        all.append(try Pipeline.generate(block, baseDirectory: base, files: files, target: target.emitTarget, sharedHelpers: stem, fusion: opByOp ? .opByOp : .fused))
                    }
                    try Pipeline.checkGlobalNames(all)
                } catch {
                    throw label.map { error.inFile($0) } ?? error
                }
                let index = folders.firstIndex { $0.url.standardizedFileURL.path == outDir.standardizedFileURL.path } ?? {
                    folders.append((outDir, [], []))
                    return folders.count - 1
                }()
                for (block, generated) in zip(blocks, all) {
                    let file = specURL.lastPathComponent
                    folders[index].globals.append(BlockGlobalsEntry(
                        label: block.path.isEmpty ? file : "\(file) \(block.path)",
                        path: label.map { "\($0): " + (block.path.isEmpty ? "name" : block.path + ".name") }
                            ?? (block.path.isEmpty ? "name" : block.path + ".name"),
                        name: generated.program.name, tensors: generated.program.params.map(\.name)))
                    folders[index].files += generated.source.files
                }
                if let stem {
                    var uses: [Helper: Set<Compiler>] = [:]
                    for g in all { uses.merge(g.source.sharedHelpers) { $0.union($1) } }
                    let support = SupportFiles.make(stem: stem, uses: uses, target: target.emitTarget)
                    // Two specs of one folder with the same stem would overwrite each other's support files.
                    if let clash = support.first(where: { f in folders[index].files.contains { $0.name == f.name } }) {
                        throw SpecError("--shared-helpers", "\(clash.name) would be written twice into \(outDir.path)")
                    }
                    folders[index].files += support
                }
            }
            // Specs whose outputs share a folder: their blocks may not meet there either.
            if specs.count > 1 {
                for folder in folders {
                    try BlockSpec.checkGlobalNames(folder.globals.map { ($0.label, $0.path, $0.name, $0.tensors) })
                }
            }
            for folder in folders {
                try OutputWriter.write(folder.files, to: folder.url)
                for f in folder.files { print(folder.url.appendingPathComponent(f.name).path) }
            }
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

/// What `BlockSpec.checkGlobalNames` compares of one block.
private struct BlockGlobalsEntry {
    let label: String
    let path: String
    let name: String
    let tensors: [String]
}

extension SpecError {
    /// The error placed in spec file `file`: `file: path: message`.
    fileprivate func inFile(_ file: String) -> SpecError {
        SpecError(file + (path.isEmpty ? "" : ": " + path), message)
    }
}
