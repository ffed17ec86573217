// The one value both front ends (Swift DSL, JSON) produce. It records what the user said, with
// optional fields left optional, so a JSON round trip is exact; `resolve()` fills in defaults.

/// A block to generate: a catalog kind with its hyperparameters, or a custom op graph.
public struct BlockSpec: Hashable, Sendable {
    /// C prefix of everything generated; must be a C identifier.
    public var name: String
    public var input: InputShape
    public var body: Body
    /// safetensors file with the block's state_dict, relative to the spec file.
    public var weights: String?
    /// Prefix selecting this block's tensors from a whole-network checkpoint (`layer3.0.se.`).
    public var weightsPrefix: String?
    /// Memory order of input and output (`"nchw"`, the default, or `"nhwc"`).
    public var layout: TensorLayout?
    /// false: the C uses the generator's own `attn_expf` and needs no libm. Default true.
    public var libm: Bool?
    /// true: also emit `<name>_selftest()` (needs weights). Default false.
    public var selftest: Bool?
    /// The output shape the user expects; lowering refuses any other.
    public var output: OutputShape?

    public init(name: String, input: InputShape, body: Body, weights: String? = nil, weightsPrefix: String? = nil) {
        self.name = name
        self.input = input
        self.body = body
        self.weights = weights
        self.weightsPrefix = weightsPrefix
    }

    /// What the block computes.
    public enum Body: Hashable, Sendable {
        case se(SEOptions)
        case eca(ECAOptions)
        case cbam(CBAMOptions)
        /// SE without the bottleneck (ECA-Net ablation): `x · σ(mean_HW x)`, no parameters.
        case seVar1
        /// SE-Var2: a depthwise 1×1 conv (`groups = C`) on the pooled vector.
        case seVar2
        /// SE-Var3: one dense 1×1 conv C → C on the pooled vector.
        case seVar3
        /// SE-GC: a grouped 1×1 conv C → C on the pooled vector.
        case seGC(SEGCOptions)
        case bam(BAMOptions)
        case sk(SKOptions)
        /// DANet position attention (no hyperparameters).
        case danetPAM
        /// DANet channel attention (no hyperparameters).
        case danetCAM
        case scconv(SCConvOptions)
        case psa(PSAOptions)
        case emsa(EMSAOptions)
        case externalAttention(ExternalAttentionOptions)
        /// Seed 000's multi-input fusion: the input packs its M inputs along C.
        case fusion(FusionOptions)
        /// A user's own block, as a list of primitive layers.
        case graph([Layer])
    }

    /// The same spec with input and output in `layout`.
    public func layout(_ layout: TensorLayout) -> BlockSpec {
        var copy = self
        copy.layout = layout
        return copy
    }

    /// The same spec with (`true`) or without (`false`) libm.
    public func libm(_ use: Bool) -> BlockSpec {
        var copy = self
        copy.libm = use
        return copy
    }

    /// The same spec with a generated self-check.
    public func selftest(_ on: Bool) -> BlockSpec {
        var copy = self
        copy.selftest = on
        return copy
    }

    /// The JSON `kind`, or nil for a custom graph.
    public var kind: String? {
        switch body {
        case .se: return "se"
        case .eca: return "eca"
        case .cbam: return "cbam"
        case .seVar1: return "se_var1"
        case .seVar2: return "se_var2"
        case .seVar3: return "se_var3"
        case .seGC: return "se_gc"
        case .bam: return "bam"
        case .sk: return "sk"
        case .danetPAM: return "danet_pam"
        case .danetCAM: return "danet_cam"
        case .scconv: return "scconv"
        case .psa: return "psa"
        case .emsa: return "emsa"
        case .externalAttention: return "external_attention"
        case .fusion: return "fusion"
        case .graph: return nil
        }
    }

    /// The program's input: `input`, except for `fusion`, whose one input array holds its M
    /// inputs one after another along C (`[N, M·C, H, W]`, input m in channels `[m·C, (m+1)·C)`)
    /// while `input.c` is the C of each.
    public var programInput: InputShape {
        guard case .fusion(let o) = body else { return input }
        let (c, overflow) = input.c.multipliedReportingOverflow(by: o.inputs ?? FusionOptions.defaultInputs)
        // Overflow only for specs resolve() rejects; keep the shape total until then.
        return InputShape(n: input.n, c: overflow ? input.c : c, h: input.h, w: input.w)
    }
}

import AttnIR

/// Squeeze-and-Excitation hyperparameters as given (timm `SEModule`, moskomule `SELayer`).
public struct SEOptions: Hashable, Sendable {
    public var reduction: Int?
    /// Wins over `reduction`.
    public var reducedChannels: Int?
    /// Biases on both FC layers (timm: yes, moskomule: no). Default: yes.
    public var bias: Bool?

    public init(reduction: Int? = nil, reducedChannels: Int? = nil, bias: Bool? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.bias = bias
    }
}

/// ECA hyperparameters as given. A missing `kernelSize` comes from the paper's formula.
public struct ECAOptions: Hashable, Sendable {
    public var kernelSize: Int?

    public init(kernelSize: Int? = nil) { self.kernelSize = kernelSize }
}

/// CBAM hyperparameters as given (timm `CbamModule`, official Jongchan CBAM).
public struct CBAMOptions: Hashable, Sendable {
    public var reduction: Int?
    public var reducedChannels: Int?
    /// Kernel of the spatial gate's conv; default 7.
    public var spatialKernelSize: Int?
    /// Biases on the shared MLP (official: yes, timm: no). Default: no.
    public var bias: Bool?

    public init(reduction: Int? = nil, reducedChannels: Int? = nil, spatialKernelSize: Int? = nil, bias: Bool? = nil) {
        self.reduction = reduction
        self.reducedChannels = reducedChannels
        self.spatialKernelSize = spatialKernelSize
        self.bias = bias
    }
}
