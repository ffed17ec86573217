// DANet's position and channel attention (Fu et al., CVPR 2019), written in the DSL. Follows the
// official junfu1115/DANet `encoding/nn/da_att.py` (`PAM_Module`, `CAM_Module`), including where
// it departs from the paper: PAM's energy is not scaled by 1/√d, and CAM's logits are
// `max_j E_ij − E_ij` (so the least similar channel weighs most; the authors' choice, DANet #9).

extension Catalog {
    /// PAM: `y = γ · V·softmax(QᵀK)ᵀ + x` over the H·W positions, with Q, K 1×1 convs C → C/8 and
    /// V C → C (all with bias), γ the learned scalar `gamma`. The fused `attention` op streams
    /// the softmax, so the HW×HW map is never stored.
    public static func danetPAM(_ input: InputShape) -> [Layer] {
        let (n, c, hw) = (input.n, input.c, input.h * input.w)
        let d = c / 8
        return build {
            Conv2D(d, kernelSize: 1, padding: 0, bias: true, param: "query_conv", of: "x")
            Primitive(.reshape([n, 1, d, hw])).named("q")
            Conv2D(d, kernelSize: 1, padding: 0, bias: true, param: "key_conv", of: "x")
            Primitive(.reshape([n, 1, d, hw])).named("k")
            Conv2D(c, kernelSize: 1, padding: 0, bias: true, param: "value_conv", of: "x")
            Primitive(.reshape([n, 1, c, hw])).named("v")
            Primitive(.attention(scale: 1), "q", "k", "v")
            gammaResidual(input)
        }
    }

    /// CAM: `y = γ · softmax(rowmax(E) − E)·A + x` with `A = x` viewed as [C, HW] and `E = A·Aᵀ`.
    /// The subtraction is its own op so `max − E` rounds as in PyTorch before the softmax, which
    /// matters when energies reach 1e3 and more (blocks.md §3.9).
    public static func danetCAM(_ input: InputShape) -> [Layer] {
        let (n, c, hw) = (input.n, input.c, input.h * input.w)
        return build {
            Primitive(.reshape([n, 1, c, hw]), "x").named("a")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "a", "a").named("energy")
            Primitive(.axisPool(.max, axis: .w)).named("rowmax")
            Subtract("rowmax", "energy")
            Softmax(.w)
            Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "_", "a")
            gammaResidual(input)
        }
    }

    /// `gamma · previous + x`, the previous result reshaped back to the input's NCHW.
    private static func gammaResidual(_ input: InputShape) -> [Layer] {
        build {
            Primitive(.reshape([input.n, input.c, input.h, input.w])).named("out")
            Primitive(.parameter(param: "gamma", shape: [1, 1, 1, 1])).named("gamma")
            Multiply("gamma", "out")
            Add("x")
        }
    }
}

/// DANet position attention (no hyperparameters).
public struct DANetPAMOptions: Hashable, Sendable {
    /// The only configuration: the official module takes none.
    public init() {}
}

extension DANetPAMOptions: FieldlessCatalogBlock {
    package static let kind = "danet_pam"
    package static let reference = "DANet PAM_Module"
    package static var examples: [BlockSpec] {
        [
            DANetPAM("pam_g1", input: .nchw(1, 16, 5, 7)),
            DANetPAM("pam_g2", input: .nchw(2, 32, 8, 8)),
            DANetPAM("pam_g3", input: .nchw(1, 8, 1, 1)),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        // The query and key convs have C/8 channels.
        guard input.c >= 8 else {
            throw SpecError("input.c", "danet_pam projects to C/8 channels, so C must be at least 8, got \(input.c)")
        }
        try Rules.fits([input.c, input.c], "input.c", "value_conv.weight")
        return Catalog.danetPAM(input)
    }
}

/// DANet channel attention (no hyperparameters).
public struct DANetCAMOptions: Hashable, Sendable {
    /// The only configuration: the official module takes none.
    public init() {}
}

extension DANetCAMOptions: FieldlessCatalogBlock {
    package static let kind = "danet_cam"
    package static let reference = "DANet CAM_Module"
    package static var examples: [BlockSpec] {
        [
            DANetCAM("cam_g1", input: .nchw(1, 8, 5, 7)),
            DANetCAM("cam_g2", input: .nchw(2, 16, 6, 6)),
        ]
    }

    package func layers(_ input: InputShape) throws(SpecError) -> [Layer] {
        try Rules.fits([input.n, input.c, input.c], "input.c", "the C×C channel energy")
        return Catalog.danetCAM(input)
    }
}

/// DANet's position attention module (`kind: "danet_pam"`).
public func DANetPAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(DANetPAMOptions()), weights: weights, weightsPrefix: weightsPrefix)
}

/// DANet's channel attention module (`kind: "danet_cam"`).
public func DANetCAM(  // swiftlint:disable:this identifier_name
    _ name: String, input: InputShape, weights: String? = nil, weightsPrefix: String? = nil
) -> BlockSpec {
    BlockSpec(name: name, input: input, body: .block(DANetCAMOptions()), weights: weights, weightsPrefix: weightsPrefix)
}
