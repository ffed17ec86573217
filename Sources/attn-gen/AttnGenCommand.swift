// The attn-gen command line: a thin layer over the AttnGen library.

import ArgumentParser
import AttnGen
import Foundation

@main
struct AttnGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attn-gen",
        abstract: "Generate shape-specialised C kernels for CNN attention blocks.",
        subcommands: [Generate.self, Verify.self, Regenerate.self, Check.self, Size.self, ExplainCommand.self, ListCommand.self, ImportTFLite.self],
        defaultSubcommand: Generate.self)
}

/// Prints a user error the way every subcommand does and exits with status 1.
func fail(_ error: Error) -> ExitCode {
    var text = "\(error)"
    if error is SpecError {
        // One line per error: control characters a spec or file carries (a newline or an escape
        // sequence in a name) are shown escaped, never sent to the terminal.
        text = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
    FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    return ExitCode.failure
}
