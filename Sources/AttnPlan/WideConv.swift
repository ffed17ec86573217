// The plan of a stride-1 convolution computed over "wide" rows. The input plane is (if needed)
// copied zero-padded into scratch, with row pitch PW = W + 2·padding; then output pixel (y, x)
// sits at y·PW + x of a wide buffer, and every tap (i, kh, kw) adds w · (the padded plane
// shifted by kh·d rows and kw·d columns) to the whole buffer in ONE contiguous axpy of
// (OH−1)·PW + OW floats. The columns x ≥ OW are garbage and are dropped when the buffer is
// copied out. Compared with one axpy per output row and tap, calls drop by a factor of OH and
// each is long enough for tcc's packed-SSE helper (and for an MCU's plain loop). gcc and clang on
// x86-64 and AArch64 get the same sums register-tiled instead, in their vector extension: 16
// wide pixels of up to four output channels stay in registers across all taps, so each input
// load feeds four multiply-adds and no accumulator goes through memory (on a 3×3, 64-channel,
// 28×28 conv: 10 GFLOP/s as per-tap axpys, 58 with two channels, 104 with four, gcc -O3).

import AttnIR

package struct WideConv {
    /// Padded plane extents.
    package let rows: Int
    package let pitch: Int
    /// Floats of the zero-padded copy of the input, with `tile` floats of slack after it: the
    /// last tile reads up to tile − 1 floats past the last valid pixel.
    package let paddedSize: Int
    /// Floats of the wide accumulator: (OH − 1)·PW + OW.
    package let wideLength: Int
    /// Output channels computed together (sharing each input load): 4, 2 or 1.
    package let block: Int

    /// Pixels one register tile of the compiled (non-tcc) path holds at most (two 16-lane
    /// vectors with AVX-512; two 8-lane ones, 16 pixels, with AVX; two 4-lane ones, 8, else: 32 is a
    /// multiple of each).
    package static let tile = 32
    /// `wideLength` rounded up to whole tiles.
    package var tiledLength: Int { (wideLength + Self.tile - 1) / Self.tile * Self.tile }
    /// The padded copy, then one tiled wide buffer per channel of a block.
    package var tempSize: Int { paddedSize + block * tiledLength }

    /// The plan for `a` on `input` → `output`, or nil when the per-row form is kept: strided
    /// convs, and convs with two or three output channels. A single output channel (CBAM's
    /// 2 → 1 spatial gate) takes the wide form too, when its rows are wider than their padding
    /// (most wide columns valid): its per-row form is one short axpy per row and tap, which cost
    /// CBAM more than a pass over its input at 56×56.
    package init?(_ a: Conv2dAttrs, input: Shape, output: Shape, inputLayout: Layout) {
        guard Self.applies(a, output: output) else { return nil }
        rows = input.h + 2 * a.padding
        pitch = input.w + 2 * a.padding
        paddedSize = input.c * rows * pitch + Self.tile
        wideLength = (output.h - 1) * pitch + output.w
        let perGroup = output.c / a.groups
        block = perGroup % 4 == 0 ? 4 : perGroup % 2 == 0 ? 2 : 1
    }

    /// True when `a` runs in the wide form on hosts (see `init`).
    package static func applies(_ a: Conv2dAttrs, output: Shape) -> Bool {
        a.stride == 1 && a.kernel > 1 && (output.c >= 4 || (output.c == 1 && output.w > 2 * a.padding))
    }
}
