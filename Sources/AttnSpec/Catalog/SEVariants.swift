// The SE variants of the ECA-Net ablation (Wang et al., CVPR 2020, Table 2), written in the DSL.
// No official code exists; scripts/make_catalog_fixtures.py (`SEVar1`, `SEGrouped`) is the
// reference: all bias-free, the gate a sigmoid of the H·W mean mapped C → C by
//   Var1: nothing (no parameters), Var2: a depthwise 1×1 conv (groups C),
//   Var3: one dense 1×1 conv, GC: a 1×1 conv with G groups,
// the conv's weight under `fc.weight [C, C/G, 1, 1]`.

/// SE-GC hyperparameters: the group count G of its 1×1 conv.
public struct SEGCOptions: Hashable, Sendable {
    /// Required, unless weights say it (`fc.weight [C, C/G, 1, 1]`).
    public var groups: Int?

    public init(groups: Int? = nil) { self.groups = groups }

    func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        guard let g = groups else { throw SpecError("groups", "is required for se_gc (G of its grouped 1×1 conv)") }
        try divides(g, input.c, "C", "groups")
        try fits([input.c, input.c / g], "groups", "fc.weight")
        return Catalog.seVariant(channels: input.c, groups: g)
    }
}

extension Catalog {
    /// `x · σ(conv1x1_G(mean_HW x))`; `groups` nil is Var1 (`x · σ(mean_HW x)`), C is Var2, 1 is Var3.
    public static func seVariant(channels: Int, groups: Int?) -> [Layer] {
        build {
            GlobalPool(.mean)
            if let groups {
                Conv2D(channels, kernelSize: 1, padding: 0, groups: groups, bias: false, param: "fc")
            }
            Sigmoid()
            Multiply("x")
        }
    }
}
