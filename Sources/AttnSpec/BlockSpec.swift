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
        case .graph: return nil
        }
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
