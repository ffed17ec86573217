// The output shape a spec says it expects. Stating it turns a forgotten stride or out_channels
// into an error at `output` instead of a kernel of another shape.

/// NCHW extents a block's output must have; `n` nil means the input's `n`.
public struct OutputShape: Hashable, Sendable {
    /// Batch; nil means the input's.
    public var n: Int?
    /// Channels.
    public var c: Int
    /// Height.
    public var h: Int
    /// Width.
    public var w: Int

    /// The shape a block must give; `n` nil takes the input's batch.
    public init(n: Int? = nil, c: Int, h: Int, w: Int) {
        self.n = n
        self.c = c
        self.h = h
        self.w = w
    }

    /// `.nchw(1, 64, 28, 28)`, the DSL spelling.
    public static func nchw(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> OutputShape {
        OutputShape(n: n, c: c, h: h, w: w)
    }

    /// `[n, c, h, w]` with `n` filled in from the block's input.
    public func dims(inputN: Int) -> [Int] { [n ?? inputN, c, h, w] }
}

extension BlockSpec {
    /// The same spec, required to give `shape` (checked after lowering).
    public func output(_ shape: OutputShape) -> BlockSpec {
        var copy = self
        copy.output = shape
        return copy
    }

    /// Refuses a lowered output of other extents than the stated `output`.
    public func checkOutput(_ dims: [Int]) throws(SpecError) {
        guard let output else { return }
        let expected = output.dims(inputN: input.n)
        guard expected != dims else { return }
        func show(_ d: [Int]) -> String { "[\(d.map(String.init).joined(separator: ","))]" }
        throw SpecError(
            "output", "is \(show(expected)) (n, c, h, w) but the block's output is \(show(dims)); check stride, out_channels and the other fields that change the shape")
    }
}
