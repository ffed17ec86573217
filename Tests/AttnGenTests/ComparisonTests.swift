// What the harness counts as agreement: the error over finite elements relative to max|ref|,
// and non-finite elements only when both sides are the same NaN or infinity.

import AttnGen
import Testing

@Suite struct ComparisonTests {
    @Test func finiteErrorIsRelativeToTheLargestReference() throws {
        let c = try Comparison([1, 2.5, -4], reference: [1, 2, -4])
        #expect(c.maxAbsError == 0.5)
        #expect(c.maxRelError == 0.125)
        #expect(c.worstIndex == 1)
        #expect(!c.within(0.1) && c.within(0.2))
    }

    @Test func theSameInfinityOrNaNOnBothSidesAgrees() throws {
        let inf = Float.infinity
        let c = try Comparison([inf, -inf, .nan, 2], reference: [inf, -inf, .nan, 2])
        #expect(c.within(1e-5), "\(c)")
        #expect(c.maxRelError == 0)
    }

    @Test(arguments: [
        ([Float.infinity], [Float(1)]), ([Float.nan], [Float(1)]), ([-Float.infinity], [Float.infinity]),
        ([Float(1)], [Float.infinity]), ([Float.nan], [Float.infinity]), ([Float.infinity], [Float.nan]),
    ])
    func aDifferentClassNeverAgrees(_ y: [Float], _ ref: [Float]) throws {
        let c = try Comparison(y, reference: ref)
        #expect(!c.within(1), "\(y) vs \(ref): \(c)")
    }
}
