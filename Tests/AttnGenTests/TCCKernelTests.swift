// The tcc tier's asm micro-kernels (Templates/c/*.tcc.c.tmpl) at their tile edges, JIT against
// the interpreter: GEMM panels of six rows with M, N and K off their multiples, k past one packed
// chunk, fewer than six rows of B, a transposed A; attention's two products and softmax
// exponentials; the 1×1 conv's GEMM with a bias; the wide convolution's four-channel tiles with
// taps past one chunk, dilation and groups; the thin products as rows (a matrix times a vector,
// an outer product, a 1×1 conv on 1×1 planes), a mean over H by whole rows and a softmax's
// exponentials in their helper. Each in the SSE and (where the CPU has them) the AVX2/FMA forms.
// On a machine without the asm forms the same blocks run the row-helper forms.

import AttnGen
import Foundation
import Testing

struct GEMMCase: CustomStringConvertible, Sendable {
    let m, k: Int
    var description: String { "\(m)x\(k)" }
}

struct ConvCase: CustomStringConvertible, Sendable {
    let c, h, w, out, kernel, dilation, groups: Int
    var description: String { "\(c)x\(h)x\(w)->\(out) k\(kernel) d\(dilation) g\(groups)" }
}

/// The micro-kernels' forms this CPU runs: SSE always, AVX2/FMA where cpuinfo lists both.
private let tccISAs: [Int] = {
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") }
    let words = Set(flags?.split(separator: " ").map(String.init) ?? [])
    return words.isSuperset(of: ["avx2", "fma"]) ? [1, 2] : [1]
}()

/// Each form of the micro-kernels (forced, not chosen by cpuid) against the interpreter.
private func expectClose(_ spec: BlockSpec, seed: UInt64 = 11) throws {
    for isa in tccISAs {
        let kernel = try Kernel(spec, weights: .random(seed: seed), tccISA: isa)
        let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: seed &+ 1))
        #expect(result.passed, "ATTN_TCC_ISA \(isa): \(result)")
    }
}

@Suite struct TCCKernelTests {
    /// X·Xᵀ (the NT kernel: six rows of B a tile, fewer than six alone), then that times X (the
    /// NN kernel: panels of six rows, k in chunks of 256, columns past the last vector in C).
    @Test(arguments: [
        GEMMCase(m: 1, k: 1), GEMMCase(m: 5, k: 3), GEMMCase(m: 6, k: 4), GEMMCase(m: 7, k: 301), GEMMCase(m: 13, k: 9),
        GEMMCase(m: 12, k: 64), GEMMCase(m: 262, k: 5), GEMMCase(m: 257, k: 8),
    ])
    func gramThenProduct(_ g: GEMMCase) throws {
        let (m, k) = (g.m, g.k)
        try expectClose(Block("tcc_gemm", input: .nchw(1, m, 1, k)) {
            Primitive(.reshape([1, 1, m, k]), "x").named("X")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 0.5), "X", "X").named("E")
            Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "E", "X")
            Primitive(.reshape([1, m, 1, k]))
        })
        // Xᵀ·X: A read down its columns, alpha on the finished sums.
        try expectClose(Block("tcc_gemm_ta", input: .nchw(1, m, 1, k)) {
            Primitive(.reshape([1, 1, m, k]), "x").named("X")
            Primitive(.matmul(transposeA: true, transposeB: false, alpha: 0.25), "X", "X")
            Primitive(.reshape([1, k, 1, k]))
        })
    }

    /// Scores (NN: query rows by keys), their exponentials four at a time (every key count mod 4)
    /// and outputs (NT: value rows by a block of queries), with d, keys and the last block of
    /// queries off every tile size.
    @Test(arguments: [
        GEMMCase(m: 1, k: 1), GEMMCase(m: 7, k: 53), GEMMCase(m: 8, k: 16), GEMMCase(m: 13, k: 70), GEMMCase(m: 3, k: 31),
    ])
    func attention(_ g: GEMMCase) throws {
        let (d, keys) = (g.m, g.k)
        try expectClose(Block("tcc_attention", input: .nchw(1, 2 * d, 1, keys)) {
            Primitive(.reshape([1, 2, d, keys]), "x").named("q")
            Primitive(.attention(scale: 0.5), "q", "q", "q")
            Primitive(.reshape([1, 2 * d, 1, keys]))
        })
    }

    /// A 1×1 conv as one GEMM with a bias: whole panels straight to C, a last partial panel,
    /// k in two chunks.
    @Test(arguments: [
        ConvCase(c: 300, h: 5, w: 7, out: 13, kernel: 1, dilation: 1, groups: 1),
        ConvCase(c: 24, h: 4, w: 4, out: 12, kernel: 1, dilation: 1, groups: 1),
        ConvCase(c: 8, h: 3, w: 5, out: 4, kernel: 1, dilation: 1, groups: 2),
        // Wide convs: taps past one chunk of 128, four-channel tiles, dilation, groups, and
        // channels not in fours (the per-tap form).
        ConvCase(c: 16, h: 9, w: 11, out: 8, kernel: 3, dilation: 1, groups: 1),
        ConvCase(c: 3, h: 7, w: 5, out: 4, kernel: 5, dilation: 1, groups: 1),
        ConvCase(c: 8, h: 10, w: 13, out: 8, kernel: 3, dilation: 2, groups: 2),
        ConvCase(c: 6, h: 6, w: 6, out: 6, kernel: 3, dilation: 1, groups: 1),
        ConvCase(c: 40, h: 14, w: 14, out: 12, kernel: 7, dilation: 1, groups: 1),
    ])
    func conv(_ s: ConvCase) throws {
        try expectClose(Block("tcc_conv", input: .nchw(1, s.c, s.h, s.w)) {
            Conv2D(s.out, kernelSize: s.kernel, dilation: s.dilation, groups: s.groups, param: "conv")
        })
    }

    /// A softmax along contiguous rows: its exponentials and their sum in attn_row_exp_sum (eight,
    /// then four at a time, then a padded tail) at every length up to two blocks of eight and nine.
    @Test func softmaxRows() throws {
        for w in 1...25 {
            try expectClose(thinBlock(h: 3, w: w))
        }
    }

    /// The thin products' row forms: a matrix times a vector, an outer product, and a 1×1 conv
    /// on 1×1 planes (dense and grouped) at lengths around the row helpers' blocks.
    @Test(arguments: [1, 3, 4, 7, 8, 9, 16, 17, 25, 40])
    func thinProducts(_ c: Int) throws {
        try expectClose(thinBlock(h: c, w: 1))
    }

    /// The mean over H as whole rows added by attn_row_axpy, at widths around its blocks of four
    /// and eight, gated back onto the input so every column is read.
    @Test(arguments: [1, 3, 4, 8, 9, 17, 25])
    func meanOverRows(_ w: Int) throws {
        try expectClose(Block("tcc_strip", input: .nchw(2, 3, 5, w)) {
            Primitive(.axisPool(.mean, axis: .h), "x")
            Sigmoid()
            Multiply("x")
        })
    }
}

/// A column's outer product with itself (k = 1), a softmax along its rows, that times the column
/// (one output column), then 1×1 convs on the 1×1 planes: dense, and grouped where C is even.
func thinBlock(h: Int, w: Int) -> BlockSpec {
    let c = h * w
    return Block("tcc_thin", input: .nchw(1, c, 1, 1)) {
        Primitive(.reshape([1, 1, c, 1]), "x").named("col")
        Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "col", "col")
        Softmax(.w)
        Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "_", "col")
        Primitive(.reshape([1, c, 1, 1]))
        Conv2D(c, kernelSize: 1, param: "dense")
        Conv2D(c, kernelSize: 1, groups: c % 2 == 0 ? 2 : 1, bias: false, param: "grouped")
        Primitive(.reshape([1, 1, h, w]))
        Softmax(.w)
        Primitive(.reshape([1, c, 1, 1]))
    }
}
