// The attn-gen command line: a thin layer over the AttnGen library.

import ArgumentParser
import AttnGen
import Foundation

@main
struct AttnGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attn-gen",
        abstract: "Generate shape-specialised C kernels for CNN attention blocks.",
        subcommands: [Generate.self, Verify.self, Regenerate.self, Check.self],
        defaultSubcommand: Generate.self)
}

/// Prints a user error the way every subcommand does and exits with status 1.
func fail(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode.failure
}
