// The plan of a stride-1 convolution computed over "wide" rows. The input plane is (if needed)
// copied zero-padded into scratch, with row pitch PW = W + 2·padding; then output pixel (y, x)
// sits at y·PW + x of a wide buffer, and every tap (i, kh, kw) adds w · (the padded plane
// shifted by kh·d rows and kw·d columns) to the whole buffer in ONE contiguous axpy of
// (OH−1)·PW + OW floats. The columns x ≥ OW are garbage and are dropped when the buffer is
// copied out. Compared with one axpy per output row and tap, calls drop by a factor of OH and
// each is long enough for the row helpers' vector loops (tcc's packed SSE, gcc's -O3 code).

import AttnIR

struct WideConv {
    /// Padded plane extents.
    let rows: Int
    let pitch: Int
    /// Floats of the zero-padded copy of the input (0 when the input is read in place).
    let paddedSize: Int
    /// Floats of the wide accumulator: (OH − 1)·PW + OW.
    let wideLength: Int

    var tempSize: Int { paddedSize + wideLength }
    var copiesInput: Bool { paddedSize > 0 }

    /// The plan for `a` on `input` → `output`, or nil when the per-row form is kept: strided
    /// convs, and convs with few output channels (CBAM's 2 → 1 spatial gate), where the padded
    /// copy and the wide buffer would cost more scratch than they save.
    init?(_ a: Conv2dAttrs, input: Shape, output: Shape, inputLayout: Layout) {
        guard a.stride == 1, a.kernel > 1, output.c >= 4 else { return nil }
        let dense = inputLayout.hwStride == 1 && (input.c == 1 || inputLayout.cStride == input.plane)
        rows = input.h + 2 * a.padding
        pitch = input.w + 2 * a.padding
        paddedSize = a.padding == 0 && dense ? 0 : input.c * rows * pitch
        wideLength = (output.h - 1) * pitch + output.w
    }
}
