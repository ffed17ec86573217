// Result shapes of every op, and the rules operands must satisfy. Shared by the builder (which
// infers) and the verifier (which re-checks a finished program).

/// A broken IR invariant: always a bug in lowering or in a hand-built program, never user input.
public struct IRError: Error, CustomStringConvertible, Equatable {
    /// What was inconsistent, with the value numbers and shapes involved.
    public let message: String
    /// An invariant violation described by `message`.
    public init(_ message: String) { self.message = message }
    /// `invalid IR: ` and the message, so a log line says it is a bug, not bad input.
    public var description: String { "invalid IR: \(message)" }
}

extension Op {
    /// The shape this op produces from its operands, or why it cannot.
    public func resultShape(operands: [Shape], params: [ParamDecl]) throws(IRError) -> Shape {
        func arity(_ k: Int) throws(IRError) {
            guard operands.count == k else { throw IRError("\(self) takes \(k) operand(s), got \(operands.count)") }
        }
        func param(_ id: ParamID, _ dims: [Int], _ what: String) throws(IRError) {
            guard params.indices.contains(id) else { throw IRError("\(what): no parameter #\(id)") }
            guard params[id].dims == dims else {
                throw IRError("\(what): parameter \(params[id].name) is \(params[id].dims), expected \(dims)")
            }
        }
        switch self {
        case .globalPool:
            try arity(1)
            let x = operands[0]
            return Shape(n: x.n, c: x.c, h: 1, w: 1)
        case .channelPool:
            try arity(1)
            let x = operands[0]
            return Shape(n: x.n, c: 1, h: x.h, w: x.w)
        case .linear(let weight, let bias, let outFeatures):
            try arity(1)
            let x = operands[0]
            guard x.h == 1, x.w == 1 else { throw IRError("linear needs a vector [N,C,1,1], got \(x)") }
            try param(weight, [outFeatures, x.c], "linear weight")
            if let bias { try param(bias, [outFeatures], "linear bias") }
            return Shape(n: x.n, c: outFeatures, h: 1, w: 1)
        case .channelConv1d(let weight, let kernel, let padding):
            try arity(1)
            let x = operands[0]
            guard x.h == 1, x.w == 1 else { throw IRError("channel conv1d needs a vector [N,C,1,1], got \(x)") }
            guard kernel >= 1, kernel % 2 == 1 else { throw IRError("channel conv1d kernel \(kernel) is not odd") }
            guard padding == .zeros || (kernel - 1) / 2 <= x.c else {
                throw IRError("circular channel conv1d kernel \(kernel) wraps around \(x.c) channels more than once")
            }
            try param(weight, [kernel], "conv1d weight")
            return x
        case .conv2d(let a):
            try arity(1)
            let x = operands[0]
            let attrs = "k=\(a.kernel) d=\(a.dilation) p=\(a.padding)" + (a.stride == 1 ? "" : " s=\(a.stride)")
            guard a.kernel >= 1, a.dilation >= 1, a.padding >= 0, a.stride >= 1, a.groups >= 1 else {
                throw IRError("conv2d \(attrs) g=\(a.groups) does not fit \(x)")
            }
            guard x.c % a.groups == 0, a.outChannels % a.groups == 0 else {
                throw IRError("conv2d groups \(a.groups) do not divide \(x.c) → \(a.outChannels) channels")
            }
            try param(a.weight, [a.outChannels, x.c / a.groups, a.kernel, a.kernel], "conv2d weight")
            if let bias = a.bias { try param(bias, [a.outChannels], "conv2d bias") }
            let h = a.outputExtent(x.h)
            let w = a.outputExtent(x.w)
            guard h >= 1, w >= 1 else {
                throw IRError("conv2d \(attrs) does not fit \(x)")
            }
            return Shape(n: x.n, c: a.outChannels, h: h, w: w)
        case .axisConv1d(let weight, let bias, let kernel, let axis):
            try arity(1)
            let x = operands[0]
            guard kernel >= 1, kernel % 2 == 1 else { throw IRError("axis conv1d kernel \(kernel) is not odd") }
            switch axis {
            case .h: try param(weight, [x.c, 1, kernel, 1], "axis conv1d weight")
            case .w: try param(weight, [x.c, 1, 1, kernel], "axis conv1d weight")
            case .c, .hw: throw IRError("axis conv1d along \(axis): only h or w")
            }
            if let bias { try param(bias, [x.c], "axis conv1d bias") }
            return x
        case .groupNorm(let groups, let scale, let shift, _):
            try arity(1)
            let x = operands[0]
            guard groups >= 1, x.c % groups == 0 else { throw IRError("group norm: \(groups) groups do not divide \(x.c) channels") }
            if let scale { try param(scale, [x.c], "group norm scale") }
            if let shift { try param(shift, [x.c], "group norm shift") }
            return x
        case .axisPool(_, let axis):
            try arity(1)
            let x = operands[0]
            switch axis {
            case .h: return Shape(n: x.n, c: x.c, h: 1, w: x.w)
            case .w: return Shape(n: x.n, c: x.c, h: x.h, w: 1)
            case .c, .hw: throw IRError("axis pool along \(axis): use channel_pool or global_pool")
            }
        case .pool2d(_, let k, let stride, let pad, _):
            try arity(1)
            let x = operands[0]
            // PyTorch's bound pad ≤ k/2 keeps every window at least one input element wide, so a
            // count-excluding mean never divides by zero.
            guard k >= 1, stride >= 1, pad >= 0, pad <= k / 2, k - 2 * pad <= x.h, k - 2 * pad <= x.w else {
                throw IRError("pool2d k=\(k) s=\(stride) p=\(pad) does not fit \(x)")
            }
            return Shape(n: x.n, c: x.c, h: (x.h + 2 * pad - k) / stride + 1, w: (x.w + 2 * pad - k) / stride + 1)
        case .variance:
            try arity(1)
            let x = operands[0]
            return Shape(n: x.n, c: x.c, h: 1, w: 1)
        case .weightedPool(let weight):
            try arity(1)
            let x = operands[0]
            try param(weight, [x.c, x.h, x.w], "weighted pool filter")
            return Shape(n: x.n, c: x.c, h: 1, w: 1)
        case .matmul(let ta, let tb, _):
            try arity(2)
            let (a, b) = (operands[0], operands[1])
            let (m, ka) = ta ? (a.w, a.h) : (a.h, a.w)
            let (kb, n) = tb ? (b.w, b.h) : (b.h, b.w)
            guard ka == kb else { throw IRError("matmul inner sizes \(ka) and \(kb) differ (\(a), \(b))") }
            guard let batch = Shape.broadcast(Shape(n: a.n, c: a.c, h: 1, w: 1), Shape(n: b.n, c: b.c, h: 1, w: 1)) else {
                throw IRError("matmul batches of \(a) and \(b) do not broadcast")
            }
            return Shape(n: batch.n, c: batch.c, h: m, w: n)
        case .blockMatmul(let side):
            try arity(2)
            let (x, m) = (operands[0], operands[1])
            let along = side == .left ? x.h : x.w
            guard m.h == m.w, m.n == x.n || m.n == 1, x.c % m.c == 0, along % m.h == 0 else {
                throw IRError("block matmul \(side.rawValue) of \(x) by \(m): needs square planes, groups dividing C, and b dividing \(side == .left ? "H" : "W")")
            }
            return x
        case .relPosWeights(let table):
            try arity(1)
            let x = operands[0]
            guard params.indices.contains(table) else { throw IRError("relative position weights: no parameter #\(table)") }
            let d = params[table].dims
            guard d.count == 4, d[0] >= 1, x.c % d[0] == 0, d[1] == 1, d[2] == d[3], d[2] % 2 == 1, (d[2] - 1) / 2 >= max(x.h, x.w) - 1 else {
                throw IRError("relative position weights: table \(params[table].name) \(d) does not fit \(x) (needs [K, 1, s, s], K dividing C, s odd, s ≥ 2·max(H, W) − 1)")
            }
            return Shape(n: x.n, c: x.c / d[0], h: x.h * x.w, w: x.h * x.w)
        case .attention(_, let relPos):
            try arity(3)
            let (q, k, v) = (operands[0], operands[1], operands[2])
            guard q.n == k.n, k.n == v.n, q.c == k.c, k.c == v.c else {
                throw IRError("attention batches differ: \(q), \(k), \(v)")
            }
            guard q.h == k.h, k.w == v.w else { throw IRError("attention q \(q), k \(k), v \(v) do not fit") }
            if let r = relPos {
                guard r.queryWidth >= 1, q.w % r.queryWidth == 0, r.queryWidth <= r.keyWidth, q.w / r.queryWidth <= r.keyHeight,
                    r.keyHeight >= 1, r.keyWidth >= 1, r.keyHeight * r.keyWidth == k.w
                else {
                    throw IRError("attention's relative positions (query width \(r.queryWidth), keys \(r.keyHeight)×\(r.keyWidth)) do not fit q \(q), k \(k)")
                }
                try param(r.heightRel, [2 * r.keyHeight - 1, q.h], "relative position table along H")
                try param(r.widthRel, [2 * r.keyWidth - 1, q.h], "relative position table along W")
            }
            return Shape(n: q.n, c: q.c, h: v.h, w: q.w)
        case .blockUnfold(let window, let step, let padding):
            try arity(1)
            let x = operands[0]
            guard window >= 1, step >= 1, padding >= 0, padding < window, x.h + 2 * padding >= window, x.w + 2 * padding >= window else {
                throw IRError("block unfold window \(window), step \(step), padding \(padding) does not fit \(x)")
            }
            let (nh, nw) = ((x.h + 2 * padding - window) / step + 1, (x.w + 2 * padding - window) / step + 1)
            return Shape(n: x.n, c: x.c, h: nh * nw, w: window * window)
        case .affine(let scale, let shift):
            try arity(1)
            let x = operands[0]
            try param(scale, [x.c], "affine scale")
            try param(shift, [x.c], "affine shift")
            return x
        case .softmax, .l1Normalize, .instanceNorm:
            try arity(1)
            return operands[0]
        case .layerNorm(let scale, let shift, _):
            try arity(1)
            let x = operands[0]
            if let scale { try param(scale, [x.c], "layer norm scale") }
            if let shift { try param(shift, [x.c], "layer norm shift") }
            return x
        case .constant(let id, let shape):
            try arity(0)
            guard params.indices.contains(id) else { throw IRError("constant: no parameter #\(id)") }
            guard params[id].count == shape.count else {
                throw IRError("constant: parameter \(params[id].name) \(params[id].dims) viewed as \(shape)")
            }
            return shape
        case .unary(let u):
            try arity(1)
            // The constant is printed into the C as a float literal: inf or NaN has none.
            if let k = u.constant, !k.isFinite { throw IRError("\(self): the constant \(k) is not finite") }
            return operands[0]
        case .binary:
            try arity(2)
            guard let s = Shape.broadcast(operands[0], operands[1]) else {
                throw IRError("\(self): \(operands[0]) and \(operands[1]) do not broadcast")
            }
            return s
        case .concat:
            guard let first = operands.first else { throw IRError("concat of nothing") }
            for s in operands where s.n != first.n || s.h != first.h || s.w != first.w {
                throw IRError("concat along C of \(first) and \(s)")
            }
            return Shape(n: first.n, c: operands.reduce(0) { $0 + $1.c }, h: first.h, w: first.w)
        case .slice(let start, let count):
            try arity(1)
            let x = operands[0]
            guard start >= 0, count >= 1, start + count <= x.c else { throw IRError("slice [\(start), +\(count)) of \(x)") }
            return Shape(n: x.n, c: count, h: x.h, w: x.w)
        case .reshape(let shape):
            try arity(1)
            guard shape.count == operands[0].count, shape.dims.allSatisfy({ $0 >= 1 }) else {
                throw IRError("reshape of \(operands[0]) to \(shape)")
            }
            return shape
        case .transpose(let perm):
            try arity(1)
            guard perm.sorted() == [0, 1, 2, 3] else { throw IRError("transpose \(perm) is not a permutation of 0...3") }
            let d = operands[0].dims
            return Shape(n: d[perm[0]], c: d[perm[1]], h: d[perm[2]], w: d[perm[3]])
        case .upsampleNearest(let h, let w):
            try arity(1)
            guard h >= 1, w >= 1 else { throw IRError("upsample to \(h)×\(w)") }
            let x = operands[0]
            return Shape(n: x.n, c: x.c, h: h, w: w)
        }
    }
}
