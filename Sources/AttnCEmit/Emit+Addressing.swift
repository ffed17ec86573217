// Element addresses of stored values for the ops that index their operands freely (attention,
// matmul, gathers, norms). Axes of extent 1 broadcast: their index is dropped, as in
// `Shape.offset`.

import AttnIR
import AttnPlan

extension CEmitter {
    /// The offset of element (n, c, h, w) of stored value `v`.
    func index(_ v: ValueID, n: CExpr = .zero, c: CExpr = .zero, h: CExpr = .zero, w: CExpr = .zero) -> CExpr {
        let s = program.shape(of: v)
        let l = plan.layouts[v]!
        var offset = CExpr.zero
        for (i, extent, stride) in [(n, s.n, l.nStride), (c, s.c, l.cStride), (h, s.h, s.w * l.hwStride), (w, s.w, l.hwStride)]
        where extent > 1 {
            offset = offset + i * stride
        }
        return offset
    }

    /// `pointer(v)[index]`.
    func element(_ v: ValueID, n: CExpr = .zero, c: CExpr = .zero, h: CExpr = .zero, w: CExpr = .zero) -> String {
        "\(pointer(v))[\(index(v, n: n, c: c, h: h, w: w))]"
    }

    /// `pointer(v) + index`, just the pointer at offset 0.
    func address(_ v: ValueID, n: CExpr = .zero, c: CExpr = .zero, h: CExpr = .zero, w: CExpr = .zero) -> String {
        plus(pointer(v), index(v, n: n, c: c, h: h, w: w))
    }

    /// Distance between neighbours along `axis` of stored value `v` (H·W counts as one axis).
    func axisStride(_ v: ValueID, along axis: Axis) -> Int {
        let l = plan.layouts[v]!
        switch axis {
        case .c: return l.cStride
        case .h: return program.shape(of: v).w * l.hwStride
        case .w, .hw: return l.hwStride
        }
    }
}
