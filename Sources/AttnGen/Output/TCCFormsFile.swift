// The tcc forms' generated Swift file (AttnCEmit's TCCForms+Generated.swift): `attn-gen
// regenerate` rewrites it and `attn-gen check` compares it, beside Generated/, when the folder
// sits in the package's checkout.

import AttnCEmit
import Foundation

package enum TCCFormsFile {
    /// Its path from the package root.
    package static let path = TCCForms.generatedPath

    /// The file in the checkout holding `examples` (Generated/), nil outside one.
    package static func url(besides examples: URL) -> URL? {
        let url = examples.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(TCCForms.generatedPath)
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
    }

    /// Forms from the templates for the rest of the process, not the file's (see
    /// `TCCForms.useTemplates`): what regenerate and check compare against.
    package static func useTemplates() { TCCForms.useTemplates() }

    /// What the file must hold.
    package static func expected() -> String { TCCForms.generatedSource() }

    /// Whether the file at `url` holds what the templates give.
    package static func isCurrent(_ url: URL) -> Bool {
        (try? String(contentsOf: url, encoding: .utf8)) == expected()
    }

    package static func write(_ url: URL) throws {
        try Data(expected().utf8).write(to: url, options: .atomic)
    }
}
