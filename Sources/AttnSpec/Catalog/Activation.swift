// The activations a catalog kind's `act_layer` / `gate_layer` field may name, spelled as timm's
// `create_act_layer` strings, each the graph op of the same name.

/// An activation chosen by name in a kind's fields (`"act_layer": "silu"`).
public enum Activation: String, Hashable, Sendable, CaseIterable {
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x · sigmoid(x)` (swish).
    case silu
    /// PyTorch's `x · relu6(x + 3) / 6`.
    case hardSwish = "hard_swish"
    /// PyTorch's `nn.GELU()` (erf form).
    case gelu
    /// `nn.GELU(approximate='tanh')`.
    case geluTanh = "gelu_tanh"
    /// `1 / (1 + e^-x)`.
    case sigmoid
    /// PyTorch's `relu6(x + 3) / 6`.
    case hardSigmoid = "hard_sigmoid"
    /// The hyperbolic tangent.
    case tanh

    /// The layer that applies it to the previous result.
    public var layer: Layer {
        switch self {
        case .relu: return ReLU().layer
        case .relu6: return ReLU6().layer
        case .silu: return SiLU().layer
        case .hardSwish: return HardSwish().layer
        case .gelu: return GELU().layer
        case .geluTanh: return GELU(approximate: .tanh).layer
        case .sigmoid: return Sigmoid().layer
        case .hardSigmoid: return HardSigmoid().layer
        case .tanh: return Tanh().layer
        }
    }

    /// Reads `key` as an activation name; nil when absent.
    static func read(_ r: inout FieldReader, _ key: String) throws(SpecError) -> Activation? {
        guard let name = try r.string(key) else { return nil }
        guard let a = Activation(rawValue: name) else {
            throw SpecError(key, "unknown activation \"\(name)\" (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return a
    }
}
