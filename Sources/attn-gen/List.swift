// `attn-gen list [--input N,C,H,W]`: the catalog with each kind's hyperparameters and its
// parameter count, FLOPs and scratch at one input shape.

import ArgumentParser
import AttnGen
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the catalog: each kind's hyperparameters, and its parameters, FLOPs and scratch at an input shape.")

    @Option(help: "Input shape N,C,H,W (for fusion, C is one input's channels).")
    var input = "1,64,32,32"

    func validate() throws {
        guard parsedInput != nil else {
            throw ValidationError("--input: \"\(input)\" is not four positive integers N,C,H,W (example: 1,64,32,32)")
        }
    }

    var parsedInput: InputShape? {
        let parts = input.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let n = parts[0], let c = parts[1], let h = parts[2], let w = parts[3],
            [n, c, h, w].allSatisfy({ $0 >= 1 && $0 <= 1 << 20 })
        else { return nil }
        return .nchw(n, c, h, w)
    }

    func run() throws {
        print(CatalogListing.text(input: parsedInput!), terminator: "")
    }
}
