// The one tensor type of the IR: a static NCHW shape, float32 implied.

/// A static 4-D NCHW shape. Vectors are `[N, C, 1, 1]`, planes `[N, 1, H, W]`.
///
/// Every value in a `Program` has one; there are no dynamic dimensions, which is what lets the
/// emitter write literal loop extents.
public struct Shape: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Batch: independent samples, each computed alone.
    public let n: Int
    /// Channels.
    public let c: Int
    /// Height of each plane.
    public let h: Int
    /// Width of each plane.
    public let w: Int

    /// A shape with these extents; the verifier, not the initialiser, refuses empty axes.
    public init(n: Int, c: Int, h: Int, w: Int) {
        self.n = n
        self.c = c
        self.h = h
        self.w = w
    }

    /// Number of elements.
    public var count: Int { n * c * h * w }
    /// Elements in one H×W plane.
    public var plane: Int { h * w }
    /// `[n, c, h, w]`, the order JSON, headers and safetensors write shapes in.
    public var dims: [Int] { [n, c, h, w] }

    /// `[n,c,h,w]`, as printed IR and error messages show shapes.
    public var description: String { "[\(n),\(c),\(h),\(w)]" }

    /// The shape two operands broadcast to, numpy style per axis (equal, or one of them 1).
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        func axis(_ x: Int, _ y: Int) -> Int? { x == y ? x : (x == 1 ? y : (y == 1 ? x : nil)) }
        guard let n = axis(a.n, b.n), let c = axis(a.c, b.c), let h = axis(a.h, b.h), let w = axis(a.w, b.w) else {
            return nil
        }
        return Shape(n: n, c: c, h: h, w: w)
    }

    /// Flat row-major offset of an element. Axes of extent 1 broadcast: their index is ignored.
    /// The interpreter and the emitter share this rule.
    public func offset(n i: Int, c j: Int, h k: Int, w l: Int) -> Int {
        let nn = n == 1 ? 0 : i
        let cc = c == 1 ? 0 : j
        let hh = h == 1 ? 0 : k
        let ww = w == 1 ? 0 : l
        return ((nn * c + cc) * h + hh) * w + ww
    }
}

/// Memory order of a block's input and output. Intermediates are always NCHW.
public enum TensorLayout: String, Hashable, Sendable, CaseIterable {
    /// Channels, then rows: PyTorch's order.
    case nchw
    /// Channels innermost: TFLite Micro's and CMSIS-NN's order.
    case nhwc

    /// Element strides (n, c, flat h·w) of a tensor of `shape` in this layout.
    public func strides(_ shape: Shape) -> (n: Int, c: Int, hw: Int) {
        switch self {
        case .nchw: return (shape.c * shape.plane, shape.plane, 1)
        case .nhwc: return (shape.c * shape.plane, 1, shape.c)
        }
    }

    /// Reorders a tensor of `shape` from NCHW into this layout; `x` must hold `shape.count`
    /// floats (`KernelError.wrongCount` otherwise).
    public func fromNCHW(_ x: [Float], _ shape: Shape) throws(KernelError) -> [Float] {
        try KernelError.check("tensor", given: x.count, expected: shape.count)
        guard self == .nhwc else { return x }
        var out = x
        let (sn, sc, shw) = strides(shape)
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                for hw in 0..<shape.plane { out[n * sn + c * sc + hw * shw] = x[(n * shape.c + c) * shape.plane + hw] }
            }
        }
        return out
    }

    /// Reorders a tensor of `shape` from this layout into NCHW; `x` must hold `shape.count`
    /// floats (`KernelError.wrongCount` otherwise).
    public func toNCHW(_ x: [Float], _ shape: Shape) throws(KernelError) -> [Float] {
        try KernelError.check("tensor", given: x.count, expected: shape.count)
        guard self == .nhwc else { return x }
        var out = x
        let (sn, sc, shw) = strides(shape)
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                for hw in 0..<shape.plane { out[(n * shape.c + c) * shape.plane + hw] = x[n * sn + c * sc + hw * shw] }
            }
        }
        return out
    }
}
