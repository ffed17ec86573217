// What the planner and the emitter need to know about an op, from one exhaustive switch: a new
// op case does not compile until its traits are written here, so none is silently left without
// the scratch it works in or treated as fusible by accident.

/// Reductions whose siblings over one operand share a pass over it.
public enum ReductionFamily: Hashable, Sendable {
    /// Over H×W (`globalPool`).
    case global
    /// Over C (`channelPool`).
    case channel
}

/// Working memory an op needs while it runs, beyond its result.
public enum ScratchNeed: Hashable, Sendable {
    /// Nothing beyond its result.
    case none
    /// A block of query rows' scores over the keys (`attention`).
    case attentionScores
    /// A zero-padded input plane and wide accumulators, or a window spanning the plane's
    /// Toeplitz bands, on hosts only, when the conv is wide enough to use them (`conv2d`).
    case wideConv(Conv2dAttrs)
}

/// The properties of an op that decide fusion, grouping and storage.
public struct OpTraits: Hashable, Sendable {
    /// Computed from operands at the same index (with broadcasting): can be recomputed inline.
    public let isElementwise: Bool
    /// Reads each operand element once per output element it covers (no neighbourhoods, no
    /// repeated dot products), so an inline operand is not recomputed many times.
    public let readsEachElementOnce: Bool
    /// Set for reductions that share a pass with their siblings.
    public let reductionFamily: ReductionFamily?
    /// Read in place from its operand's storage when that storage allows it (slice, reshape).
    public let mayBeView: Bool
    /// Working memory it needs while it runs; the planner reserves it.
    public let scratch: ScratchNeed

    /// Whether it belongs to a reduction family (and so may share a pass with its siblings).
    public var isReduction: Bool { reductionFamily != nil }

    init(
        elementwise: Bool = false, readsEachElementOnce: Bool = false, reduction: ReductionFamily? = nil,
        mayBeView: Bool = false, scratch: ScratchNeed = .none
    ) {
        self.isElementwise = elementwise
        self.readsEachElementOnce = readsEachElementOnce
        self.reductionFamily = reduction
        self.mayBeView = mayBeView
        self.scratch = scratch
    }
}

extension Op {
    /// This op's traits, from one exhaustive switch so a new op cannot be left without them.
    public var traits: OpTraits {
        switch self {
        case .unary, .binary, .affine: return OpTraits(elementwise: true, readsEachElementOnce: true)
        case .globalPool: return OpTraits(readsEachElementOnce: true, reduction: .global)
        case .channelPool: return OpTraits(readsEachElementOnce: true, reduction: .channel)
        case .slice, .reshape: return OpTraits(mayBeView: true)
        case .attention: return OpTraits(scratch: .attentionScores)
        case .conv2d(let a): return OpTraits(scratch: .wideConv(a))
        case .linear, .channelConv1d, .axisConv1d, .groupNorm, .concat, .axisPool, .pool2d, .weightedPool, .matmul, .blockMatmul, .relPosWeights, .softmax, .l1Normalize,
            .layerNorm, .instanceNorm, .variance, .constant, .transpose, .upsampleNearest, .blockUnfold:
            return OpTraits()
        }
    }
}
