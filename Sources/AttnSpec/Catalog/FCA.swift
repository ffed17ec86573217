// FcaNet's multi-spectral channel attention (Qin et al., ICCV 2021), written in the DSL. Follows
// the official cfzd/FcaNet `model/layer.py::MultiSpectralAttentionLayer`:
//   y = x · σ(fc.2(relu(fc.0(Σ_hw F[c,h,w] · pool(x)[c,h,w])))),
// `pool` PyTorch's adaptive average pool to dct_h × dct_w when the input is another size (as the
// official forward: only then), `fc.0`/`fc.2` bias-free Linears with rd = C // reduction, and F
// the fixed DCT-II basis of `freq_sel_method`'s frequencies, one per group of C/K channels.
// F is computed here from (C, dct_h, dct_w, freq_sel_method) as the official `get_dct_filter`
// does; the official code keeps it as a buffer, so its checkpoints hold it
// (`dct_layer.weight [C, dct_h, dct_w]`): a file that does is checked against the computed one
// (another buffer is another block), and a file without it works. Whole, square pooling windows
// stay a pool; any other adaptive pool (uneven windows, or dct larger than the input) is linear,
// so it is folded into F, which then spans the input's plane. The paper's frequency (0, 0) is
// √(HW)·mean, not the mean.

import AttnIR
import Foundation

/// FcaNet's frequency sets: the first K of the 7×7 grid's frequencies ranked top (best single
/// frequency accuracy), low (zig-zag from DC) or bot (worst).
public enum FCAFrequencies: Hashable, Sendable {
    /// The first K frequencies of each ranking: `top16`, `low4`, `bot32`, ...
    case top(Int), low(Int), bot(Int)

    static let counts = [1, 2, 4, 8, 16, 32]
    static let topU = [0, 0, 6, 0, 0, 1, 1, 4, 5, 1, 3, 0, 0, 0, 3, 2, 4, 6, 3, 5, 5, 2, 6, 5, 5, 3, 3, 4, 2, 2, 6, 1]
    static let topV = [0, 1, 0, 5, 2, 0, 2, 0, 0, 6, 0, 4, 6, 3, 5, 2, 6, 3, 3, 3, 5, 1, 1, 2, 4, 2, 1, 1, 3, 0, 5, 3]
    static let lowU = [0, 0, 1, 1, 0, 2, 2, 1, 2, 0, 3, 4, 0, 1, 3, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4]
    static let lowV = [0, 1, 0, 1, 2, 0, 1, 2, 2, 3, 0, 0, 4, 3, 1, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3]
    static let botU = [6, 1, 3, 3, 2, 4, 1, 2, 4, 4, 5, 1, 4, 6, 2, 5, 6, 1, 6, 2, 2, 4, 3, 3, 5, 5, 6, 2, 5, 5, 3, 6]
    static let botV = [6, 4, 4, 6, 6, 3, 1, 4, 4, 5, 6, 5, 2, 2, 5, 1, 4, 3, 5, 0, 3, 1, 1, 2, 4, 2, 1, 1, 5, 3, 3, 3]

    /// `top16`, `low4`, ...
    public init?(_ text: String) {
        let prefix = String(text.prefix(3))
        guard let k = Int(text.dropFirst(3)), Self.counts.contains(k), String(k) == text.dropFirst(3) else { return nil }
        switch prefix {
        case "top": self = .top(k)
        case "low": self = .low(k)
        case "bot": self = .bot(k)
        default: return nil
        }
    }

    /// The official `freq_sel_method` string (`top16`).
    public var name: String {
        switch self {
        case .top(let k): return "top\(k)"
        case .low(let k): return "low\(k)"
        case .bot(let k): return "bot\(k)"
        }
    }

    /// K, the number of frequencies (channel groups).
    public var count: Int {
        switch self {
        case .top(let k), .low(let k), .bot(let k): return k
        }
    }

    /// The (u, v) frequencies on the 7×7 grid, u along H.
    public var grid: [(u: Int, v: Int)] {
        let (u, v): ([Int], [Int])
        switch self {
        case .top: (u, v) = (Self.topU, Self.topV)
        case .low: (u, v) = (Self.lowU, Self.lowV)
        case .bot: (u, v) = (Self.botU, Self.botV)
        }
        return (0..<count).map { (u[$0], v[$0]) }
    }
}

/// The official `get_dct_filter`: `[C, h, w]`, channel group k (of C/K channels) holding
/// `B(i, u_k, h)·B(j, v_k, w)` with `B(p, f, L) = cos(π f (p + ½)/L)/√L · (√2 if f ≠ 0)` and the
/// grid frequencies scaled by `h // 7`, `w // 7`; in Double, rounded to Float once.
public func fcaDCTFilter(channels: Int, h: Int, w: Int, frequencies: FCAFrequencies) -> [Float] {
    fcaDCTBasis(channels: channels, h: h, w: w, frequencies: frequencies).map { Float($0) }
}

/// `fcaDCTFilter` in Double.
func fcaDCTBasis(channels: Int, h: Int, w: Int, frequencies: FCAFrequencies) -> [Double] {
    func basis(_ pos: Int, _ freq: Int, _ length: Int) -> Double {
        let b = cos(Double.pi * Double(freq) * (Double(pos) + 0.5) / Double(length)) / Double(length).squareRoot()
        return freq == 0 ? b : b * 2.0.squareRoot()
    }
    let part = channels / frequencies.count
    var out: [Double] = []
    out.reserveCapacity(channels * h * w)
    // Every channel of a group holds the same plane: computed once per group (the cosines per
    // channel were most of a large block's spec → callable time), the same values.
    for f in frequencies.grid {
        let (u, v) = (f.u * (h / 7), f.v * (w / 7))
        let rows = (0..<h).map { basis($0, u, h) }
        let columns = (0..<w).map { basis($0, v, w) }
        let plane = rows.flatMap { r in columns.map { r * $0 } }
        for _ in 0..<part { out += plane }
    }
    // Channels past the last whole group (a C the groups do not divide, refused elsewhere) stay 0.
    out += repeatElement(0, count: channels * h * w - out.count)
    return out
}

/// PyTorch's `adaptive_avg_pool2d` from `extent` to `size` along one axis, as weights:
/// `[size][extent]`, output i averaging inputs ⌊i·extent/size⌋ ..< ⌈(i+1)·extent/size⌉.
func adaptivePoolWeights(from extent: Int, to size: Int) -> [[Double]] {
    (0..<size).map { i in
        let start = i * extent / size
        let end = ((i + 1) * extent + size - 1) / size
        return (0..<extent).map { $0 >= start && $0 < end ? 1 / Double(end - start) : 0 }
    }
}

/// `Σ_ij F[c,i,j]·pool(x)[c,i,j]` as `Σ_yx F'[c,y,x]·x[c,y,x]`: the adaptive pool folded into
/// the filter, `F'[c] = Pᵀ_h · F[c] · P_w`.
func fcaFoldedFilter(_ f: [Double], channels: Int, dct: (h: Int, w: Int), input: (h: Int, w: Int)) -> [Float] {
    let ph = adaptivePoolWeights(from: input.h, to: dct.h)
    let pw = adaptivePoolWeights(from: input.w, to: dct.w)
    let (plane, size) = (dct.h * dct.w, input.h * input.w)
    var out = [Float](repeating: 0, count: channels * size)
    for c in 0..<channels {
        // A channel group shares one DCT plane, so its folded plane too.
        if c > 0 && f[(c - 1) * plane..<c * plane].elementsEqual(f[c * plane..<(c + 1) * plane]) {
            out.replaceSubrange(c * size..<(c + 1) * size, with: out[(c - 1) * size..<c * size])
            continue
        }
        for y in 0..<input.h {
            for x in 0..<input.w {
                var sum = 0.0
                for i in 0..<dct.h where ph[i][y] != 0 {
                    for j in 0..<dct.w where pw[j][x] != 0 { sum += f[(c * dct.h + i) * dct.w + j] * ph[i][y] * pw[j][x] }
                }
                out[(c * input.h + y) * input.w + x] = Float(sum)
            }
        }
    }
    return out
}

extension Catalog {
    /// `x · σ(fc.2(relu(fc.0(Σ_hw F·pool(x)))))`, pooling by `window` first when it is above 1
    /// (F then spans the pooled plane; with any other pool folded into it, the input's).
    public static func fca(channels: Int, reduced: Int, window: Int) -> [Layer] {
        build {
            if window > 1 {
                Primitive(.pool2d(.mean, kernelSize: window, stride: window))
            }
            Primitive(.weightedPool(param: "dct_layer"))
            Linear(reduced, bias: false, param: "fc.0")
            ReLU()
            Linear(channels, bias: false, param: "fc.2")
            Sigmoid()
            Multiply("x")
        }
    }
}

/// FcaNet hyperparameters as given (official `MultiSpectralAttentionLayer`).
public struct FCAOptions: Hashable, Sendable {
    /// The DCT plane; default the input's H and W.
    public var dctH: Int?
    /// The DCT plane's width; default the input's W.
    public var dctW: Int?
    /// Default 16; rd = C // reduction.
    public var reduction: Int?
    /// The hidden width of the fc; wins over `reduction`.
    public var reducedChannels: Int?
    /// Default top16.
    public var freqSelMethod: FCAFrequencies?

    /// Options as given; nil fields take the defaults when the spec is resolved.
    public init(dctH: Int? = nil, dctW: Int? = nil, reduction: Int? = nil, reducedChannels: Int? = nil, freqSelMethod: FCAFrequencies? = nil) {
        self.dctH = dctH
        self.dctW = dctW
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.freqSelMethod = freqSelMethod
    }

    /// The DCT plane and the pooling window that brings the input to it: 1 when it is the
    /// input's plane, k for whole k×k windows, nil for any other adaptive pool (folded into F).
    func plane(_ input: InputShape) throws(SpecError) -> (h: Int, w: Int, window: Int?) {
        let (h, w) = (dctH ?? input.h, dctW ?? input.w)
        try Rules.atLeast(1, h, "dct_h")
        try Rules.atLeast(1, w, "dct_w")
        // The filter is computed at generation (in Double): its size is capped like a table's.
        try Self.computable([input.c, h], "dct_h")
        try Self.computable([input.c, h, w], "dct_w")
        guard h != input.h || w != input.w else { return (h, w, 1) }
        guard input.h % h == 0, input.w % w == 0, input.h / h == input.w / w else {
            try Self.computable([input.c, input.h, input.w], "dct_h", folded: true)
            return (h, w, nil)
        }
        return (h, w, input.h / h)
    }

    /// Most floats of a DCT filter computed at generation.
    static let maxFilter = 1 << 26

    private static func computable(_ dims: [Int], _ field: String, folded: Bool = false) throws(SpecError) {
        guard let n = Limits.product(of: dims), n <= maxFilter else {
            let what = folded ? "the DCT filter with the uneven adaptive pool folded in" : "the DCT filter dct_layer.weight"
            throw SpecError(
                field, "makes \(what) \(dims.map(String.init).joined(separator: "×")), over the \(maxFilter) floats attn-gen computes at generation")
        }
    }
}

extension FCAOptions: CatalogBlock {
    package static let kind = "fca"
    package static let reference = "official FcaNet MultiSpectralAttentionLayer"
    package static let hyperparameters = ["dct_h=H", "dct_w=W", "reduction=16", "reduced_channels", "freq_sel_method=top16"]
    package static var examples: [BlockSpec] {
        [
            FcaNet("fca_g1", input: .nchw(2, 32, 7, 7)),
            FcaNet("fca_g2", input: .nchw(1, 16, 9, 6), FCAOptions(dctH: 3, dctW: 2, reduction: 4, freqSelMethod: .low(4))),
            FcaNet("fca_g3", input: .nchw(1, 8, 14, 5), FCAOptions(reducedChannels: 3, freqSelMethod: .bot(8))),
            // Uneven adaptive windows along H, and a DCT plane wider than the input along W.
            FcaNet("fca_g4", input: .nchw(2, 8, 9, 5), FCAOptions(dctH: 4, dctW: 7, reduction: 2, freqSelMethod: .top(4))),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) {
        var freq: FCAFrequencies? = nil
        if let text = try r.string("freq_sel_method") {
            guard let f = FCAFrequencies(text) else {
                throw SpecError("freq_sel_method", "unknown method \"\(text)\" (known: top, low or bot followed by 1, 2, 4, 8, 16 or 32)")
            }
            freq = f
        }
        self.init(
            dctH: try r.int("dct_h"), dctW: try r.int("dct_w"), reduction: try r.int("reduction"),
            reducedChannels: try r.int("reduced_channels"), freqSelMethod: freq)
    }

    package func encode(into f: inout [String: JSONValue]) {
        f["dct_h"] = dctH.map { .int($0) }
        f["dct_w"] = dctW.map { .int($0) }
        f["reduction"] = reduction.map { .int($0) }
        f["reduced_channels"] = reducedChannels.map { .int($0) }
        f["freq_sel_method"] = freqSelMethod.map { .string($0.name) }
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let plane = try plane(input)
        let k = (freqSelMethod ?? .top(16)).count
        guard input.c % k == 0 else {
            throw SpecError("freq_sel_method", "\((freqSelMethod ?? .top(16)).name) splits C into \(k) groups, which must divide C (\(input.c))")
        }
        let rd = try Rules.reducedWidth(input.c, reduction: reduction, reduced: reducedChannels)
        return Catalog.fca(channels: input.c, reduced: rd, window: plane.window ?? 1)
    }

    /// The DCT filter, computed; with an uneven adaptive pool, folded over the input's plane.
    package func derivedTensors(_ input: InputShape) throws(SpecError) -> [String: DerivedTensor] {
        let plane = try plane(input)
        let method = freqSelMethod ?? .top(16)
        let dct = fcaDCTBasis(channels: input.c, h: plane.h, w: plane.w, frequencies: method)
        let reference = dct.map { Float($0) }
        let values =
            plane.window == nil
            ? fcaFoldedFilter(dct, channels: input.c, dct: (plane.h, plane.w), input: (input.h, input.w)) : reference
        let name = "dct_layer.weight"
        return [
            name: .fixed(
                values: values, tensor: name, reference: reference, referenceDims: [input.c, plane.h, plane.w],
                what: "the DCT filter of \(method.name) on \(plane.h)×\(plane.w) (the official get_dct_filter)")
        ]
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        var o = self
        o.reducedChannels = try w.reduced("fc.0.weight", input.c, reduction, reducedChannels)
        if let dims = w.dims("dct_layer.weight"), dims.count == 3 {
            for (stated, found, field) in [(dctH, dims[1], "dct_h"), (dctW, dims[2], "dct_w")] where stated != nil && stated != found {
                throw SpecError(field, "is \(stated ?? 0) but \(w.source) has \"\(w.displayName("dct_layer.weight"))\" of shape \(dims)")
            }
            (o.dctH, o.dctW) = (dims[1], dims[2])
        }
        return o
    }
}

/// An FcaNet multi-spectral attention block (`kind: "fca"`).
public func FcaNet(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: FCAOptions = FCAOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
