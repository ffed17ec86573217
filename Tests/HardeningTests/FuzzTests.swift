// The short, seeded fuzz runs of CI: the same generators and checks as the libFuzzer targets
// (scripts/fuzz/run.sh runs those for a million inputs), driven by SplitMix64 so every failure
// replays from its seed. ATTN_FUZZ_ITERATIONS raises the counts.

import AttnGen
import Foundation
import Testing

@Suite("Seeded fuzzing")
struct FuzzTests {
    static let iterations = environmentInt("ATTN_FUZZ_ITERATIONS", default: 2_500)

    @Test func generatedSpecsHoldEveryProperty() {
        var c = SeededChoices(seed: 0xA77E_5EED)
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        for _ in 0..<Self.iterations {
            let text = SpecGenerator.document(&c)
            let before = violations.count
            FuzzOracle.checkSpec(Array(text.utf8), &tally, violations: &violations)
            if violations.count > before { violations.append("  from \(text)") }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        print("seeded spec fuzzing (generator): \(tally)")
        // The generator must reach every stage, or it tests only the decoder.
        #expect(tally.refusedByDecoder > Self.iterations / 50, "\(tally)")
        #expect(tally.refusedLater > Self.iterations / 20, "\(tally)")
        #expect(tally.generated > Self.iterations / 5, "\(tally)")
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

    /// The C the generator's accepted specs produce, compiled by libtcc and run against the
    /// interpreter: wrong C that still compiles would show here.
    @Test func generatedSpecsCompileAndMatchTheInterpreter() throws {
        var c = SeededChoices(seed: 0xC0DE_5EED)
        var tally = FuzzOracle.Tally()
        var violations: [String] = []
        var checked = 0
        var attempts = 0
        let wanted = environmentInt("ATTN_FUZZ_JIT", default: 60)
        while checked < wanted && attempts < wanted * 80 {
            attempts += 1
            let text = SpecGenerator.document(&c)
            for generated in FuzzOracle.checkSpec(Array(text.utf8), &tally, violations: &violations) {
                guard let cost = FuzzOracle.cost(generated.program), cost <= FuzzOracle.interpreterBudget else { continue }
                let kernel: Kernel
                do {
                    kernel = try Kernel(generated.spec, weights: .random(seed: UInt64(attempts)), useCache: false)
                } catch {
                    Issue.record("\(error)\n\(generated.spec.canonicalJSON)\n\(generated.source.jitSource)")
                    continue
                }
                let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: UInt64(attempts) &+ 7))
                #expect(result.passed, "\(result)\n\(generated.spec.canonicalJSON)")
                checked += 1
            }
        }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
        #expect(checked >= wanted, "only \(checked) generated specs were small enough to check")
    }
}
