// The rules every catalog kind (and lowering, for a graph's layers) checks its numbers with, in
// one place so a rule has one bound and one message. Each throws a SpecError naming the field and
// the rule, e.g. `groups: must divide C (64), got 5`.

import AttnIR

/// Checks shared by the catalog kinds and lowering.
package enum Rules {
    /// `value` at least `minimum` and small enough for 32-bit indexing.
    static func atLeast(_ minimum: Int, _ value: Int, _ field: String) throws(SpecError) {
        guard value >= minimum else { throw SpecError(field, "must be at least \(minimum), got \(value)") }
        guard value <= maxElements else { throw SpecError(field, "must be at most \(maxElements) (32-bit indexing), got \(value)") }
    }

    /// `value` divides `whole`, which the message calls `what` (`C`, `planes/4`).
    static func divides(_ value: Int, _ whole: Int, _ what: String, _ field: String) throws(SpecError) {
        try atLeast(1, value, field)
        guard whole % value == 0 else { throw SpecError(field, "must divide \(what) (\(whole)), got \(value)") }
    }

    /// A positive odd kernel size.
    package static func oddKernelSize(_ k: Int, _ field: String) throws(SpecError) {
        guard k >= 1, k % 2 == 1 else { throw SpecError(field, "must be a positive odd number, got \(k)") }
        guard k <= maxKernelSize else { throw SpecError(field, "must be at most \(maxKernelSize), got \(k)") }
    }

    /// A circularly padded conv along C wraps at most once, as PyTorch's `F.pad(mode="circular")`
    /// allows: its padding (k − 1)/2 may not exceed C.
    package static func circularPadding(kernel k: Int, channels: Int, _ field: String) throws(SpecError) {
        guard (k - 1) / 2 <= channels else {
            throw SpecError(field, "\(k) pads C = \(channels) circularly by \((k - 1) / 2), past C: the ring would wrap more than once (at most \(2 * channels + 1))")
        }
    }

    /// `reduced_channels` wins; else `channels / reduction` (floor), which must leave a channel.
    static func reducedWidth(_ channels: Int, reduction: Int?, reduced: Int?, defaultReduction: Int = 16) throws(SpecError) -> Int {
        if let rd = reduced {
            try atLeast(1, rd, "reduced_channels")
            try fits([rd, channels], "reduced_channels", "the reducing layer's weight")
            return rd
        }
        let r = reduction ?? defaultReduction
        try atLeast(1, r, "reduction")
        guard channels / r >= 1 else {
            throw SpecError("reduction", "\(r) leaves \(channels)/\(r) = 0 channels for C = \(channels); lower it or give reduced_channels")
        }
        return channels / r
    }

    /// timm's `make_divisible(v, divisor, min_value, round_limit)`: the nearest multiple of
    /// `divisor` (half up), at least `minValue` (default `divisor`), bumped once when that falls
    /// below `roundLimit · v`.
    static func makeDivisible(_ v: Double, divisor: Int, roundLimit: Double, minValue: Int? = nil) -> Int {
        var rounded = max(minValue ?? divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < roundLimit * v { rounded += divisor }
        return rounded
    }

    /// timm's attention width: `reduced_channels` wins; else `make_divisible(C / reduction,
    /// rd_divisor, round_limit)`, with round_limit 0 as timm's GE, GC and CoordAttn compute it
    /// (its default 0.9 for the non-local blocks).
    static func timmReducedWidth(
        _ channels: Int, reduction: Int?, reduced: Int?, divisor: Int?, defaultReduction: Int, defaultDivisor: Int = 1,
        roundLimit: Double = 0
    ) throws(SpecError) -> Int {
        if let rd = reduced {
            try atLeast(1, rd, "reduced_channels")
            try fits([rd, channels], "reduced_channels", "the reducing layer's weight")
            return rd
        }
        let r = reduction ?? defaultReduction
        try atLeast(1, r, "reduction")
        let d = divisor ?? defaultDivisor
        try atLeast(1, d, "rd_divisor")
        let rd = makeDivisible(Double(channels) * (1 / Double(r)), divisor: d, roundLimit: roundLimit)
        try fits([rd, channels], "rd_divisor", "the reducing layer's weight")
        return rd
    }

    /// A float field the C spells as a float32 literal: positive and finite in float32.
    static func positiveFloat32(_ v: Double, _ field: String) throws(SpecError) {
        guard v.isFinite, Float(v).isFinite, Float(v) > 0 else {
            throw SpecError(field, "must be a positive finite float32 number, got \(v)")
        }
    }

    /// The output extent of a conv or pool along one axis (PyTorch's floor rule), at least 1.
    /// Kernel, padding, dilation and stride are first bounded, so nothing below can overflow.
    static func convExtent(_ size: Int, kernel: Int, padding: Int, dilation: Int, stride: Int, _ field: String) throws(SpecError) -> Int {
        try atLeast(1, kernel, field)
        try atLeast(0, padding, field)
        try atLeast(1, dilation, field)
        try atLeast(1, stride, field)
        let span = dilation * (kernel - 1) + 1
        guard size + 2 * padding >= span else {
            throw SpecError(field, "a \(kernel)×\(kernel) window (dilation \(dilation), padding \(padding)) does not fit in \(size) pixels")
        }
        return (size + 2 * padding - span) / stride + 1
    }

    /// A k×k convolution's zero-padded input, `channels × (h + 2·padding) × (w + 2·padding)`
    /// floats, must fit 32-bit indexing: the host code copies the input into such a plane, and
    /// every row offset of the direct form lies inside it. `field` is the user's field that set
    /// the padding; `what` says how (`"dilation 4 (padding 4)"`).
    package static func paddedPlane(channels: Int, h: Int, w: Int, padding: Int, _ field: String, _ what: String) throws(SpecError) {
        guard padding >= 0, padding <= maxElements,
            let rows = Limits.sum(h, padding, padding), let cols = Limits.sum(w, padding, padding),
            Limits.product(channels, rows, cols) != nil
        else {
            throw SpecError(
                field,
                "\(what) pads the \(channels)×\(h)×\(w) input to \(channels)×(\(h) + 2·\(padding))×(\(w) + 2·\(padding)) floats, "
                    + "past 32-bit indexing (at most \(maxElements))")
        }
    }

    /// `dims` hold at most `maxElements` elements (a weight or a value of a catalog block), else
    /// `field` is refused with `what` (`"paths.0.conv.weight"`).
    static func fits(_ dims: [Int], _ field: String, _ what: String) throws(SpecError) {
        guard Limits.product(of: dims) != nil else {
            throw SpecError(field, "makes \(what) \(dims.map(String.init).joined(separator: "×")), past 32-bit indexing (at most \(maxElements) elements)")
        }
    }
}

/// Running count of the conv tap tables a catalog block's C spells out (`Limits.maxTableEntries`):
/// C_in/groups·k² offsets per k×k conv with 1 or at least 4 output channels: the convs the
/// host code may run in the wide form (AttnCEmit's `WideConv`, which also needs a single output
/// channel's rows wider than their padding).
struct TapTables {
    private(set) var entries = 0

    mutating func add(inPerGroup: Int, kernel: Int, stride: Int, outChannels: Int, _ field: String) throws(SpecError) {
        guard kernel > 1, outChannels >= 4 || outChannels == 1 else { return }
        entries = Limits.saturatingSum(entries, Limits.saturatingProduct(inPerGroup, kernel, kernel))
        guard entries <= Limits.maxTableEntries else {
            throw SpecError(
                field,
                "brings the conv tap tables the C spells out to \(entries) entries (C_in/groups·k² = \(inPerGroup)·\(kernel)² here), "
                    + "over the cap of \(Limits.maxTableEntries)")
        }
    }
}

