// `attn-gen verify SPEC.json`: JIT-compiled C against the interpreter on seeded random data;
// with `--against DIR`, the JIT and gcc tiers against PyTorch's golden pairs in DIR.

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

    @Option(
        help: """
            Folder of PyTorch golden pairs (<name>.safetensors with "input" and "output", as attn-gen-torch export \
            writes them): run the JIT and the gcc tier on PyTorch's inputs and compare with its outputs, using the \
            spec's weights.
            """)
    var against: String?

    func run() throws {
        if let against {
            try runAgainst(URL(fileURLWithPath: against))
            return
        }
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

    /// Every block against its golden pair; nothing is printed until all are checked.
    private func runAgainst(_ golden: URL) throws {
        let base = URL(fileURLWithPath: spec).deletingLastPathComponent()
        var results: [GoldenResult] = []
        do {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: golden.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw SpecError("", "--against \(golden.path) is not a folder of golden pairs")
            }
            for (path, block) in try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec)) {
                do {
                    results.append(try GoldenCheck.run(block, golden: golden, baseDirectory: base))
                } catch let e as SpecError {
                    throw e.within(path)
                }
            }
        } catch {
            throw fail(error)
        }
        for result in results { print(result) }
        let failed = results.filter { !$0.passed }.count
        if failed > 0 {
            FileHandle.standardError.write(Data("error: \(failed) block(s) past tolerance against PyTorch\n".utf8))
            throw ExitCode.failure
        }
    }
}
