// Where a stored value lives: the storage pass's answer for each value the C keeps in memory.

import AttnIR

/// Which caller-owned array a stored value lives in.
package enum Buffer: Hashable, Sendable {
    case input
    case output
    case scratch
    /// A `constant` op's parameter, read in place from the parameter array.
    case param(ParamID)
}

/// Where a stored value's elements are: `base + n·nStride + c·cStride + (h·W + w)·hwStride`.
/// Scratch values are NCHW; the block's input and output follow the spec's layout.
package struct Layout: Hashable, Sendable {
    package let buffer: Buffer
    package let base: Int
    package let nStride: Int
    package var cStride: Int
    package var hwStride: Int

    package init(buffer: Buffer, base: Int, nStride: Int, cStride: Int, hwStride: Int = 1) {
        self.buffer = buffer
        self.base = base
        self.nStride = nStride
        self.cStride = cStride
        self.hwStride = hwStride
    }

    package init(buffer: Buffer, _ shape: Shape, _ layout: TensorLayout) {
        let s = layout.strides(shape)
        self.init(buffer: buffer, base: 0, nStride: s.n, cStride: s.c, hwStride: s.hw)
    }
}

/// Floats `[offset, offset + count)` of scratch.
package struct Region: Hashable, Sendable {
    package let offset: Int
    package let count: Int
}
