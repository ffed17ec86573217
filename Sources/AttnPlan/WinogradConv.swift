// The plan of a 3×3, stride-1, undilated convolution computed by Winograd's minimal filtering
// F(2×2, 3×3) on gcc and clang hosts. Each 2×2 block of outputs (a tile) of one output channel is
// Aᵀ·[Σ_i U_i ⊙ V_i]·A, where V_i = Bᵀ·d_i·B is the tile's 4×4 input patch of channel i
// transformed and U_i = G·g_i·Gᵀ its 3×3 filter transformed: 16 multiplies per tile and input
// channel instead of the direct form's 36. Summed over input channels, each of the 16 transform
// points ξ is one GEMM, U_ξ [out × in] times V_ξ [in × tiles], on the GEMM helpers' register
// tiles. The transforms are additions only; the patches overlap by two pixels, so the input goes
// once into a zero-padded copy whose even and odd columns are stored apart (the patch of tile
// (r, c) is then columns c and c + 1 of both halves of four rows: contiguous vector loads across
// the tiles of a row). Tiles run in blocks of whole tile rows, so a block's transformed input and
// products stay in L2 while its 16 GEMMs run.
//
// The filters are transformed on each call, into scratch: the parameter array is the documented
// PyTorch-ordered array every target shares, so it cannot hold a host-only transformed copy. That
// costs 16·out·in multiply-adds a call, against 16·out·in·tiles for the GEMMs, hence the rule below
// that asks for enough tiles.
//
// F(4×4, 3×3) would cut the multiplies further (2.25 of 36 per output instead of 4) but its
// transforms carry factors up to 8 that cost accuracy the interpreter check does not allow.

import AttnIR

package struct WinogradConv {
    /// Tile rows and columns: ⌈OH / 2⌉ × ⌈OW / 2⌉.
    package let tileRows: Int
    package let tileCols: Int
    /// Rows of the padded copy of one channel (2·tileRows + 2), and floats of each half of one of
    /// them (the even or the odd columns: tileCols + 1).
    package let paddedRows: Int
    package let half: Int
    /// Channels per group, in and out.
    package let inPerGroup: Int
    package let outPerGroup: Int
    /// Tile rows per block, and the row pitch of a block's transformed inputs and products
    /// (its tiles, with a vector of slack that the last row's vector loop may run into).
    package let blockRows: Int
    package let blockPitch: Int
    /// Floats of one transform point's filters of a group (out × in, rounded up to whole vectors).
    package let filterPitch: Int
    /// Floats of the padded copy (every input channel), of the transformed filters (every group),
    /// of one block's transformed inputs and of its products.
    package let paddedSize: Int
    package let filterSize: Int
    package let inputSize: Int
    package let productSize: Int

    /// The widest vector the transforms use (AVX-512's 16 lanes): the slack the vector loops may
    /// read or write past a row of tiles.
    package static let slack = 16
    /// Tiles a block aims at: four of the GEMM helpers' two-vector AVX2 panels.
    package static let blockTiles = 64
    /// The smallest channels per group (in and out) that take this form. Below it the 16 GEMMs are
    /// too thin for their register tiles (a 6-row tile over 8 or 16 rows leaves an edge tile, every
    /// call packs its panels) and the wide form's taps win: with AVX2, 16 channels per group at
    /// 28×28 ran 1.4× slower in this form, 32 in and 64 out at 56×56 (SplitAttention's) 1.1–1.2×
    /// faster, 64 and 64 at 28×28 1.4× faster (bench-winograd notes).
    package static let minChannels = 32
    /// The fewest tiles that take it: the filters' transform each call must stay small next to the
    /// GEMMs. A 7×7 plane (16 tiles, SC-Conv's pooled branch) ran 1.2× slower than the wide form,
    /// 14×14 (49 tiles) no slower.
    package static let minTiles = 32

    /// The plan for `a` on `input` → `output` with the result's layout `outputLayout`, or nil when
    /// the wide form is kept (see `applies`).
    package init?(_ a: Conv2dAttrs, input: Shape, output: Shape, outputLayout: Layout) {
        guard Self.applies(a, input: input, output: output), outputLayout.hwStride == 1 else { return nil }
        tileRows = (output.h + 1) / 2
        tileCols = (output.w + 1) / 2
        paddedRows = 2 * tileRows + 2
        half = tileCols + 1
        inPerGroup = input.c / a.groups
        outPerGroup = output.c / a.groups
        blockRows = max(1, min(tileRows, Self.blockTiles / tileCols))
        blockPitch = blockRows * tileCols + Self.slack
        // The padded plane needs 32-bit offsets; the conv's budget check has bounded the plane.
        guard let padded = Limits.product(input.c, paddedRows, 2 * half), let filters = Limits.product(16, a.groups, (outPerGroup * inPerGroup + Self.slack - 1) / Self.slack * Self.slack),
            let inputs = Limits.product(16, inPerGroup, blockPitch), let products = Limits.product(16, outPerGroup, blockPitch)
        else { return nil }
        paddedSize = padded + 2 * Self.slack
        filterPitch = (outPerGroup * inPerGroup + Self.slack - 1) / Self.slack * Self.slack
        filterSize = filters
        inputSize = inputs
        productSize = products
    }

    /// Floats of working scratch: the padded copy, the filters, a block's inputs and products.
    package var tempSize: Int { Limits.saturatingSum(Limits.saturatingSum(paddedSize, filterSize), Limits.saturatingSum(inputSize, productSize)) }

    /// True when `a` is a 3×3, stride-1, undilated conv with at least `minChannels` channels per
    /// group on both sides and at least `minTiles` tiles.
    package static func applies(_ a: Conv2dAttrs, input: Shape, output: Shape) -> Bool {
        guard a.kernel == 3, a.stride == 1, a.dilation == 1, output.h >= 2, output.w >= 2 else { return false }
        let tiles = ((output.h + 1) / 2) * ((output.w + 1) / 2)
        return input.c / a.groups >= minChannels && output.c / a.groups >= minChannels && tiles >= minTiles
    }
}
