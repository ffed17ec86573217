// Parameters a catalog kind does not take as a checkpoint tensor of their own name: values its
// hyperparameters fix (FcaNet's DCT filter), or a tensor of another layout (timm's relative
// position embedding, read as a conv kernel). Lowering attaches them to the parameters by name;
// weight import follows them, so the checkpoint keeps its reference's names and shapes.

/// How one parameter of a catalog block is filled.
package enum DerivedTensor: Hashable, Sendable {
    /// `values`, fixed by the hyperparameters and computed at lowering, whatever the weights.
    /// A checkpoint may hold them as the buffer `tensor`: it must then be `reference` (of shape
    /// `referenceDims`) within float rounding, since another buffer is another block; `what`
    /// names the computation for that message.
    case fixed(values: [Float], tensor: String, reference: [Float], referenceDims: [Int], what: String)
    /// timm's relative-position embedding `tensor` of shape [2H−1, 2W−1, K] as the [K, 1, S, S]
    /// kernel (S = 2·max(H, W) − 1) of a zero-padded conv over the H×W plane: tap (a, b) of
    /// channel k is `tensor[a − (max − H), b − (max − W), k]`, zero where that is outside it
    /// (taps that never meet the plane).
    case relativePositionKernel(tensor: String, height: Int, width: Int)

    /// The values of a `relativePositionKernel` from the embedding `emb` ([2H−1, 2W−1, K], row
    /// major), as the [K, 1, S, S] kernel.
    package static func relativePositionKernel(_ emb: [Float], height h: Int, width w: Int, channels k: Int) -> [Float] {
        let side = 2 * max(h, w) - 1
        let (dh, dw) = (max(h, w) - h, max(h, w) - w)
        var out = [Float](repeating: 0, count: k * side * side)
        for a in 0..<(2 * h - 1) {
            for b in 0..<(2 * w - 1) {
                for c in 0..<k { out[(c * side + a + dh) * side + b + dw] = emb[(a * (2 * w - 1) + b) * k + c] }
            }
        }
        return out
    }
}

extension BlockSpec {
    /// The derived parameters of a catalog block, by parameter name (none for a graph). Call
    /// after `resolve`, which checks the fields they are computed from.
    package func derivedTensors() throws(SpecError) -> [String: DerivedTensor] {
        guard case .catalog(let b) = body else { return [:] }
        return try b.block.derivedTensors(input)
    }
}
