// Result shapes of every op, and the rules operands must satisfy. Shared by the builder (which
// infers) and the verifier (which re-checks a finished program).

/// A broken IR invariant: always a bug in lowering or in a hand-built program, never user input.
public struct IRError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
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
        case .channelConv1d(let weight, let kernel):
            try arity(1)
            let x = operands[0]
            guard x.h == 1, x.w == 1 else { throw IRError("channel conv1d needs a vector [N,C,1,1], got \(x)") }
            guard kernel >= 1, kernel % 2 == 1 else { throw IRError("channel conv1d kernel \(kernel) is not odd") }
            try param(weight, [kernel], "conv1d weight")
            return x
        case .conv2d(let a):
            try arity(1)
            let x = operands[0]
            try param(a.weight, [a.outChannels, x.c, a.kernel, a.kernel], "conv2d weight")
            if let bias = a.bias { try param(bias, [a.outChannels], "conv2d bias") }
            let span = a.dilation * (a.kernel - 1)
            let h = x.h + 2 * a.padding - span
            let w = x.w + 2 * a.padding - span
            guard a.kernel >= 1, a.dilation >= 1, a.padding >= 0, h >= 1, w >= 1 else {
                throw IRError("conv2d k=\(a.kernel) d=\(a.dilation) p=\(a.padding) does not fit \(x)")
            }
            return Shape(n: x.n, c: a.outChannels, h: h, w: w)
        case .affine(let scale, let shift):
            try arity(1)
            let x = operands[0]
            try param(scale, [x.c], "affine scale")
            try param(shift, [x.c], "affine shift")
            return x
        case .unary:
            try arity(1)
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
        }
    }
}
