// `attn-gen regenerate` and `attn-gen check`: keep Generated/ equal to what its specs produce.

import ArgumentParser
import AttnGen
import Foundation

struct Regenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite the C of every example spec in a folder (default Generated/).")

    @Option(help: "Folder holding *.spec.json examples.")
    var dir = "Generated"

    func run() throws {
        TCCFormsFile.useTemplates()
        do {
            let url = try exampleFolder(dir)
            let files = try Examples.expectedFiles(in: url)
            // One unit per folder: the writer takes plain file names.
            var byFolder: [String: [(name: String, contents: String)]] = [:]
            for file in files {
                let parts = file.name.split(separator: "/", maxSplits: 1).map(String.init)
                let (folder, name) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
                byFolder[folder, default: []].append((name, file.contents))
            }
            for (folder, list) in byFolder.sorted(by: { $0.key < $1.key }) {
                try OutputWriter.write(list, to: folder.isEmpty ? url : url.appendingPathComponent(folder))
            }
            print("regenerated \(files.count) files in \(dir)")
            // The tcc forms' generated Swift beside it, in a checkout of the package.
            if let forms = TCCFormsFile.url(besides: url) {
                try TCCFormsFile.write(forms)
                print("regenerated \(TCCFormsFile.path)")
            }
        } catch {
            throw fail(error)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fail if the C in a folder (default Generated/) differs from what its specs generate.")

    @Option(help: "Folder holding *.spec.json examples.")
    var dir = "Generated"

    func run() throws {
        TCCFormsFile.useTemplates()
        let drifted: [String]
        do {
            let url = try exampleFolder(dir)
            let forms = TCCFormsFile.url(besides: url)
            drifted = try Examples.drift(in: url) + (forms.map { TCCFormsFile.isCurrent($0) } == false ? [TCCFormsFile.path] : [])
        } catch {
            throw fail(error)
        }
        guard drifted.isEmpty else {
            let list = drifted.joined(separator: ", ")
            // One line, like every error: the fix rides along.
            throw fail(SpecError("--dir", "out of date in \(dir): \(list) (fix: swift run attn-gen regenerate --dir \(dir))"))
        }
        print("\(dir) is up to date")
    }
}

/// The folder `--dir` names: it must exist and hold at least one *.spec.json, or regenerate and
/// check would report success having looked at nothing.
func exampleFolder(_ dir: String) throws(SpecError) -> URL {
    let url = URL(fileURLWithPath: dir)
    var st = stat()
    guard stat(url.path, &st) == 0 else { throw SpecError("--dir", "\(dir): \(String(cString: strerror(errno)))") }
    guard st.st_mode & S_IFMT == S_IFDIR else { throw SpecError("--dir", "\(dir) is not a folder") }
    guard !Examples.specFiles(in: url).isEmpty else { throw SpecError("--dir", "\(dir) holds no *.spec.json file") }
    return url
}
