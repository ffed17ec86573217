// Triplet Attention (Misra et al., WACV 2021), written in the DSL. Follows the official
// landskape-ai/triplet-attention `MODELS/triplet_attention.py`, whose names the released
// ImageNet weights carry (`ChannelGateH.spatial.{conv,bn}`, `ChannelGateW.spatial.*`,
// `SpatialGate.spatial.*`); the repository's root `triplet_attention.py` is the same math under
// `cw.conv.*`, `hc.conv.*`, `hw.conv.*`, imported renamed. Each gate: ZPool (max, then mean, over
// the view's first axis) → 7×7 conv 2 → 1, padding 3, no bias → BatchNorm → sigmoid, multiplying
// the view it pooled. The views: C–W (x permuted to [N,H,C,W], pooled over H), H–C ([N,W,H,C],
// pooled over W) and H–W (x itself, pooled over C, CBAM's spatial gate); the three gated tensors
// are summed and scaled by 1/3 (`no_spatial`: the first two, by 1/2). `TripletAttention`'s `gate_channels`,
// `reduction_ratio` and `pool_types` are unused by the official code and have no field here.

extension Catalog {
    /// One gate on a view of x: `σ(BN(conv7([max_C v, mean_C v])))`, a map [N,1,A,B] of the view's
    /// last two axes, transposed back by `perm` to broadcast over x.
    static func tripletGate(_ view: String, _ prefix: String, back perm: [Int]?, as name: String) -> [Layer] {
        build {
            ChannelPool(.max, of: view).named(name + "_max")
            ChannelPool(.mean, of: view).named(name + "_mean")
            Concat(name + "_max", name + "_mean")
            Conv2D(1, kernelSize: 7, padding: 3, bias: false, param: prefix + ".spatial.conv")
            BatchNorm(param: prefix + ".spatial.bn")
            if let perm {
                Sigmoid()
                Primitive(.transpose(perm)).named(name)
            } else {
                Sigmoid().named(name)
            }
        }
    }

    /// `(1/3)·(x·A_hw + x·A_cw + x·A_hc)` (`no_spatial`: `(1/2)·(x·A_cw + x·A_hc)`), summed in the
    /// official order.
    public static func triplet(_ input: InputShape, noSpatial: Bool) -> [Layer] {
        build {
            Primitive(.transpose([0, 2, 1, 3]), "x").named("x_cw")
            tripletGate("x_cw", "ChannelGateH", back: [0, 2, 1, 3], as: "gate_cw")
            Primitive(.transpose([0, 3, 2, 1]), "x").named("x_hc")
            tripletGate("x_hc", "ChannelGateW", back: [0, 3, 2, 1], as: "gate_hc")
            Multiply("x", "gate_cw").named("y_cw")
            Multiply("x", "gate_hc").named("y_hc")
            if noSpatial {
                Add("y_cw", "y_hc")
                MultiplyScalar(1.0 / 2.0)
            } else {
                tripletGate("x", "SpatialGate", back: nil, as: "gate_hw")
                Multiply("x", "gate_hw").named("y_hw")
                Add("y_hw", "y_cw")
                Add("y_hc")
                MultiplyScalar(1.0 / 3.0)
            }
        }
    }
}

/// Triplet Attention hyperparameters as given (official `TripletAttention`).
public struct TripletOptions: Hashable, Sendable {
    /// Leave out the H–W (spatial) branch; default false.
    public var noSpatial: Bool?

    /// Options as given; nil takes the default when the spec is resolved.
    public init(noSpatial: Bool? = nil) { self.noSpatial = noSpatial }
}

extension TripletOptions: CatalogBlock {
    package static let kind = "triplet"
    package static let reference = "official TripletAttention (MODELS/triplet_attention.py)"
    package static let hyperparameters = ["no_spatial=false"]
    package static var examples: [BlockSpec] {
        [
            TripletAttention("triplet_g1", input: .nchw(2, 6, 5, 9)),
            TripletAttention("triplet_g2", input: .nchw(1, 11, 3, 4), TripletOptions(noSpatial: true)),
        ]
    }
    package static var nameSchemes: [NameScheme] { [.timm, .tripletRoot] }

    package init(fields r: inout FieldReader) throws(SpecError) { self.init(noSpatial: try r.bool("no_spatial")) }

    package func encode(into f: inout [String: JSONValue]) { f["no_spatial"] = noSpatial.map { .bool($0) } }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        let noSpatial = noSpatial ?? false
        // Each view's 7×7 conv runs over a plane padded by 3.
        try Rules.paddedPlane(channels: 2, h: max(input.c, input.h), w: max(input.c, input.w), padding: 3, "input", "the 7×7 gate conv")
        return Catalog.triplet(input, noSpatial: noSpatial)
    }

    package func completed(from w: some CheckpointShapes, input: InputShape) throws(SpecError) -> Self {
        let tensor = "SpatialGate.spatial.conv.weight"
        let inFile = !w.has(tensor)
        if let noSpatial, noSpatial != inFile {
            let what = inFile ? "has no \(w.displayName(tensor))" : "holds \(w.displayName(tensor))"
            throw SpecError("no_spatial", "is \(noSpatial) but \(w.source) \(what) (\(w.schemeLabel) names)")
        }
        return TripletOptions(noSpatial: inFile)
    }
}

extension NameScheme {
    /// The repository root's refactored `triplet_attention.py`: gates `cw`, `hc`, `hw` with a
    /// `BasicConv` named `conv`.
    static let tripletRoot = NameScheme(
        label: "triplet-attention root",
        renames: [("cw.conv.", "ChannelGateH.spatial."), ("hc.conv.", "ChannelGateW.spatial."), ("hw.conv.", "SpatialGate.spatial.")],
        swappedPlanes: [])
}

/// A Triplet Attention block (`kind: "triplet"`).
public func TripletAttention(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: TripletOptions = TripletOptions(), weights: String? = nil,
    weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: weights, weightsPrefix: weightsPrefix)
}
