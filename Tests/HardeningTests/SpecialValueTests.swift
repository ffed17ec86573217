// The emitted C (through the JIT) against the interpreter on inputs full of special values:
// ±0, denormals, ±1e30, NaN, ±Inf, and mixtures. Each output element must fall in the same class
// as the reference (NaN, +Inf, -Inf or finite) and finite elements must agree within the harness
// tolerance; where the math is finite the output is finite (sigmoid of ±1e30 is 0 or 1, never
// NaN). Max pools skip NaN (the interpreter's documented rule), so a NaN among finite values must
// not reach a max. The sanitizer run of the same C is SanitizerTests.

import AttnGen
import AttnInterp
import Foundation
import Testing

enum SpecialInput: String, CaseIterable, Sendable {
    case positiveZero = "+0", negativeZero = "-0", denormal, big = "±1e30", positiveBig = "+1e30", negativeBig = "-1e30"
    case nan = "NaN", positiveInf = "+Inf", negativeInf = "-Inf", sprinkledNaN = "NaN among values", mixed

    /// Finite inputs whose math stays finite: the output must be too.
    var finite: Bool {
        switch self {
        case .positiveZero, .negativeZero, .denormal, .big, .positiveBig, .negativeBig: return true
        case .nan, .positiveInf, .negativeInf, .sprinkledNaN, .mixed: return false
        }
    }

    func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        // One sign of the huge finite value per input: with both, a sum over ordinary values and
        // a cancelling pair ±1e30 keeps or loses the ordinary part by the order of its additions
        // (1e30 + 1.5 − 1e30 is 0, 1e30 − 1e30 + 1.5 is 1.5), so no order is the reference, and
        // the vector reductions add in another order than the interpreter. `big` keeps both signs
        // alone, where every order gives the same sum.
        let huge: Float = seed % 2 == 0 ? 1e30 : -1e30
        let specials: [Float] = [0, -0.0, .nan, .infinity, -.infinity, 0x1p-133, -0x1p-128, huge]
        return (0..<count).map { _ in
            switch self {
            case .positiveZero: return 0
            case .negativeZero: return -0.0
            case .denormal: return Float(rng.next() % 8_000_000 + 1) * Float.leastNonzeroMagnitude * (rng.next() & 1 == 0 ? 1 : -1)
            case .big: return rng.next() & 1 == 0 ? 1e30 : -1e30
            case .positiveBig: return 1e30
            case .negativeBig: return -1e30
            case .nan: return .nan
            case .positiveInf: return .infinity
            case .negativeInf: return -.infinity
            case .sprinkledNaN: return rng.next() % 16 == 0 ? .nan : rng.uniform(-2, 2)
            case .mixed: return rng.next() % 4 == 0 ? specials[Int(rng.next() % UInt64(specials.count))] : rng.uniform(-2, 2)
            }
        }
    }
}

/// What a float is, for comparing outputs that may hold NaN and infinities.
enum FloatClass: Equatable {
    case nan, plusInf, minusInf, finite

    init(_ v: Float) {
        self = v.isNaN ? .nan : (v == .infinity ? .plusInf : (v == -.infinity ? .minusInf : .finite))
    }
}

@Suite("Special input values")
struct SpecialValueTests {
    static let specs: [BlockSpec] = loadSpecs + [
        // Shapes large enough for the emitter's row helpers (unrolled and SSE paths) to engage.
        SqueezeExcite("se_rows", input: .nchw(1, 64, 17, 19), reduction: 8),
        CBAM("cbam_rows", input: .nchw(1, 48, 13, 16), reduction: 4, spatialKernelSize: 7),
        Block("max_rows", input: .nchw(2, 32, 9, 31)) { GlobalPool(.max); ChannelConv1D(kernelSize: 3); Sigmoid(); Multiply("x") },
    ]

    @Test(arguments: SpecialInput.allCases)
    func jitMatchesTheInterpreterOnSpecialInputs(_ kind: SpecialInput) throws {
        for (i, spec) in Self.specs.enumerated() {
            let kernel = try Kernel(spec, weights: .random(seed: UInt64(i) + 1))
            let x = kind.values(kernel.inputCount, seed: UInt64(i) * 31 + 7)
            let y = try kernel(x)
            let ref = try Interpreter.run(kernel.program, input: x, params: kernel.params)
            var classMismatch: (Int, Float, Float)? = nil
            var scale: Float = 0
            for r in ref where r.isFinite { scale = max(scale, abs(r)) }
            var worst: Float = 0
            for j in 0..<y.count {
                if FloatClass(y[j]) != FloatClass(ref[j]) {
                    if classMismatch == nil { classMismatch = (j, y[j], ref[j]) }
                } else if y[j].isFinite {
                    worst = max(worst, abs(y[j] - ref[j]))
                }
            }
            #expect(classMismatch == nil, "\(spec.name), \(kind.rawValue) inputs: output[\(classMismatch?.0 ?? 0)] is \(classMismatch?.1 ?? 0), the interpreter gives \(classMismatch?.2 ?? 0)")
            let bound = CrossCheck.tolerance * scale + 64 * .leastNonzeroMagnitude
            let withinTolerance = worst <= bound
            #expect(withinTolerance, "\(spec.name), \(kind.rawValue) inputs: max error \(worst) against max of the reference \(scale)")
            if kind.finite {
                #expect(y.allSatisfy { $0.isFinite }, "\(spec.name), \(kind.rawValue) inputs: a non-finite output where the math is finite")
            }
        }
    }

    @Test func sigmoidOfHugeLogitsIsZeroOrOne() throws {
        // The gate alone: x · σ(x) over a vector of ±1e30 and ±Inf logits.
        let spec = Block("gate", input: .nchw(1, 6, 1, 1)) { Sigmoid(); Multiply("x") }
        let kernel = try Kernel(spec, weights: .values([]))
        let x: [Float] = [1e30, -1e30, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.8, -104]
        let y = try kernel(x)
        #expect(y[0] == 1e30 && y[1] == 0 && y[2] == .greatestFiniteMagnitude && y[3] == 0, "\(y)")
        #expect(y.allSatisfy { $0.isFinite }, "\(y)")
        #expect(try y == Interpreter.run(kernel.program, input: x, params: []), "\(y)")
    }

    @Test func maxPoolSkipsNaN() throws {
        // Each plane holds one NaN among finite values: the pooled max is the largest finite one.
        let spec = Block("maxnan", input: .nchw(1, 3, 4, 5)) { GlobalPool(.max); Sigmoid(); Multiply("x") }
        let kernel = try Kernel(spec, weights: .values([]))
        var x = (0..<60).map { Float($0 % 20) - 10 }
        x[0] = .nan
        x[27] = .nan
        x[59] = .nan
        let y = try kernel(x)
        let ref = try Interpreter.run(kernel.program, input: x, params: [])
        for j in 0..<60 where j != 0 && j != 27 && j != 59 {
            #expect(y[j].isFinite && y[j] == ref[j], "output[\(j)] = \(y[j]), interpreter \(ref[j])")
        }
    }
}
