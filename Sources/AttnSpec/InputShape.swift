// The input tensor a block is specialised for.

/// NCHW extents of a block's input. `n` defaults to 1 in JSON.
public struct InputShape: Hashable, Sendable {
    /// Batch: samples computed one after another in one call.
    public var n: Int
    /// Channels.
    public var c: Int
    /// Height.
    public var h: Int
    /// Width.
    public var w: Int

    /// An input shape; validation, not the initialiser, refuses sizes below 1 or past the caps.
    public init(n: Int = 1, c: Int, h: Int, w: Int) {
        self.n = n
        self.c = c
        self.h = h
        self.w = w
    }

    /// `.nchw(1, 64, 32, 32)`, the DSL spelling.
    public static func nchw(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> InputShape {
        InputShape(n: n, c: c, h: h, w: w)
    }
}
