// Every catalog kind, once. A new kind is one file in Catalog/ and one line here; its order is
// the order of `list` and of the known kinds an error names.

package enum CatalogRegistry {
    package static let all: [any CatalogBlock.Type] = [
        SEOptions.self,
        SEVar1Options.self,
        SEVar2Options.self,
        SEVar3Options.self,
        SEGCOptions.self,
        ECAOptions.self,
        CBAMOptions.self,
        BAMOptions.self,
        SKOptions.self,
        DANetPAMOptions.self,
        DANetCAMOptions.self,
        SCConvOptions.self,
        PSAOptions.self,
        EMSAOptions.self,
        ExternalAttentionOptions.self,
        FusionOptions.self,
        ESEOptions.self,
        CECAOptions.self,
        GCOptions.self,
        TripletOptions.self,
        FCAOptions.self,
        GEOptions.self,
        SimAMOptions.self,
        CoordOptions.self,
        SimpleCoordOptions.self,
        LightCBAMOptions.self,
        SplatOptions.self,
        NonLocalOptions.self,
        BatNonLocalOptions.self,
        BottleneckOptions.self,
        LambdaOptions.self,
        ELAOptions.self,
        StripOptions.self,
        SRMOptions.self,
        HaloOptions.self,
    ]

    /// The kind named `kind` in JSON.
    package static func type(named kind: String) -> (any CatalogBlock.Type)? { all.first { $0.kind == kind } }
}
