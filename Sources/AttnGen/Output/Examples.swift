// The example specs in Generated/ and the C they must produce: one command regenerates them, a
// test fails when they drift. The portable files sit next to their specs; each other target a
// user can ask for has its own subfolder (`host/`, `mcu/`) with the same file names, so a diff
// between folders shows what a target leaves out.

import Foundation

package enum Examples {
    /// `*.spec.json` files in `directory`, sorted.
    package static func specFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".spec.json") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The targets pinned in subfolders, and the subfolder of each.
    package static let targetFolders: [(target: EmitTarget, folder: String)] = [(.host, "host"), (.mcu, "mcu")]

    /// Every file the examples in `directory` generate, with its expected contents: names are
    /// relative to `directory` (`se.c`, `host/se.c`, `mcu/se.c`).
    package static func expectedFiles(in directory: URL) throws(SpecError) -> [(name: String, contents: String)] {
        var files: [(name: String, contents: String)] = []
        // Every block of every spec lands in this one folder: their names may not meet either.
        var globals: [(label: String, path: String, name: String, tensors: [String])] = []
        let weights = WeightsFileCache()
        for url in specFiles(in: directory) {
            do throws(SpecError) {
                for block in try Pipeline.loadBlocks(path: url.path) {
                    let generated = try Pipeline.generate(block, baseDirectory: directory, files: weights)
                    files += generated.source.files
                    for (target, folder) in targetFolders {
                        let other = try Pipeline.generate(block, baseDirectory: directory, target: target)
                        files += other.source.files.map { ("\(folder)/\($0.name)", $0.contents) }
                    }
                    let file = url.lastPathComponent
                    globals.append((
                        block.path.isEmpty ? file : "\(file) \(block.path)", "\(file): \(block.path.isEmpty ? "" : block.path + ".")name",
                        generated.program.name, generated.program.params.map(\.name)
                    ))
                }
            } catch {
                throw SpecError(url.lastPathComponent + (error.path.isEmpty ? "" : ": " + error.path), error.message)
            }
        }
        try BlockSpec.checkGlobalNames(globals)
        return files
    }

    /// Files that differ from (or are missing against) what the specs generate.
    package static func drift(in directory: URL) throws(SpecError) -> [String] {
        try expectedFiles(in: directory).compactMap { file in
            let path = directory.appendingPathComponent(file.name).path
            // Read without following a symlink or opening a FIFO: either counts as drift, which
            // regenerate then replaces.
            let actual = OutputWriter.regularFileContents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            return actual == file.contents ? nil : file.name
        }
    }
}
