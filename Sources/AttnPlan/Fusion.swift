// Whether the plan fuses. The fused plan is the product; the op-by-op plan is the baseline a
// benchmark compares it with: one loop nest per IR op, every value stored, no row kernels, as an
// interpreter of per-op reference kernels (TFLite Micro's, PyTorch's eager mode) runs a block.

/// How much the middle end merges ops into one loop nest.
public enum Fusion: String, CaseIterable, Sendable {
    /// Elementwise ops computed inline where read, sibling reductions in one pass, row kernels
    /// for the hot memory-bound passes (the default).
    case fused
    /// One generic loop nest per op, each result stored: what runs op by op costs, for comparison.
    case opByOp = "op-by-op"
}
