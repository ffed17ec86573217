// Batched matrix products and the fused attention op, written the obvious way: the attention
// reference does materialise each (n, c) score matrix; only the C must not.

import AttnIR
import Foundation

extension Interpreter {
    /// Element (row, col) of matrix (n, c) of a stack, with n and c broadcast when 1.
    static func matrixElement(_ x: [Float], _ s: Shape, _ n: Int, _ c: Int, _ row: Int, _ col: Int, transposed: Bool) -> Float {
        let (r, k) = transposed ? (col, row) : (row, col)
        return x[s.offset(n: n, c: c, h: r, w: k)]
    }

    static func matmul(_ a: ([Float], Shape), _ b: ([Float], Shape), _ out: Shape, ta: Bool, tb: Bool, alpha: Float) -> [Float] {
        let inner = ta ? a.1.h : a.1.w
        return tensor(out) { n, c, i, j in
            var acc = 0.0
            for k in 0..<inner {
                acc += Double(matrixElement(a.0, a.1, n, c, i, k, transposed: ta))
                    * Double(matrixElement(b.0, b.1, n, c, k, j, transposed: tb))
            }
            return Float(acc * Double(alpha))
        }
    }

    /// `y[n, g, i, j] = Σ_k Q[n, g·K + k, i] · table[k, 0, hj − hi + r, wj − wi + r]`, the table
    /// [K, 1, s, s] with r = (s − 1)/2 (see `Op.relPosWeights`).
    static func relPosWeights(_ q: ([Float], Shape), _ table: [Float], _ out: Shape) -> [Float] {
        let (x, s) = q
        let k = s.c / out.c
        let side = Int(Double(table.count / k).squareRoot().rounded())
        let r = (side - 1) / 2
        return tensor(out) { n, g, i, j in
            let (dh, dw) = (j / s.w - i / s.w + r, j % s.w - i % s.w + r)
            var acc = 0.0
            for t in 0..<k {
                acc += Double(x[s.offset(n: n, c: g * k + t, h: i / s.w, w: i % s.w)]) * Double(table[(t * side + dh) * side + dw])
            }
            return Float(acc)
        }
    }

    /// `(M ⊗ I)·X` or `X·(M ⊗ I)` per (n, c), written as the Kronecker product's entries: M's
    /// plane for channel c is `c / (C/G)`, and X's row (or column) block index picks M's entry.
    static func blockMatmul(_ x: ([Float], Shape), _ m: ([Float], Shape), _ out: Shape, side: MatrixSide) -> [Float] {
        let (xs, ms) = (x.1, m.1)
        let b = ms.h
        let perGroup = xs.c / ms.c
        return tensor(out) { n, c, h, w in
            let g = c / perGroup
            var acc = 0.0
            switch side {
            case .left:
                let t = xs.h / b
                for i in 0..<b {
                    acc += Double(m.0[ms.offset(n: n, c: g, h: h / t, w: i)]) * Double(x.0[xs.offset(n: n, c: c, h: i * t + h % t, w: w)])
                }
            case .right:
                let t = xs.w / b
                for j in 0..<b {
                    acc += Double(x.0[xs.offset(n: n, c: c, h: h, w: j * t + w % t)]) * Double(m.0[ms.offset(n: n, c: g, h: j, w: w / t)])
                }
            }
            return Float(acc)
        }
    }

    /// With `relPos`, a score gains the position logit the op defines, read straight from the
    /// tables (the C computes each query's dots with the table rows once and reuses them).
    static func attention(
        _ q: ([Float], Shape), _ k: ([Float], Shape), _ v: ([Float], Shape), _ out: Shape, scale: Float,
        relPos: (RelPosLogits, [Float], [Float])? = nil
    ) -> [Float] {
        let (d, keys) = (q.1.h, k.1.w)
        var y = [Float](repeating: 0, count: out.count)
        for n in 0..<out.n {
            for b in 0..<out.c {
                for i in 0..<q.1.w {
                    let scores = (0..<keys).map { j in
                        var acc = 0.0
                        for t in 0..<d {
                            acc += Double(q.0[q.1.offset(n: n, c: b, h: t, w: i)]) * Double(k.0[k.1.offset(n: n, c: b, h: t, w: j)])
                        }
                        let score = Float(acc * Double(scale))
                        guard let (r, hRel, wRel) = relPos else { return score }
                        let (qh, qw, kh, kw) = (i / r.queryWidth, i % r.queryWidth, j / r.keyWidth, j % r.keyWidth)
                        let (hRow, wRow) = (kh - qh + r.keyHeight - 1, kw - qw + r.keyWidth - 1)
                        var pos = 0.0
                        for t in 0..<d {
                            pos += Double(q.0[q.1.offset(n: n, c: b, h: t, w: i)]) * (Double(hRel[hRow * d + t]) + Double(wRel[wRow * d + t]))
                        }
                        return score + Float(pos * Double(r.scale))
                    }
                    let p = softmax(scores)
                    for e in 0..<v.1.h {
                        var acc = 0.0
                        for j in 0..<keys { acc += Double(p[j]) * Double(v.0[v.1.offset(n: n, c: b, h: e, w: j)]) }
                        y[out.offset(n: n, c: b, h: e, w: i)] = Float(acc)
                    }
                }
            }
        }
        return y
    }
}
