// SimAM (Yang et al., ICML 2021), written in the DSL. Follows the official ZjjConan/SimAM
// `networks/attentions/simam_module.py::simam_module(channels=None, e_lambda=1e-4)`, which has no
// parameters:
//   n = H·W − 1, d = (x − mean_HW x)², y = x · σ(d / (4·(Σ_HW d / n + λ)) + 0.5).
// Note n = H·W − 1 (the unbiased variance; the paper writes M − 1): a 1×1 plane divides by zero
// there (NaN out), so it is refused. The C computes the same quotient without a division op:
// with eps' = λ·n/(H·W), an instance norm gives (x − μ)/√(Σd/(H·W) + eps'), whose square times
// n/(4·H·W) is d / (4·(Σd/n + λ)).

extension Catalog {
    /// `x · σ(n/(4HW) · IN_{λn/HW}(x)² + 0.5)`, n = H·W − 1.
    public static func simAM(_ input: InputShape, lambda: Double) -> [Layer] {
        let hw = Double(input.h * input.w)
        let n = hw - 1
        return build {
            Primitive(.instanceNorm(eps: lambda * n / hw)).named("z")
            Multiply("z")
            MultiplyScalar(n / (4 * hw))
            AddScalar(0.5)
            Sigmoid()
            Multiply("x")
        }
    }
}

/// SimAM hyperparameters as given (official `simam_module`).
public struct SimAMOptions: Hashable, Sendable {
    /// λ; default 1e-4.
    public var eLambda: Double?

    /// Options as given; nil takes the default when the spec is resolved.
    public init(eLambda: Double? = nil) { self.eLambda = eLambda }
}

extension SimAMOptions: CatalogBlock {
    package static let kind = "simam"
    package static let reference = "official SimAM simam_module"
    package static let hyperparameters = ["e_lambda=1e-4"]
    package static var examples: [BlockSpec] {
        [
            SimAM("simam_g1", input: .nchw(2, 5, 3, 7)),
            SimAM("simam_g2", input: .nchw(1, 9, 1, 2), SimAMOptions(eLambda: 0.5)),
        ]
    }

    package init(fields r: inout FieldReader) throws(SpecError) { self.init(eLambda: try r.double("e_lambda")) }

    package func encode(into f: inout [String: JSONValue]) { f["e_lambda"] = eLambda.map { .double($0) } }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        guard input.h * input.w >= 2 else {
            throw SpecError("input", "SimAM divides by H·W − 1, which is 0 for a \(input.h)×\(input.w) plane (the reference returns NaN)")
        }
        let lambda = eLambda ?? 1e-4
        try Rules.positiveFloat32(lambda, "e_lambda")
        let hw = Double(input.h * input.w)
        try Rules.positiveFloat32(lambda * (hw - 1) / hw, "e_lambda")
        return Catalog.simAM(input, lambda: lambda)
    }
}

/// A SimAM block (`kind: "simam"`): parameter-free.
public func SimAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, _ options: SimAMOptions = SimAMOptions()
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(options), weights: nil, weightsPrefix: nil)
}
