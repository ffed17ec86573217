// Style-based Recalibration (Lee et al., ICCV 2019), written in the DSL. Follows the official
// hyunjaelee410/style-based-recalibration-module `models/recalibration_modules.py::SRMLayer(channel)`
// at its last commit ("FIX : style pooling"):
//   μ = mean_HW(x), σ = √(var_HW(x) + 1e-5) with the unbiased variance (÷ (H·W − 1)),
//   z = cfc[c,0]·μ + cfc[c,1]·σ, y = x · sigmoid(BN(z)),
// with `cfc` a bare Parameter `[C, 2]` (no bias) and `bn` a BatchNorm2d over C. Before that commit
// σ was `std` without the eps; the paper writes the plain standard deviation. The unbiased
// variance of a 1×1 plane is 0/0 (the reference returns NaN), so H·W = 1 is refused.
// The C pools μ, then the variance of each plane (two passes over it, in cache), and reads
// cfc's two columns as per-channel values: its transpose `[2, C]` sliced into the mean and the
// std weights.
// Third-party ports store the channel-wise fc as `Conv1d(C, C, 2, groups=C)` (`cfc.weight
// [C, 1, 2]`) and sometimes use the biased variance; their files are not the reference's.

extension Catalog {
    /// `x · σ(BN(cfc[:,0]·mean_HW x + cfc[:,1]·√(var_HW x + 1e-5)))`, the variance unbiased.
    public static func srm(_ input: InputShape) -> [Layer] {
        let c = input.c
        return build {
            GlobalPool(.mean, of: "x").named("style_mean")
            Variance(unbiased: true, of: "x")
            AddScalar(1e-5)
            Sqrt().named("style_std")
            // cfc [C, 2] in memory is [1, C, 2, 1]; its transpose holds the μ column, then the σ one.
            Primitive(.parameter(param: "cfc", shape: [1, c, 2, 1])).named("cfc")
            Primitive(.transpose([0, 2, 1, 3]), "cfc")
            Primitive(.reshape([1, 2 * c, 1, 1])).named("cfc_columns")
            Primitive(.slice(start: 0, count: c), "cfc_columns").named("cfc_mean")
            Primitive(.slice(start: c, count: c), "cfc_columns").named("cfc_std")
            Multiply("style_mean", "cfc_mean").named("z_mean")
            Multiply("style_std", "cfc_std")
            Add("z_mean")
            BatchNorm(param: "bn")
            Sigmoid()
            Multiply("x")
        }
    }
}

/// SRM: the official `SRMLayer` takes no hyperparameters but the channels.
public struct SRMOptions: Hashable, Sendable {
    /// The only configuration: the official module takes none.
    public init() {}
}

extension SRMOptions: FieldlessCatalogBlock {
    package static let kind = "srm"
    package static let reference = "official SRM SRMLayer"
    package static var examples: [BlockSpec] {
        [
            StyleRecalibration("srm_g1", input: .nchw(2, 5, 3, 7)),
            StyleRecalibration("srm_g2", input: .nchw(1, 13, 1, 2)),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        guard input.h * input.w >= 2 else {
            throw SpecError("input", "SRM's unbiased variance divides by H·W − 1, which is 0 for a \(input.h)×\(input.w) plane (the reference returns NaN)")
        }
        try Rules.fits([2, input.c], "input.c", "the channel-wise fc cfc")
        return Catalog.srm(input)
    }
}

/// A Style-based Recalibration Module (`kind: "srm"`).
public func StyleRecalibration(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(SRMOptions()), weights: weights, weightsPrefix: weightsPrefix)
}
