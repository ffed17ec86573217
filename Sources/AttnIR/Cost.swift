// A static cost model: floating-point operations per instruction (one multiply-add is 2), for
// `attn-gen list` and `explain`, and for the fuzzers' work budget. Exponentials, divisions and
// square roots count as one operation each: the model orders blocks, it does not time them.

extension Program {
    /// FLOPs of the instruction defining `v` (for all N samples); saturates at `Int.max`.
    public func flops(_ v: ValueID) -> Int { flops(v, padding: true) }

    /// The FLOPs the block cannot avoid: as `flops`, but a conv2d counts only the taps that land
    /// inside its input (a 7×7 conv over a W = 1 map reaches real data with 7 of its 49 taps). The
    /// benchmark's compute floor is this ÷ the measured peak.
    public var usefulFlops: Int {
        instrs.indices.reduce(0) { total, i in Limits.saturatingSum(total, flops(i + 1, padding: false)) }
    }

    /// `padding: false` leaves out a conv2d's multiply-adds with zeros outside its input.
    private func flops(_ v: ValueID, padding: Bool) -> Int {
        let instr = instrs[v - 1]
        let out = instr.shape
        let x = instr.operands.first.map { shape(of: $0) } ?? out
        func times(_ factors: Int...) -> Int {
            factors.reduce(1) { acc, f in
                let (p, overflow) = acc.multipliedReportingOverflow(by: f)
                return overflow ? Int.max : p
            }
        }
        switch instr.op {
        case .globalPool, .channelPool, .axisPool: return x.count
        case .pool2d(_, let k, _, _, _): return times(out.count, k, k)
        case .weightedPool: return times(2, x.count)
        case .linear: return times(2, out.count, x.c)
        case .channelConv1d(_, let k, _): return times(2, out.count, k)
        case .conv2d(let a):
            guard !padding else { return times(2, out.count, x.c / a.groups, a.kernel, a.kernel) }
            // Per axis: the (output position, tap) pairs whose input index is inside the input.
            func inside(_ outExtent: Int, _ inExtent: Int) -> Int {
                var n = 0
                for o in 0..<outExtent {
                    for k in 0..<a.kernel {
                        let i = o * a.stride + k * a.dilation - a.padding
                        if i >= 0 && i < inExtent { n += 1 }
                    }
                }
                return n
            }
            return times(2, out.n, out.c, x.c / a.groups, inside(out.h, x.h), inside(out.w, x.w))
        case .axisConv1d(_, _, let k, _): return times(2, out.count, k)
        case .matmul(let ta, _, _): return times(2, out.count, ta ? x.h : x.w)
        case .blockMatmul: return times(2, out.count, shape(of: instr.operands[1]).h)
        // One multiply-add per channel of a head for each (query, key) pair; every tap is inside.
        case .relPosWeights: return times(2, out.count, x.c / out.c)
        case .attention(_, let relPos):
            let (d, keys, dv) = (x.h, shape(of: instr.operands[1]).w, shape(of: instr.operands[2]).h)
            // Scores, their softmax (max, exp, sum, scale), then the weighted sum of V.
            let attention = times(out.n, out.c, x.w, 2 * d + 4 + 2 * dv, keys)
            guard let r = relPos else { return attention }
            // Per query: a dot with each row of both tables, then two adds per score.
            let tables = times(out.n, out.c, x.w, 2 * d, 2 * r.keyHeight + 2 * r.keyWidth - 2)
            return Limits.saturatingSum(Limits.saturatingSum(attention, tables), times(out.n, out.c, x.w, 2, keys))
        case .affine: return times(2, out.count)
        case .unary, .binary: return out.count
        case .softmax: return times(4, out.count)
        case .l1Normalize: return times(3, out.count)
        case .layerNorm, .instanceNorm, .groupNorm: return times(6, out.count)
        case .variance: return times(4, x.count)
        case .constant, .concat, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold: return 0
        }
    }

    /// FLOPs of the whole program; saturates at `Int.max`.
    public var flops: Int {
        instrs.indices.reduce(0) { total, i in
            let (sum, overflow) = total.addingReportingOverflow(flops(i + 1))
            return overflow ? Int.max : sum
        }
    }

    /// What running the program in the interpreter costs: its FLOPs plus every element of the
    /// input and of each value it allocates (a reshape or slice moves data too); saturates at
    /// `Int.max`. Compared with `Limits.maxSelftestCost` before a self-test's golden values are
    /// computed at generation time.
    public var interpreterCost: Int {
        instrs.reduce(Limits.saturatingSum(flops, input.count)) { total, instr in
            Limits.saturatingSum(total, instr.shape.count)
        }
    }

    /// Floats the interpreter holds at most: the input, every value (it keeps them all) and the
    /// parameters; saturates at `Int.max`.
    public var interpreterElements: Int {
        instrs.reduce(Limits.saturatingSum(input.count, paramCount)) { total, instr in
            Limits.saturatingSum(total, instr.shape.count)
        }
    }
}
