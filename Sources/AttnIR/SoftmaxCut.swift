// Where a softmax's exponentials become zero, shared by the interpreter and every C tier.

/// A softmax row of n values is e^(x − max) / sum with 1 ≤ sum ≤ n. Exponentials below
/// 2^(b − 125), where 2^b is the first power of two at or above n, are zero: every one kept is
/// then at least twice FLT_MIN times the sum, so no probability comes out subnormal. (A
/// multiply-add with a subnormal operand takes a microcode assist on Intel cores; DANet's channel
/// attention ran four times slower under tcc for it.) Each dropped term is below 2^(b − 125) of
/// the sum (2^−100 for rows of up to 2^25 values), far under float's rounding of it.
public enum SoftmaxCut {
    /// The cut on x − max for rows of `count` values: exponentials of anything below it are zero.
    /// Computed in float, as `attn_row_exp_sum` computes it in C, so the two agree to the bit.
    public static func cut(count: Int) -> Float {
        var b = 0
        while b < 62 && (1 << b) < count { b += 1 }
        return Float(b - 125) * Float(0.693147181)
    }
}
