// Where a softmax's exponentials become zero, shared by the interpreter and every C tier.

/// A softmax row of n values is e^(x − max) / sum with 1 ≤ sum ≤ n. An exponential below
/// 2^(b − 125), where 2^b is the first power of two at or above n, would give a probability below
/// twice FLT_MIN only by being tiny; kept, such a probability can be subnormal, and a multiply-add
/// with a subnormal operand takes a microcode assist on Intel cores (a whole attention block ran
/// several times slower), so those exponentials are zero. What they drop is below float's
/// rounding of every sum they enter by a factor of 2^90 and more.
public enum SoftmaxCut {
    /// The cut on x − max for rows of `count` values: exponentials of anything below it are zero.
    /// Computed in float, as `attn_row_exp_sum` computes it in C, so the two agree to the bit.
    public static func cut(count: Int) -> Float {
        var b = 0
        while b < 62 && (1 << b) < count { b += 1 }
        return Float(b - 125) * Float(0.693147181)
    }
}
