// The reference semantics of every IR op: plain loops over flat NCHW buffers, written for
// clarity, not speed. Generated C is judged against this. Pools and dot products accumulate in
// Double so the reference is more accurate than the code it checks.

import AttnIR
import Foundation

/// Runs a program on one input.
package enum Interpreter {
    /// `input` holds `program.input.count` floats, `params` the flat parameter array; other
    /// lengths throw `KernelError.wrongCount`.
    package static func run(_ program: Program, input: [Float], params: [Float]) throws(KernelError) -> [Float] {
        try KernelError.check("input", given: input.count, expected: program.input.count)
        try KernelError.check("params", given: params.count, expected: program.paramCount)
        let offsets = program.paramOffsets
        func param(_ id: ParamID) -> ArraySlice<Float> {
            params[offsets[id]..<offsets[id] + program.params[id].count]
        }
        var values: [[Float]] = [input]
        for instr in program.instrs {
            let args = instr.operands.map { (values[$0], program.shape(of: $0)) }
            values.append(evaluate(instr, args, param))
        }
        return values[program.output]
    }

    static func evaluate(
        _ instr: Instr, _ args: [([Float], Shape)], _ param: (ParamID) -> ArraySlice<Float>
    ) -> [Float] {
        let out = instr.shape
        switch instr.op {
        case .axisPool, .softmax, .l1Normalize, .instanceNorm, .layerNorm, .groupNorm, .variance:
            return evaluateAlongAxis(instr.op, args[0].0, args[0].1, out, param)
        case .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold, .constant, .pool2d, .weightedPool:
            return evaluateLayout(instr.op, args, out, param)
        case .matmul(let ta, let tb, let alpha):
            return matmul(args[0], args[1], out, ta: ta, tb: tb, alpha: alpha)
        case .attention(let scale, let relPos):
            let tables = relPos.map { (Array(param($0.heightRel)), Array(param($0.widthRel))) }
            return attention(args[0], args[1], args[2], out, scale: scale, relPos: relPos.map { ($0, tables!.0, tables!.1) })
        case .blockMatmul(let side):
            return blockMatmul(args[0], args[1], out, side: side)
        case .relPosWeights(let id):
            return relPosWeights(args[0], Array(param(id)), out)
        case .globalPool(let mode):
            let (x, s) = args[0]
            return (0..<s.n * s.c).map { nc in pool(mode, (0..<s.plane).map { x[nc * s.plane + $0] }) }
        case .channelPool(let mode):
            let (x, s) = args[0]
            return tensor(out) { n, _, h, w in pool(mode, (0..<s.c).map { x[s.offset(n: n, c: $0, h: h, w: w)] }) }
        case .linear(let wID, let bID, _):
            let (x, s) = args[0]
            let wt = Array(param(wID))
            let b = bID.map { Array(param($0)) }
            return tensor(out) { n, j, _, _ in
                var acc = Double(b?[j] ?? 0)
                for i in 0..<s.c { acc += Double(wt[j * s.c + i]) * Double(x[n * s.c + i]) }
                return Float(acc)
            }
        case .channelConv1d(let wID, let k, let padding):
            let (x, s) = args[0]
            let wt = Array(param(wID))
            let pad = (k - 1) / 2
            return tensor(out) { n, c, _, _ in
                var acc = 0.0
                for j in 0..<k {
                    var i = c + j - pad
                    switch padding {
                    case .zeros: guard i >= 0 && i < s.c else { continue }
                    case .circular: i = (i + s.c) % s.c  // pad ≤ C: one wrap at most
                    }
                    acc += Double(wt[j]) * Double(x[n * s.c + i])
                }
                return Float(acc)
            }
        case .axisConv1d(let wID, let bID, let k, let axis):
            let (x, s) = args[0]
            let wt = Array(param(wID))
            let b = bID.map { Array(param($0)) }
            let pad = (k - 1) / 2
            return tensor(out) { n, c, h, w in
                var acc = Double(b?[c] ?? 0)
                for j in 0..<k {
                    let (y, z) = axis == .h ? (h + j - pad, w) : (h, w + j - pad)
                    guard y >= 0, y < s.h, z >= 0, z < s.w else { continue }
                    acc += Double(wt[c * k + j]) * Double(x[s.offset(n: n, c: c, h: y, w: z)])
                }
                return Float(acc)
            }
        case .conv2d(let a):
            return conv2d(a, args[0].0, args[0].1, out, Array(param(a.weight)), a.bias.map { Array(param($0)) })
        case .affine(let sID, let tID):
            let (x, s) = args[0]
            let scale = Array(param(sID))
            let shift = Array(param(tID))
            return tensor(out) { n, c, h, w in scale[c] * x[s.offset(n: n, c: c, h: h, w: w)] + shift[c] }
        case .unary(let u):
            return args[0].0.map { apply(u, $0) }
        case .binary(let b):
            let (x, xs) = args[0]
            let (y, ys) = args[1]
            return tensor(out) { n, c, h, w in
                let p = x[xs.offset(n: n, c: c, h: h, w: w)]
                let q = y[ys.offset(n: n, c: c, h: h, w: w)]
                switch b {
                case .add: return p + q
                case .sub: return p - q
                case .mul: return p * q
                }
            }
        case .concat:
            var starts: [Int] = []
            var next = 0
            for (_, s) in args {
                starts.append(next)
                next += s.c
            }
            return tensor(out) { n, c, h, w in
                let k = starts.lastIndex { $0 <= c }!
                let (x, s) = args[k]
                return x[s.offset(n: n, c: c - starts[k], h: h, w: w)]
            }
        }
    }

    /// Builds a tensor of `shape` from an element function, in NCHW order.
    static func tensor(_ shape: Shape, _ f: (Int, Int, Int, Int) -> Float) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(shape.count)
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                for h in 0..<shape.h {
                    for w in 0..<shape.w { out.append(f(n, c, h, w)) }
                }
            }
        }
        return out
    }

    /// Mean in Double; max as `v > m ? v : m` starting from -inf, which is also
    /// the generated C's rule (NaNs are skipped).
    static func pool(_ mode: PoolMode, _ xs: [Float]) -> Float {
        switch mode {
        case .mean:
            return Float(xs.reduce(0.0) { $0 + Double($1) } / Double(xs.count))
        case .max:
            return xs.reduce(-Float.infinity) { $1 > $0 ? $1 : $0 }
        }
    }

    /// Pointwise functions, in Float like the C.
    package static func apply(_ u: UnaryOp, _ v: Float) -> Float {
        switch u {
        case .relu: return v < 0 ? 0 : v  // NaN stays NaN, as in PyTorch
        case .sigmoid: return 1 / (1 + expf(-v))
        case .hardSigmoid: return min(max(v + 3, 0), 6) / 6
        case .relu6: return v < 0 ? 0 : (v > 6 ? 6 : v)
        case .silu: return v / (1 + expf(-v))
        case .hardSwish:
            let t = v + 3
            return v * (t < 0 ? 0 : (t > 6 ? 6 : t)) / 6
        case .gelu: return 0.5 * v * (1 + erff(v * 0.707106781))
        case .geluTanh: return 0.5 * v * (1 + tanhf(0.797884561 * (v + 0.044715 * v * v * v)))
        case .tanh: return tanhf(v)
        case .sqrt: return v.squareRoot()
        case .leakyRelu(let slope): return v < 0 ? slope * v : v
        case .mulScalar(let k): return v * k
        case .addScalar(let k): return v + k
        }
    }

    static func conv2d(_ a: Conv2dAttrs, _ x: [Float], _ s: Shape, _ out: Shape, _ wt: [Float], _ b: [Float]?) -> [Float] {
        let k = a.kernel
        let inPerGroup = s.c / a.groups
        let outPerGroup = out.c / a.groups
        return tensor(out) { n, o, h, w in
            var acc = Double(b?[o] ?? 0)
            let g = o / outPerGroup
            for i in 0..<inPerGroup {
                for kh in 0..<k {
                    let y = h * a.stride - a.padding + kh * a.dilation
                    guard y >= 0 && y < s.h else { continue }
                    for kw in 0..<k {
                        let xx = w * a.stride - a.padding + kw * a.dilation
                        guard xx >= 0 && xx < s.w else { continue }
                        acc += Double(wt[((o * inPerGroup + i) * k + kh) * k + kw])
                            * Double(x[s.offset(n: n, c: g * inPerGroup + i, h: y, w: xx)])
                    }
                }
            }
            return Float(acc)
        }
    }
}
