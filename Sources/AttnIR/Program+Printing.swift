// A stable, diffable text form of a program, for debugging (ATTN_DEBUG=1) and snippet tests.

extension Op: CustomStringConvertible {
    public var description: String {
        switch self {
        case .globalPool(let m): return "global_pool.\(m.rawValue)"
        case .channelPool(let m): return "channel_pool.\(m.rawValue)"
        case .linear(let w, let b, let o): return "linear(out=\(o), w=$\(w)\(b.map { ", b=$\($0)" } ?? ""))"
        case .channelConv1d(let w, let k): return "channel_conv1d(k=\(k), w=$\(w))"
        case .conv2d(let a):
            let bias = a.bias.map { ", b=$\($0)" } ?? ""
            return "conv2d(out=\(a.outChannels), k=\(a.kernel), pad=\(a.padding), dil=\(a.dilation), w=$\(a.weight)\(bias))"
        case .affine(let s, let t): return "affine(scale=$\(s), shift=$\(t))"
        case .unary(let u): return u.rawValue
        case .binary(let b): return b.rawValue
        case .concat: return "concat.c"
        }
    }
}

extension Program: CustomStringConvertible {
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
