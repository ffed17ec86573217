// What a kind's weight inference may ask of a checkpoint: which tensors it holds and their
// shapes, under catalog names. AttnGen's `Checkpoint` conforms; this module cannot see it.

/// A block's tensors, by catalog name.
package protocol CheckpointShapes {
    /// The shape of `tensor`, or nil when the checkpoint lacks it.
    func dims(_ tensor: String) -> [Int]?
    func has(_ tensor: String) -> Bool
    /// The tensor's name as the file spells it, for messages.
    func displayName(_ tensor: String) -> String
    /// The file, for messages.
    var source: String { get }
    /// The naming scheme the file follows, for messages ("timm", "official CBAM").
    var schemeLabel: String { get }
}

// Hyperparameters the weights already say (rd, bias, kernel sizes). Missing ones are filled in;
// ones the spec states must agree, or the error names the tensor and both shapes.
extension CheckpointShapes {
    /// rd from `[rd, C, ...]`; a stated rd (or C / reduction) must match.
    package func reduced(_ tensor: String, _ c: Int, _ reduction: Int?, _ stated: Int?) throws(SpecError) -> Int? {
        guard let dims = dims(tensor), let rd = dims.first else { return stated }
        if let stated, stated != rd {
            throw conflict(tensor, "reduced_channels", "\(stated)", dims)
        }
        if stated == nil, let r = reduction, r >= 1, c / r != rd {
            throw conflict(tensor, "reduction", "\(r) (rd = \(c)/\(r) = \(c / r))", dims)
        }
        return rd
    }

    /// Whether `tensor` is present; a stated `field` must agree.
    package func bias(_ tensor: String, given: Bool?, field: String = "bias") throws(SpecError) -> Bool {
        let present = has(tensor)
        if let given, given != present {
            let what = present ? "holds \(displayName(tensor))" : "has no \(displayName(tensor))"
            throw SpecError(field, "is \(given) but \(source) \(what) (\(schemeLabel) names)")
        }
        return present
    }

    /// k from the last dim (or the first, `first`); a stated k must match.
    package func kernel(_ tensor: String, given: Int?, first: Bool = false, field: String) throws(SpecError) -> Int? {
        guard let dims = dims(tensor), let k = first ? dims.first : dims.last else { return given }
        if let given, given != k { throw conflict(tensor, field, "\(given)", dims) }
        return k
    }

    private func conflict(_ tensor: String, _ field: String, _ stated: String, _ dims: [Int]) -> SpecError {
        SpecError(field, "is \(stated) but \(source) has \"\(displayName(tensor))\" of shape \(dims)")
    }
}
