// Element addresses of stored values for the ops that index their operands freely (attention,
// matmul, gathers, norms). Axes of extent 1 broadcast: their index is dropped, as in
// `Shape.offset`.

import AttnIR
import AttnPlan

extension CEmitter {
    /// The offset of element (n, c, h, w) of stored value `v`; each index is a C expression,
    /// "0" when absent.
    func index(_ v: ValueID, n: String = "0", c: String = "0", h: String = "0", w: String = "0") -> String {
        let s = program.shape(of: v)
        let l = plan.layouts[v]!
        var terms: [String] = []
        for (i, extent, stride) in [(n, s.n, l.nStride), (c, s.c, l.cStride), (h, s.h, s.w * l.hwStride), (w, s.w, l.hwStride)]
        where extent > 1 && i != "0" {
            terms.append(scaled(i, stride))
        }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }

    /// `pointer(v)[index]`.
    func element(_ v: ValueID, n: String = "0", c: String = "0", h: String = "0", w: String = "0") -> String {
        "\(pointer(v))[\(index(v, n: n, c: c, h: h, w: w))]"
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

/// `i * k` as C, without the multiplication when k is 1 and parenthesised when `i` is compound.
func scaled(_ i: String, _ k: Int) -> String {
    let simple = i.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    let term = simple ? i : "(\(i))"
    return k == 1 ? term : "\(term) * \(k)"
}
