// How far one output is from a reference, and whether that is within tolerance.

import Foundation

/// Error of an output against a reference, relative to the reference's largest magnitude.
public struct Comparison: Sendable, CustomStringConvertible {
    /// The largest |y - ref| over all elements.
    public let maxAbsError: Float
    /// max |y - ref| / max |ref|: the measure the tolerance applies to.
    public let maxRelError: Float
    /// Flat index of the largest error, with both values, for the failure message.
    public let worstIndex: Int
    /// The output and reference values at `worstIndex`.
    public let worst: (value: Float, reference: Float)
    /// An element whose class differs from the reference's: NaN or ±Inf where the reference is
    /// finite, or anything but the same NaN/±Inf where the reference is not finite.
    public let nonFinite: Bool

    /// `y` must have the reference's length (`KernelError.wrongCount` otherwise). Elements where
    /// both are the same infinity, or both NaN, agree (the math overflowed in both); the error
    /// and its scale are taken over the finite elements.
    public init(_ y: [Float], reference ref: [Float]) throws(KernelError) {
        try KernelError.check("output", given: y.count, expected: ref.count)
        var maxAbs: Float = 0
        var worstIndex = 0
        var scale: Float = 0
        var nonFinite = false
        for i in 0..<y.count {
            guard ref[i].isFinite else {
                let same = ref[i].isNaN ? y[i].isNaN : y[i] == ref[i]
                if !same && !nonFinite {
                    nonFinite = true
                    worstIndex = i
                }
                continue
            }
            let d = abs(y[i] - ref[i])
            if !y[i].isFinite && !nonFinite {
                nonFinite = true
                worstIndex = i
            }
            if !nonFinite && (d > maxAbs || d.isNaN) {
                maxAbs = d
                worstIndex = i
            }
            scale = max(scale, abs(ref[i]))
        }
        self.maxAbsError = maxAbs
        self.maxRelError = scale > 0 ? maxAbs / scale : maxAbs
        self.worstIndex = worstIndex
        self.worst = (y.isEmpty ? 0 : y[worstIndex], ref.isEmpty ? 0 : ref[worstIndex])
        self.nonFinite = nonFinite
    }

    /// Whether every element is finite and the relative error is at most `tolerance`.
    public func within(_ tolerance: Float) -> Bool { !nonFinite && !maxRelError.isNaN && maxRelError <= tolerance }

    /// The errors and the worst element, as `attn-gen verify` prints them.
    public var description: String {
        let e = { (v: Float) in String(format: "%.2e", Double(v)) }
        return "max abs err \(e(maxAbsError)), max rel err \(e(maxRelError)) (worst at [\(worstIndex)]: \(worst.value) vs \(worst.reference))"
    }
}
