import Testing
import AttnJIT

/// Reports how long compiling a ~100-line generated-style kernel takes, with
/// and without `#include <math.h>` (median of 50). Only a loose sanity bound
/// is asserted so the test stays stable on slow or busy machines.
@Suite(.serialized) struct CompileTimingTests {
    static func medianCompileTime(_ source: String, runs: Int = 50) throws -> Duration {
        var samples: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<runs {
            var module: TCCModule?
            samples.append(try clock.measure { module = try TCCModule(source: source) })
            _ = try module?.symbol("attention_block")
        }
        return samples.sorted()[runs / 2]
    }

    @Test func attentionKernelCompileTime() throws {
        let withMath = try Self.medianCompileTime(CKernels.attentionBlock(prelude: "#include <math.h>"))
        let prototypes = try Self.medianCompileTime(CKernels.attentionBlock(prelude: CKernels.mathPrototypes))
        print("AttnJIT compile median of 50: with <math.h> \(withMath), with prototypes only \(prototypes)")
        #expect(withMath < .seconds(1))
        #expect(prototypes < .seconds(1))
    }
}
