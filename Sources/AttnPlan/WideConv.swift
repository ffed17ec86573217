// The plan of a convolution computed over "wide" rows. The input plane is (if needed) copied
// zero-padded into scratch, with row pitch PW = W + 2·padding; then output pixel (y, x) sits at
// y·PW + x of a wide buffer, and every tap (i, kh, kw) adds w · (the padded plane shifted by kh·d
// rows and kw·d columns) to the whole buffer in ONE contiguous axpy of (OH−1)·PW + OW floats. The
// columns x ≥ OW are garbage and are dropped when the buffer is copied out. Compared with one axpy
// per output row and tap, calls drop by a factor of OH and each is long enough for tcc's
// packed-SSE helper (and for an MCU's plain loop). gcc and clang on x86-64 and AArch64 get the
// same sums register-tiled instead, in their vector extension: three vectors of wide pixels of up
// to four output channels stay in registers across all taps, so each input load feeds four
// multiply-adds and no accumulator goes through memory (on a 3×3, 64-channel, 28×28 conv with
// AVX2: 45 GFLOP/s as per-tap axpys, 77 with two vectors per channel, 88 with three: twelve
// accumulators hide the multiply-add latency that eight only just cover).
//
// A stride s > 1 splits the padded plane into its s² phases, plane (a, b) holding the padded
// pixels (s·r + a, s·c + b): the pixels a tap reads for consecutive outputs are then consecutive
// in one phase plane, and the strided conv is a stride-1 one over wide rows of the phases' pitch
// ⌈PW / s⌉ (tap (kh, kw) at phase (kh·d mod s, kw·d mod s), shifted ⌊kh·d / s⌋ rows and
// ⌊kw·d / s⌋ columns). Grouped convs copy one group's planes at a time, so the copy stays in
// cache while its taps run (a depthwise conv's whole padded input would be as large as the
// input); its zero border is written once.

import AttnIR

package struct WideConv {
    /// Extents of one padded plane, or of each of its phase planes when strided.
    package let rows: Int
    package let pitch: Int
    /// Phase planes per input channel: stride².
    package let phases: Int
    /// Input channels the padded copy holds at once: all of them, or one group's.
    package let planes: Int
    /// The copy holds one group's planes at a time (grouped convs).
    package let perGroup: Bool
    /// Floats of the zero-padded copy, with `granule` floats of slack after it: the last tile reads
    /// up to a tile past the last valid pixel.
    package let paddedSize: Int
    /// Floats of the wide accumulator: (OH − 1)·pitch + OW.
    package let wideLength: Int
    /// Output channels computed together (sharing each input load): 4, 2 or 1.
    package let block: Int
    /// One output channel at stride 1 and dilation 1 over rows at least as wide as most of a tile:
    /// with AVX, output rows go in pairs, each input vector loaded once for the taps of both rows.
    /// Narrower rows keep the tiles along the wide buffer: their pairs would compute mostly
    /// garbage columns.
    package let pairsRows: Bool
    /// Output rows (the pairs' count rounds it up to even).
    package let outputRows: Int
    /// Pixels of a tile of paired rows at most: four 16-lane vectors.
    package static let pairTile = 64

    /// Pixels one register tile of a single output channel holds at most (two 16-lane vectors with
    /// AVX-512; four 8-lane ones, 32 pixels, with AVX; eight 4-lane ones, else).
    package static let tile = 32
    /// Vectors of pixels per channel in a tile of `block` > 1 channels: 4 × 3 accumulators, three
    /// input vectors and a broadcast weight fit AVX2's and SSE's 16 registers.
    package static let vectors = 3
    /// What the wide buffers are rounded up to: whole tiles (`vectors` of 4, 8 or 16 lanes all
    /// divide 96).
    package var granule: Int { block == 1 ? Self.tile : 3 * Self.tile }
    /// `wideLength` rounded up to whole granules: what the tiles along the wide buffer cover.
    package var tiledExtent: Int { Limits.saturatingProduct(Limits.saturatingSum(wideLength, granule - 1) / granule, granule) }
    /// Floats of one channel's wide buffer: the tiles', or with paired rows up to a tile past the
    /// row after the last (an odd last row's pair computes a row of garbage).
    package var tiledLength: Int {
        guard pairsRows else { return tiledExtent }
        return max(tiledExtent, Limits.saturatingSum(Limits.saturatingProduct(Limits.saturatingSum(outputRows, 1), pitch), Self.pairTile))
    }
    /// Floats of one input channel's (phase) planes.
    package var planeSize: Int { Limits.saturatingProduct(phases, rows, pitch) }
    /// The padded copy, then one tiled wide buffer per channel of a block.
    package var tempSize: Int { Limits.saturatingSum(paddedSize, Limits.saturatingProduct(block, tiledLength)) }

    /// The plan for `a` on `input` → `output`, or nil when the per-row form is kept: convs with two
    /// or three output channels. A single output channel (CBAM's 2 → 1 spatial gate) takes the
    /// wide form too, when its rows are wider than their padding (most wide columns valid): its
    /// per-row form is one short axpy per row and tap, which cost CBAM more than a pass over its
    /// input at 56×56.
    package init?(_ a: Conv2dAttrs, input: Shape, output: Shape, inputLayout: Layout) {
        guard Self.applies(a, output: output) else { return nil }
        let s = a.stride
        // The budget check builds this plan for any stride a spec may hold, before it refuses the
        // sizes: they saturate instead of trapping, and the budget names the field.
        rows = Limits.saturatingSum(input.h + 2 * a.padding, s - 1) / s
        pitch = Limits.saturatingSum(input.w + 2 * a.padding, s - 1) / s
        phases = Limits.saturatingProduct(s, s)
        perGroup = a.groups > 1
        planes = perGroup ? input.c / a.groups : input.c
        wideLength = Limits.saturatingSum(Limits.saturatingProduct(output.h - 1, pitch), output.w)
        let outPerGroup = output.c / a.groups
        block = outPerGroup % 4 == 0 ? 4 : outPerGroup % 2 == 0 ? 2 : 1
        outputRows = output.h
        // At most a quarter of garbage columns, with 32- and 64-pixel tiles (AVX, AVX-512).
        let p = pitch
        // (A pitch past any real plane, as a refused spec's saturated sizes are, never pairs: the
        // test below would overflow.)
        pairsRows = block == 1 && s == 1 && a.dilation == 1 && p < 1 << 24
            && [32, Self.pairTile].allSatisfy { (p + $0 - 1) / $0 * $0 * 4 <= p * 5 }
        // Slack past the copy for the last tile's reads: a tile, or with paired rows a row past
        // the last plane's end (the garbage row of an odd last pair), its taps' columns and a tile.
        let slack = pairsRows ? Limits.saturatingSum(Limits.saturatingSum(pitch, a.kernel), Self.pairTile) : block == 1 ? Self.tile : 3 * Self.tile
        paddedSize = Limits.saturatingSum(Limits.saturatingProduct(planes, phases, rows, pitch), slack)
    }

    /// Offset of tap (i, kh, kw) from the first padded plane: its phase plane, shifted.
    package func tapOffset(_ i: Int, _ kh: Int, _ kw: Int, stride s: Int, dilation d: Int) -> Int {
        let (y, x) = (kh * d, kw * d)
        return i * planeSize + ((y % s) * s + x % s) * rows * pitch + (y / s) * pitch + x / s
    }

    /// True when `a` runs in the wide form on hosts (see `init`).
    /// A stride past the kernel keeps the direct form: its phase planes would mostly go unread
    /// (and a stride past the plane would ask for stride² of them).
    package static func applies(_ a: Conv2dAttrs, output: Shape) -> Bool {
        a.kernel > 1 && a.stride <= a.kernel && (output.c >= 4 || (output.c == 1 && output.w > 2 * a.padding))
    }
}
