// The short, seeded fuzz runs of CI: the same generators and checks as the libFuzzer targets
// (scripts/fuzz/run.sh runs those for a million inputs), driven by SplitMix64 so every failure
// replays from its seed. ATTN_FUZZ_ITERATIONS raises the counts.

import AttnGen
import AttnInterp
import Foundation
import Testing

@Suite("Seeded fuzzing")
struct FuzzTests {
    static let iterations = environmentInt("ATTN_FUZZ_ITERATIONS", default: 2_500)

    @Test func generatedSpecsHoldEveryProperty() {
        var c = SeededChoices(seed: 0xA77E_5EED)
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        var hostile = 0
        tally.keepMessages = true
        for _ in 0..<Self.iterations {
            let text = SpecGenerator.document(&c)
            let before = violations.count
            let generated = FuzzOracle.checkSpec(Array(text.utf8), &tally, violations: &violations, compile: true)
            hostile += generated.filter { SpecGenerator.usesHostileName($0.spec.canonicalJSON) }.count
            if violations.count > before { violations.append("  from \(text)") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        let names = tally.messages.filter { $0.contains("C identifier") || $0.contains("reserve") || $0.contains("collides") || $0.contains("would both define") }
        print("seeded spec fuzzing (generator): \(tally); \(hostile) generated with a hostile name, \(names.count) name refusals (\(names.filter { $0.contains("collides") }.count) blocks colliding)")
        // Hostile names must reach the C, not only the refusals.
        #expect(hostile > Self.iterations / 50, "\(hostile)")
        // The generator must reach every stage, or it tests only the decoder.
        #expect(tally.refusedByDecoder > Self.iterations / 50, "\(tally)")
        #expect(tally.refusedLater > Self.iterations / 20, "\(tally)")
        // Extreme integers and hostile names refuse more specs than they used to: about 19 % generate.
        #expect(tally.generated > Self.iterations / 8, "\(tally)")
    }

    @Test func mutatedSpecSeedsHoldEveryProperty() throws {
        var c = SeededChoices(seed: 0x5EED_0001)
        var seeds = FuzzSeeds.specs.map { Array($0.text.utf8) }
        for url in Examples.specFiles(in: Repo.generated) { seeds.append(Array(try Data(contentsOf: url))) }
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        for _ in 0..<Self.iterations {
            let bytes = Mutator.mutate(c.pick(seeds), tokens: FuzzSeeds.specTokens, safetensors: false, &c)
            let before = violations.count
            FuzzOracle.checkSpec(bytes, &tally, violations: &violations)
            if violations.count > before { violations.append("  from \(String(decoding: bytes, as: UTF8.self))") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        print("seeded spec fuzzing (mutations): \(tally)")
        #expect(tally.generated > Self.iterations / 100, "\(tally)")
    }

    @Test func mutatedWeightsHoldEveryProperty() throws {
        let dir = try makeTempDir("fuzz-weights")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = SeededChoices(seed: 0x5EED_0002)
        let seeds = FuzzSeeds.weights.map(\.bytes)
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        for seed in seeds { FuzzOracle.checkWeights(seed, in: dir, &tally, violations: &violations) }
        #expect(tally.generated >= seeds.count, "every seed file must import: \(tally)")
        for _ in 0..<Self.iterations {
            let bytes = Mutator.mutate(c.pick(seeds), tokens: FuzzSeeds.weightTokens, safetensors: true, &c)
            let before = violations.count
            FuzzOracle.checkWeights(bytes, in: dir, &tally, violations: &violations)
            if violations.count > before { violations.append("  from \(bytes)") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        print("seeded weights fuzzing: \(tally)")
        #expect(tally.refusedByDecoder > Self.iterations / 10, "\(tally)")
        #expect(tally.generated > Self.iterations / 20, "\(tally)")
    }

    /// torch.save checkpoints: the committed .pth files and wrapped pickles, mutated whole or in
    /// their pickle (wrapped again), hold the reader's properties; the valid seeds import.
    @Test func mutatedCheckpointsHoldEveryProperty() throws {
        let dir = try makeTempDir("fuzz-pth")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = SeededChoices(seed: 0x5EED_0003)
        let seeds = CheckpointSeeds.files.map(\.bytes) + CheckpointSeeds.pickles.map(\.bytes)
        #expect(CheckpointSeeds.files.count >= 10, "the committed .pth fixtures are the seeds")
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        for seed in seeds { FuzzOracle.checkCheckpoint(seed, in: dir, &tally, violations: &violations) }
        #expect(tally.generated >= CheckpointSeeds.pickles.count, "the wrapped pickles must import: \(tally)")
        for _ in 0..<Self.iterations {
            let bytes = Mutator.mutate(c.pick(seeds), tokens: CheckpointSeeds.tokens, safetensors: false, &c)
            let before = violations.count
            FuzzOracle.checkCheckpoint(bytes, in: dir, &tally, violations: &violations)
            if violations.count > before { violations.append("  from \(bytes)") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        print("seeded checkpoint fuzzing: \(tally)")
        #expect(tally.refusedByDecoder > Self.iterations / 10, "\(tally)")
        #expect(tally.generated > Self.iterations / 50, "\(tally)")
    }

    /// The C the generator's accepted specs produce (names drawn from a pool of loop variables,
    /// libc names, C keywords and colliding variants), compiled by libtcc and run against the
    /// interpreter by the oracle; every fifth also by gcc at -std=c99 -pedantic -Werror. Wrong C
    /// that still compiles, or a name that breaks the C, would show here.
    @Test func generatedSpecsCompileAndMatchTheInterpreter() throws {
        var c = SeededChoices(seed: 0xC0DE_5EED)
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        var attempts = 0
        var native = 0
        var hostile = 0
        let wanted = environmentInt("ATTN_FUZZ_JIT", default: 60)
        let gcc = NativeCompiler(command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1"])
        while tally.compiled < wanted && attempts < wanted * 80 {
            attempts += 1
            let text = SpecGenerator.document(&c)
            let before = violations.count
            let compiledBefore = tally.compiled
            let generated = FuzzOracle.checkSpec(Array(text.utf8), &tally, violations: &violations, compile: true)
            if violations.count > before { violations.append("  from \(text)") }
            hostile += generated.filter { SpecGenerator.usesHostileName($0.spec.canonicalJSON) }.count
            guard tally.compiled > compiledBefore, tally.compiled % 5 == 0, let g = generated.first else { continue }
            do {
                let kernel = try Kernel(g.spec, weights: .random(seed: UInt64(attempts)), useCache: false)
                let n = try NativeKernel(sameAs: kernel, compiler: gcc, useCache: false)
                let x = kernel.program.randomInput(seed: UInt64(attempts))
                let layout = kernel.layout
                let y = try layout.toNCHW(try n(try layout.fromNCHW(x, kernel.program.input)), kernel.program.outputShape)
                let comparison = try Comparison(y, reference: try Interpreter.run(kernel.program, input: x, params: kernel.params))
                #expect(comparison.within(CrossCheck.tolerance), "gcc: \(comparison)\n\(g.spec.canonicalJSON)")
                native += 1
            } catch {
                Issue.record("gcc -Werror: \(error)\n\(g.spec.canonicalJSON)")
            }
        }
        print("seeded spec fuzzing (compiled): \(tally), \(native) also through gcc -Werror; \(hostile) generated with a hostile name")
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        #expect(tally.compiled >= wanted, "only \(tally.compiled) generated specs were small enough to check")
    }
}
