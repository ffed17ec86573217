// `attn-gen verify SPEC.json`: JIT-compiled C against the interpreter on seeded random data.

import ArgumentParser
import AttnGen
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check each block's JIT-compiled C against the reference interpreter.")

    @Argument(help: "Spec JSON file.")
    var spec: String

    @Option(help: "Seed for the random input and weights.")
    var seed: UInt64 = 1

    @Flag(help: "Use the spec's weights files instead of random weights (an error for a block that has parameters and names none).")
    var specWeights = false

    @OptionGroup var weightsOptions: WeightsFlags

    @Option(help: "Refuse a block whose interpreter run costs more operations (FLOPs plus elements) than this.")
    var maxCost: Int = Limits.maxVerifyCost

    func run() throws {
        let base = URL(fileURLWithPath: spec).deletingLastPathComponent()
        var failed = 0
        do {
            // --weights or --weights-prefix ask for file weights as --spec-weights does.
            let fileWeights = specWeights || !weightsOptions.isEmpty
            // Every block is checked before anything is printed: a refused block leaves stdout empty.
            var results: [CheckResult] = []
            let files = WeightsFileCache()
            for (path, block) in try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec)) {
                do {
                    results.append(try CrossCheck.run(
                        block, seed: seed, baseDirectory: base, useSpecWeights: fileWeights, maxCost: maxCost, files: files))
                } catch let e as SpecError {
                    throw e.within(path)
                }
            }
            for result in results {
                print(result)
                if !result.passed { failed += 1 }
            }
        } catch {
            throw fail(error)
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("error: \(failed) block(s) past tolerance\n".utf8))
            throw ExitCode.failure
        }
    }
}
