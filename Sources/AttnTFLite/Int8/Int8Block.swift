// Every int8 block kind the importer recognises, behind one value: shape and the Swift model of
// its kernel, whichever kind it is.

/// A recognised int8 block's arithmetic.
package enum Int8Block: Equatable, Sendable {
    /// SE, hard-sigmoid SE or ECA: a pooled vector gating the channels.
    case se(Int8SE)
    /// CBAM: a channel gate, then a spatial gate.
    case cbam(Int8CBAM)

    /// NHWC extents of the input (and output).
    package var batch: Int {
        switch self {
        case .se(let b): b.batch
        case .cbam(let b): b.batch
        }
    }
    package var height: Int {
        switch self {
        case .se(let b): b.height
        case .cbam(let b): b.height
        }
    }
    package var width: Int {
        switch self {
        case .se(let b): b.width
        case .cbam(let b): b.width
        }
    }
    package var channels: Int {
        switch self {
        case .se(let b): b.channels
        case .cbam(let b): b.channels
        }
    }

    /// The block's output for one input, as its kernel computes it.
    package func callAsFunction(_ x: [Int8]) -> [Int8] {
        switch self {
        case .se(let b): b(x)
        case .cbam(let b): b(x)
        }
    }
}
