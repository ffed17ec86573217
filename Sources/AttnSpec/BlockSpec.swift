// The one value both front ends (Swift DSL, JSON) produce. It records what the user said, with
// optional fields left optional, so a JSON round trip is exact; `resolve()` fills in defaults.

import AttnIR

/// A block to generate: a catalog kind with its hyperparameters, or a custom op graph.
public struct BlockSpec: Hashable, Sendable {
    /// C prefix of everything generated; must be a C identifier.
    public var name: String
    /// Shape of one input (for `fusion`, of each of its inputs).
    public var input: InputShape
    /// A catalog kind with its hyperparameters, or a custom graph of layers.
    public var body: Body
    /// Weights file with the block's state_dict (safetensors, or a `torch.save` checkpoint), relative
    /// to the spec file.
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

    /// A spec as the user would write it; `resolve()` and lowering check it.
    public init(name: String, input: InputShape, body: Body, weights: String? = nil, weightsPrefix: String? = nil) {
        self.name = name
        self.input = input
        self.body = body
        self.weights = weights
        self.weightsPrefix = weightsPrefix
    }

    /// What the block computes.
    public enum Body: Hashable, Sendable {
        /// A catalog kind with its hyperparameters (one type per kind, `CatalogRegistry`).
        case catalog(AnyCatalogBlock)
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
        case .catalog(let b): return b.kind
        case .graph: return nil
        }
    }

    /// The program's input: `input`, except for a kind whose one input array packs several
    /// (`fusion`: its M inputs one after another along C, while `input.c` is the C of each).
    public var programInput: InputShape {
        switch body {
        case .catalog(let b): return b.block.programInput(input)
        case .graph: return input
        }
    }
}
