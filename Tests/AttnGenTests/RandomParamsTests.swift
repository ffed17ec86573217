// Seeded random parameters: the numbers tests, fixtures and benchmarks were made with, whatever
// the loop that fills them.

import AttnGen
import AttnIR
import Testing

@Suite struct RandomParamsTests {
    /// One `uniform` draw per float in parameter order, each role in its range: weights
    /// ±1/√fan-in, biases and shifts ±0.5, scales [0.5, 1.5).
    @Test func sameNumbersAsOneDrawPerFloat() throws {
        let spec = Block("random_params", input: .nchw(1, 16, 5, 6)) {
            Primitive(.batchNorm(param: "bn", eps: 1e-5), "x").named("n")
            Conv2D(8, kernelSize: 3, bias: true, param: "conv", of: "n")
        }
        let program = try Pipeline.generate(spec, target: .jit).program
        #expect(Set(program.params.map(\.role)) == [.weight, .bias, .scale, .shift])
        var rng = SplitMix64(seed: 31)
        var expected: [Float] = []
        for p in program.params {
            let bound = 1 / Float(p.fanIn).squareRoot()
            for _ in 0..<p.count {
                switch p.role {
                case .weight: expected.append(rng.uniform(-bound, bound))
                case .bias: expected.append(rng.uniform(-0.5, 0.5))
                case .scale: expected.append(rng.uniform(0.5, 1.5))
                case .shift: expected.append(rng.uniform(-0.5, 0.5))
                }
            }
        }
        let made = program.randomParams(seed: 31)
        #expect(made.count == program.paramCount)
        #expect(made.map(\.bitPattern) == expected.map(\.bitPattern))
    }
}
