// A stable, diffable text form of a program, for debugging (ATTN_DEBUG=1) and snippet tests.

extension Op: CustomStringConvertible {
    /// The op as printed IR writes it (`global_pool.mean`, `conv2d k3 p1 ...`): stable, so snippet tests can pin it.
    public var description: String {
        switch self {
        case .globalPool(let m): return "global_pool.\(m.rawValue)"
        case .channelPool(let m): return "channel_pool.\(m.rawValue)"
        case .linear(let w, let b, let o): return "linear(out=\(o), w=$\(w)\(b.map { ", b=$\($0)" } ?? ""))"
        case .channelConv1d(let w, let k, let padding):
            return "channel_conv1d(k=\(k)\(padding == .zeros ? "" : ", \(padding.rawValue)"), w=$\(w))"
        case .conv2d(let a):
            let bias = a.bias.map { ", b=$\($0)" } ?? ""
            let extra = (a.stride == 1 ? "" : ", stride=\(a.stride)") + (a.groups == 1 ? "" : ", groups=\(a.groups)")
            return "conv2d(out=\(a.outChannels), k=\(a.kernel), pad=\(a.padding), dil=\(a.dilation)\(extra), w=$\(a.weight)\(bias))"
        case .axisConv1d(let w, let b, let k, let axis):
            return "axis_conv1d.\(axis.rawValue)(k=\(k), w=$\(w)\(b.map { ", b=$\($0)" } ?? ""))"
        case .groupNorm(let g, let s, let t, let eps):
            return "group_norm(groups=\(g), eps=\(eps)\(s.map { ", scale=$\($0)" } ?? "")\(t.map { ", shift=$\($0)" } ?? ""))"
        case .axisPool(let m, let axis): return "axis_pool.\(m.rawValue).\(axis.rawValue)"
        case .pool2d(let m, let k, let s, let pad, let includePad):
            guard pad > 0 else { return "pool2d.\(m.rawValue)(k=\(k), stride=\(s))" }
            let exclude = m == .mean && !includePad ? ", count_include_pad=false" : ""
            return "pool2d.\(m.rawValue)(k=\(k), stride=\(s), padding=\(pad)\(exclude))"
        case .weightedPool(let w): return "weighted_pool(w=$\(w))"
        case .matmul(let ta, let tb, let alpha):
            return "matmul(\(ta ? "Aᵀ" : "A")·\(tb ? "Bᵀ" : "B")\(alpha == 1 ? "" : ", alpha=\(alpha)"))"
        case .attention(let scale, nil): return "attention(scale=\(scale))"
        case .attention(let scale, let r?):
            let pos = "rel_pos(h=$\(r.heightRel), w=$\(r.widthRel), query_w=\(r.queryWidth), keys=\(r.keyHeight)x\(r.keyWidth)\(r.scale == 1 ? "" : ", scale=\(r.scale)"))"
            return "attention(scale=\(scale), \(pos))"
        case .blockMatmul(let side): return "block_matmul.\(side.rawValue)"
        case .relPosWeights(let t): return "rel_pos_weights(table=$\(t))"
        case .softmax(let axis): return "softmax.\(axis.rawValue)"
        case .l1Normalize(let axis, let eps): return "l1_normalize.\(axis.rawValue)(eps=\(eps))"
        case .layerNorm(let s, let t, let eps):
            return "layer_norm.c(eps=\(eps)\(s.map { ", scale=$\($0)" } ?? "")\(t.map { ", shift=$\($0)" } ?? ""))"
        case .instanceNorm(let eps): return "instance_norm.hw(eps=\(eps))"
        case .variance(let unbiased): return "variance.hw(unbiased=\(unbiased))"
        case .constant(let id, let shape): return "constant($\(id) as \(shape))"
        case .slice(let start, let count): return "slice.c[\(start)..<\(start + count)]"
        case .reshape(let s): return "reshape\(s)"
        case .transpose(let perm): return "transpose\(perm)"
        case .upsampleNearest(let h, let w): return "upsample_nearest(\(h)x\(w))"
        case .blockUnfold(let k, let s, let p): return "block_unfold(window=\(k), step=\(s), pad=\(p))"
        case .affine(let s, let t): return "affine(scale=$\(s), shift=$\(t))"
        case .unary(let u):
            guard let k = u.constant else { return u.name }
            if case .leakyRelu = u { return "\(u.name)(slope=\(k))" }
            return "\(u.name)(value=\(k))"
        case .binary(let b): return b.rawValue
        case .concat: return "concat.c"
        }
    }
}

extension Program: CustomStringConvertible {
    /// The whole program as stable text: signature, parameters, then one line per value with its
    /// op, operands, shape and role (what `ATTN_DEBUG=1` prints).
    public var description: String {
        var lines = ["program \(name)(%0: \(input)) -> %\(output): \(outputShape)"]
        for (i, p) in params.enumerated() {
            lines.append("  $\(i) \(p.name) \(p.dims) \(p.role.rawValue)")
        }
        for (i, instr) in instrs.enumerated() {
            let args = instr.operands.map { "%\($0)" }.joined(separator: ", ")
            lines.append("  %\(i + 1) \(instr.role): \(instr.shape) = \(instr.op)(\(args))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
