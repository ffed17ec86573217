// The plan of a stride-1 convolution whose window spans most of the plane (a (2H−1)×(2W−1)
// kernel over an H×W plane, as timm's LambdaLayer's relative-position lambdas are when written
// as a conv; the lambda kind itself now reassociates them, `Op.relPosWeights`). The wide form would
// run every tap over the whole padded plane, most of it zero padding; here the sums are GEMMs.
// With one input channel per group, output row oy of channel o for every sample n is
//     out[n, o, oy, :] = Σ_(y, x) x[n, y, x] · w[o, y − oy + pad, x − ox + pad]   (per ox),
// i.e. the samples' planes (N × H·W) times a (H·W) × OW matrix whose block for input row y is
// the Toeplitz matrix T_kh[x][ox] = w[o, kh, x − ox + pad] of kernel row kh = y − oy + pad
// (zero where a tap falls outside the kernel). Laying out the bands T_kh of channel o for every
// kh that any output row meets, in order of kh, makes each output row's matrix one contiguous
// run of H bands: one GEMM per output channel and row, and no multiply-add outside the plane.

import AttnIR

package struct ToeplitzConv {
    /// Kernel rows any output row meets: kh from `firstKernelRow` on, H + OH − 1 of them.
    package let bands: Int
    package let firstKernelRow: Int
    /// Floats of one band (W × OW).
    package let bandSize: Int
    /// Floats of a kernel row reversed between OW zeros on either side: each band row is one
    /// contiguous run of it.
    package let reversedRowSize: Int

    /// One output channel's bands, built before its GEMMs, then the reversed row.
    package var tempSize: Int { bands * bandSize + reversedRowSize }

    /// The plan for `a` on `input` → `output`, or nil when another form is cheaper or does not
    /// apply: strides, dilations, several input channels per group (their bands would not line
    /// up at one pitch), output rows that are not contiguous, or a window small next to the
    /// plane (the GEMMs' multiply-adds, every input pixel for every output pixel, must be at
    /// most half the wide form's).
    package init?(_ a: Conv2dAttrs, input: Shape, output: Shape, outputLayout: Layout) {
        guard a.stride == 1, a.dilation == 1, input.c == a.groups, outputLayout.hwStride == 1, WideConv.applies(a, output: output) else {
            return nil
        }
        let pitch = input.w + 2 * a.padding
        let wideLength = (output.h - 1) * pitch + output.w
        guard let gemm = Limits.product(2, output.h, input.plane, output.w), let wide = Limits.product(a.kernel, a.kernel, wideLength),
            gemm <= wide
        else { return nil }
        bands = input.h + output.h - 1
        firstKernelRow = a.padding - (output.h - 1)
        bandSize = input.w * output.w
        reversedRowSize = a.kernel + 2 * output.w
    }
}
