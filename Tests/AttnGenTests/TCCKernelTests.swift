// The tcc tier's asm micro-kernels (Templates/c/*.tcc.c.tmpl) at their tile edges, JIT against
// the interpreter: GEMM panels of six rows with M, N and K off their multiples, k past one packed
// chunk, fewer than six rows of B, a transposed A; attention's two products and softmax
// exponentials; the 1×1 conv's GEMM with a bias; the wide convolution's four-channel tiles with
// taps past one chunk, dilation and groups; the thin products as rows (a matrix times a vector,
// an outer product, a 1×1 conv on 1×1 planes), a mean over H by whole rows and a softmax's
// exponentials in their helper. Each in the SSE and (where the CPU has them) the AVX2/FMA forms.
// On a machine without the asm forms the same blocks run the row-helper forms.

import AttnCEmit
import AttnGen
import AttnIR
import AttnInterp
import AttnJIT
import AttnTemplates
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
    /// X·Xᵀ (the NT kernel: six rows of B a tile, fewer than six alone; rows shorter than 64 as a
    /// transposed panel in the NN kernel), then that times X (the NN kernel: panels of six rows, k
    /// in chunks of 256, the columns past the last vector as a zero-padded tile, A's rows read in
    /// place where every column is in a tile of 16, short panels included).
    @Test(arguments: [
        GEMMCase(m: 1, k: 1), GEMMCase(m: 5, k: 3), GEMMCase(m: 6, k: 4), GEMMCase(m: 7, k: 301), GEMMCase(m: 13, k: 9),
        GEMMCase(m: 12, k: 64), GEMMCase(m: 262, k: 5), GEMMCase(m: 257, k: 8), GEMMCase(m: 7, k: 32), GEMMCase(m: 262, k: 16),
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
        // One output channel a block (attn_wide_taps1): CBAM's 2 → 1 gate, taps past a chunk,
        // depthwise with dilation, odd widths.
        ConvCase(c: 2, h: 13, w: 11, out: 1, kernel: 7, dilation: 1, groups: 1),
        ConvCase(c: 150, h: 5, w: 6, out: 1, kernel: 3, dilation: 1, groups: 1),
        ConvCase(c: 5, h: 9, w: 17, out: 5, kernel: 3, dilation: 2, groups: 5),
        ConvCase(c: 6, h: 7, w: 7, out: 3, kernel: 5, dilation: 1, groups: 3),
    ])
    func conv(_ s: ConvCase) throws {
        try expectClose(Block("tcc_conv", input: .nchw(1, s.c, s.h, s.w)) {
            Conv2D(s.out, kernelSize: s.kernel, dilation: s.dilation, groups: s.groups, param: "conv")
        })
    }

    /// Wide convs without a bias, whose planes go into the padded buffer and out of the wide one
    /// a block of rows per attn_rows_copy under tcc: rows shorter than four (the C loop), of
    /// fours with a tail, past a block of 16, and SK's 28; dense in fours and per tap.
    @Test func wideConvRowCopies() throws {
        for (c, h, w, out, k) in [(4, 5, 3, 4, 3), (8, 6, 28, 8, 3), (4, 7, 21, 8, 5), (3, 9, 18, 2, 3), (8, 4, 1, 4, 3)] {
            try expectClose(Block("tcc_conv_rows", input: .nchw(1, c, h, w)) {
                Conv2D(out, kernelSize: k, bias: false, param: "conv")
            })
        }
    }

    /// The JIT's shared helper library compiles for the CPU's choice and for each forced form,
    /// and a kernel that uses asm helpers links to it instead of carrying them (a library that
    /// failed would fall back to the self-contained source without a word).
    @Test func helperLibraryIsUsed() throws {
        #if arch(x86_64)
        for isa in [nil, 1, 2] as [Int?] {
            #expect(KernelModule.helperLibraryLoads(isa), "ATTN_TCC_ISA \(isa.map(String.init) ?? "from the CPU")")
        }
        let spec = Block("tcc_library", input: .nchw(1, 16, 9, 11)) {
            Conv2D(8, kernelSize: 3, param: "conv")
        }
        let source = try Pipeline.generate(spec, target: .jit).source
        #expect(source.jitKernel.count < source.jitSource.count)
        #expect(source.jitKernel.contains("attn_wide_taps(") && !source.jitKernel.contains("__asm__"))
        try expectClose(spec)
        #endif
    }

    /// attn_transpose's asm form against its plain C, both compiled by tcc: every rows × cols
    /// from 0 to 17 (the 4×4 blocks, two of them and the C edges), with padded leading
    /// dimensions, every element outside the written ones left as it was.
    @Test func transposeHelper() throws {
        #if arch(x86_64)
        let asm = Templates.text("transpose.tcc.c").replacingOccurrences(of: "static void attn_transpose", with: "void asm_transpose")
        let plain = Templates.text("transpose.c").replacingOccurrences(of: "static void attn_transpose", with: "void plain_transpose")
        let module = try TCCModule(source: asm + plain)
        typealias Transpose = @convention(c) (UnsafeMutablePointer<Float>, Int, UnsafePointer<Float>, Int, Int32, Int32) -> Void
        let fast = try module.function("asm_transpose", as: Transpose.self)
        let reference = try module.function("plain_transpose", as: Transpose.self)
        // Every element distinct, so a misplaced one shows.
        let source = (0..<(17 * 20)).map { Float($0) * 0.37 - 20 }
        for rows in 0...17 {
            for cols in 0...17 {
                let (lds, ldd) = (cols + 3, rows + 2)
                var got = [Float](repeating: -7, count: 18 * 20), want = got
                fast(&got, ldd, source, lds, Int32(rows), Int32(cols))
                reference(&want, ldd, source, lds, Int32(rows), Int32(cols))
                #expect(got == want, "\(rows)x\(cols)")
            }
        }
        withExtendedLifetime(module) {}
        #endif
    }

    /// attn_row_copy and attn_row_zero's asm forms against their plain C, lengths 0 to 41 (one
    /// and two blocks of 16, the fours after them, the C tail) from every offset mod 4, nothing
    /// outside the row touched.
    @Test func rowCopyAndZeroHelpers() throws {
        #if arch(x86_64)
        let source = ["row_copy.tcc.c", "row_copy.c", "row_zero.tcc.c", "row_zero.c"].enumerated().map { i, name in
            Templates.text(name).replacingOccurrences(of: "static void attn_", with: "void \(i % 2 == 0 ? "asm" : "plain")_")
        }.joined()
        let module = try TCCModule(source: source)
        typealias Copy = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int32) -> Void
        typealias Zero = @convention(c) (UnsafeMutablePointer<Float>, Int32) -> Void
        let (copy, plainCopy) = (try module.function("asm_row_copy", as: Copy.self), try module.function("plain_row_copy", as: Copy.self))
        let (zero, plainZero) = (try module.function("asm_row_zero", as: Zero.self), try module.function("plain_row_zero", as: Zero.self))
        let x = (0..<48).map { Float($0) * 0.37 - 5 }
        for n in 0...41 {
            for offset in 0..<4 {
                var got = [Float](repeating: -7, count: 48), want = got
                got.withUnsafeMutableBufferPointer { copy($0.baseAddress! + offset, x, Int32(n)) }
                want.withUnsafeMutableBufferPointer { plainCopy($0.baseAddress! + offset, x, Int32(n)) }
                #expect(got == want, "copy \(n) at \(offset)")
                got = x
                want = x
                got.withUnsafeMutableBufferPointer { zero($0.baseAddress! + offset, Int32(n)) }
                want.withUnsafeMutableBufferPointer { plainZero($0.baseAddress! + offset, Int32(n)) }
                #expect(got == want, "zero \(n) at \(offset)")
            }
        }
        withExtendedLifetime(module) {}
        #endif
    }

    /// A helper's tcc form and its plain C in one module, as `asm_<name>` and `plain_<name>`, for
    /// the tests that hold the one to the other.
    static func asmAndPlain<F>(_ name: String, as type: F.Type) throws -> (TCCModule, F, F) {
        let source = ["\(name).tcc.c", "\(name).c"].enumerated().map { i, file in
            Templates.text(file).replacingOccurrences(of: "static void attn_\(name)(", with: "void \(i == 0 ? "asm" : "plain")_\(name)(")
        }.joined()
        let module = try TCCModule(source: source)
        return (module, try module.function("asm_\(name)", as: type), try module.function("plain_\(name)", as: type))
    }

    /// attn_rows_copy's asm form against its plain C: row lengths 0 to 41 (blocks of 16, the
    /// fours after them, the last n % 4 as the row's last four again, the C loop below four),
    /// one to three rows at pitches from the row's length to well past it, from every offset
    /// mod 4 on either side, nothing between or after the rows touched.
    @Test func rowsCopyHelper() throws {
        #if arch(x86_64)
        typealias Copy = @convention(c) (UnsafeMutablePointer<Float>, Int, UnsafePointer<Float>, Int, Int32, Int32) -> Void
        let (module, copy, plain) = try Self.asmAndPlain("rows_copy", as: Copy.self)
        let x = (0..<200).map { Float($0) * 0.37 - 5 }
        var checked = 0
        for n in 0...41 {
            for rows in 1...3 {
                for (extraY, extraX) in [(0, 0), (3, 5), (7, 1)] {
                    for (offsetY, offsetX) in [(0, 0), (1, 2), (2, 3), (3, 1)] {
                        let (ys, xs) = (n + extraY, n + extraX)
                        var got = [Float](repeating: -7, count: 200), want = got
                        x.withUnsafeBufferPointer { xp in
                            got.withUnsafeMutableBufferPointer { copy($0.baseAddress! + offsetY, ys, xp.baseAddress! + offsetX, xs, Int32(n), Int32(rows)) }
                            want.withUnsafeMutableBufferPointer { plain($0.baseAddress! + offsetY, ys, xp.baseAddress! + offsetX, xs, Int32(n), Int32(rows)) }
                        }
                        #expect(got == want, "copy \(rows) rows of \(n) at pitches \(ys), \(xs), offsets \(offsetY), \(offsetX)")
                        // The plain form wrote the rows themselves, not the same nothing.
                        if n > 0 { #expect(want[offsetY + (rows - 1) * ys + n - 1] == x[offsetX + (rows - 1) * xs + n - 1]) }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 42 * 3 * 3 * 4)
        withExtendedLifetime(module) {}
        #endif
    }

    /// attn_row_deinterleave's asm form against its plain C, lengths 0 to 41 (blocks of eight in,
    /// the pairs after them, an odd last float) from every offset mod 4, nothing else touched.
    @Test func rowDeinterleaveHelper() throws {
        #if arch(x86_64)
        typealias Split = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int32) -> Void
        let (module, split, plain) = try Self.asmAndPlain("row_deinterleave", as: Split.self)
        let x = (0..<48).map { Float($0) * 0.37 - 5 }
        for n in 0...41 {
            for offset in 0..<4 {
                var (even, odd) = ([Float](repeating: -7, count: 28), [Float](repeating: -9, count: 28))
                var (wantEven, wantOdd) = (even, odd)
                even.withUnsafeMutableBufferPointer { e in
                    odd.withUnsafeMutableBufferPointer { o in split(e.baseAddress! + offset, o.baseAddress! + offset, x, Int32(n)) }
                }
                wantEven.withUnsafeMutableBufferPointer { e in
                    wantOdd.withUnsafeMutableBufferPointer { o in plain(e.baseAddress! + offset, o.baseAddress! + offset, x, Int32(n)) }
                }
                #expect(even == wantEven && odd == wantOdd, "deinterleave \(n) at \(offset)")
                #expect(wantEven[offset..<(offset + (n + 1) / 2)].elementsEqual(stride(from: 0, to: n, by: 2).map { x[$0] }))
            }
        }
        withExtendedLifetime(module) {}
        #endif
    }

    /// attn_row_spread's asm form against its plain C: factors 1 to 9 (the unpack pair at 2, the
    /// broadcast at multiples of four, C for the rest), lengths 0 to 21 from every offset mod 4,
    /// each source float f times and nothing past the row touched.
    @Test func rowSpreadHelper() throws {
        #if arch(x86_64)
        typealias Spread = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int32, Int32) -> Void
        let (module, spread, plain) = try Self.asmAndPlain("row_spread", as: Spread.self)
        let x = (0..<24).map { Float($0) * 0.37 - 5 }
        for f in 1...9 {
            for n in 0...21 {
                for offset in 0..<4 {
                    var got = [Float](repeating: -7, count: 4 + 21 * 9 + 4)
                    var want = got
                    got.withUnsafeMutableBufferPointer { spread($0.baseAddress! + offset, x, Int32(n), Int32(f)) }
                    want.withUnsafeMutableBufferPointer { plain($0.baseAddress! + offset, x, Int32(n), Int32(f)) }
                    #expect(got == want, "spread \(n) by \(f) at \(offset)")
                    #expect(want[offset..<(offset + n * f)].elementsEqual((0..<(n * f)).map { x[$0 / f] }))
                    #expect(want[(offset + n * f)...].allSatisfy { $0 == -7 } && want[..<offset].allSatisfy { $0 == -7 })
                }
            }
        }
        withExtendedLifetime(module) {}
        #endif
    }

    /// Stride-2 wide convs, whose padded copy takes attn_row_deinterleave under tcc: depthwise
    /// (per-tap axpys) and dense in fours (attn_wide_taps), even and odd widths, paddings 0 to 2.
    @Test func stridedConvs() throws {
        for (c, h, w, out, k, pad, groups) in [(4, 9, 14, 4, 3, 1, 4), (3, 8, 13, 6, 3, 0, 3), (4, 7, 19, 8, 5, 2, 1), (2, 6, 9, 2, 3, 1, 1)] {
            try expectClose(Block("tcc_conv_s2", input: .nchw(1, c, h, w)) {
                Conv2D(out, kernelSize: k, padding: pad, stride: 2, groups: groups, param: "conv")
            })
        }
    }

    /// Convs along one axis, one attn_row_axpy per tap under tcc: along H over whole shifted
    /// planes, along W per row; pooled strips (ELA's) and full planes, kernels longer than the
    /// axis, with and without a bias.
    @Test func axisConvs() throws {
        for (h, w, k, bias) in [(9, 1, 7, true), (1, 13, 7, false), (5, 6, 3, true), (3, 2, 5, false), (11, 9, 9, true)] {
            for axis in [LayerAxis.h, .w] {
                try expectClose(Block("tcc_axis_conv", input: .nchw(2, 3, h, w)) {
                    AxisConv1D(kernelSize: k, axis: axis, bias: bias, param: "conv")
                })
            }
        }
    }

    /// Transposes that take attn_transpose under tcc (a strided innermost read, a dense
    /// innermost write) or one attn_row_copy per row (both dense), with extents on and off their
    /// blocks and an outer axis; and the plain mean-and-max channel pools as
    /// attn_row_scale_sum_max rows, planes 1 to 17 long.
    @Test(arguments: [8, 9, 12, 17])
    func transposeAndChannelPools(_ h: Int) throws {
        for w in [8, 13] {
            try expectClose(Block("tcc_transpose", input: .nchw(1, 3, h, w)) {
                Primitive(.transpose([0, 1, 3, 2]), "x")
            })
            try expectClose(Block("tcc_transpose_c", input: .nchw(1, w, h, 8)) {
                Primitive(.transpose([0, 3, 2, 1]), "x")
            })
            try expectClose(Block("tcc_transpose_rows", input: .nchw(1, 3, w, h)) {
                Primitive(.transpose([0, 2, 1, 3]), "x")
            })
        }
        for plane in 1...17 where plane % 4 == h % 4 {
            try expectClose(Block("tcc_channel_pools", input: .nchw(1, h, 1, plane)) {
                ChannelPool(.mean, of: "x").named("a")
                ChannelPool(.max, of: "x").named("m")
                Concat("a", "m")
            })
        }
    }

    /// HaloNet's block unfold as row copies (inside the plane, zeros around it, windows wholly
    /// outside, unpadded), and BAT's block products as zeroed rows plus axpys (left) or strided
    /// axpys down block columns (right), rows of lengths on and off the helpers' blocks.
    @Test func blockUnfoldAndBlockProduct() throws {
        for (h, w, window, step, pad) in [(16, 16, 8, 8, 0), (16, 16, 12, 8, 2), (8, 8, 6, 4, 1), (9, 11, 5, 3, 2), (5, 6, 4, 1, 3)] {
            try expectClose(Block("tcc_unfold", input: .nchw(1, 3, h, w)) {
                Primitive(.blockUnfold(window: window, step: step, padding: pad), "x")
            })
        }
        for (c, groups, h, w, b) in [(4, 2, 12, 12, 3), (2, 1, 10, 5, 5), (3, 3, 8, 8, 4)] {
            try expectClose(Block("tcc_block_left", input: .nchw(1, c, h, w)) {
                Primitive(.parameter(param: "m", shape: [1, groups, b, b])).named("M")
                Primitive(.blockMatmul(.left), "x", "M")
            })
            // Right: block columns t = W / b wide, under, at and over one vector of four.
            try expectClose(Block("tcc_block_right", input: .nchw(1, c, w, h)) {
                Primitive(.parameter(param: "m", shape: [1, groups, b, b])).named("M")
                Primitive(.blockMatmul(.right), "x", "M")
            })
        }
        try expectClose(Block("tcc_block_right_wide", input: .nchw(1, 2, 3, 18)) {
            Primitive(.parameter(param: "m", shape: [1, 1, 2, 2])).named("M")
            Primitive(.blockMatmul(.right), "x", "M")
        })
    }

    /// A softmax along contiguous rows: its exponentials and their sum in attn_row_exp_sum (eight,
    /// then four at a time, then a padded tail) at every length up to two blocks of eight and nine.
    @Test func softmaxRows() throws {
        for w in 1...25 {
            try expectClose(thinBlock(h: 3, w: w))
        }
    }

    /// Softmax's cut (SoftmaxCut): attn_row_exp_sum's forms clear exactly the exponentials below
    /// it and keep the others within float rounding of expf, so no probability of the row comes
    /// out subnormal; then whole rows through the tcc tier (each ISA), the gcc tier and the
    /// interpreter, spread so that without the cut some probabilities would be subnormal (a
    /// multiply-add on one takes a microcode assist on Intel cores).
    @Test func softmaxCutKeepsProbabilitiesNormal() throws {
        #if arch(x86_64)
        for isa in tccISAs {
            let source = "#define ATTN_TCC_ISA \(isa)\n" + (Templates.text("tcc_isa.tcc.c") + VEX.expand(Templates.text("row_exp_sum.tcc.c")))
                .replacingOccurrences(of: "static float attn_row_exp_sum(", with: "float attn_row_exp_sum(")
            let module = try TCCModule(source: source)
            typealias ExpSum = @convention(c) (UnsafeMutablePointer<Float>, Float, Int32) -> Float
            let expSum = try module.function("attn_row_exp_sum", as: ExpSum.self)
            for n in [1, 3, 7, 8, 13, 64, 200, 1000] {
                let cut = SoftmaxCut.cut(count: n)
                // Differences from the max 0 down past -100, crossing the cut, plus its neighbours.
                var d = (0..<n).map { -Float($0) * (n > 1 ? 110 / Float(n - 1) : 0) }
                if n >= 8 { (d[1], d[2], d[3]) = (cut, cut.nextDown, cut.nextUp) }
                var s = d.map { $0 + 3 }
                let sum = expSum(&s, 3, Int32(n))
                var want = 0.0
                for (i, x) in d.enumerated() {
                    // The row's values less its max, as the form computes them.
                    let di = (x + 3) - 3
                    if di < cut {
                        #expect(s[i] == 0, "ISA \(isa), n \(n): e^\(di) below the cut \(cut) gave \(s[i])")
                    } else {
                        let e = expf(di)
                        want += Double(e)
                        #expect(abs(s[i] - e) <= 4e-7 * e, "ISA \(isa), n \(n): e^\(di) gave \(s[i]), expf \(e)")
                        #expect(s[i] / sum >= Float.leastNormalMagnitude, "ISA \(isa), n \(n): probability \(s[i] / sum) of e^\(di)")
                    }
                }
                #expect(abs(Double(sum) - want) <= 1e-6 * want, "ISA \(isa), n \(n): sum \(sum), want \(want)")
            }
        }
        #endif
        // Rows of 300 whose spread (-0.5 per element) sends a tail of each row past the cut.
        let spec = Block("softmax_cut", input: .nchw(1, 2, 3, 300)) { Softmax(.w) }
        let input = (0..<1800).map { -Float($0 % 300) * 0.5 + Float($0 / 300) }
        for isa in tccISAs {
            let kernel = try Kernel(spec, weights: .random(seed: 3), tccISA: isa)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let (layout, shape) = (kernel.layout, kernel.program.outputShape)
            let x = try layout.fromNCHW(input, kernel.program.input)
            let tiers: [(String, [Float])] = [
                ("tcc ISA \(isa)", try layout.toNCHW(try kernel(x), shape)),
                ("gcc", try layout.toNCHW(try NativeKernel(sameAs: kernel, useCache: false)(x), shape)),
            ]
            for (tier, y) in tiers {
                #expect(!y.contains { $0 != 0 && abs($0) < Float.leastNormalMagnitude }, "\(tier): a subnormal probability")
                for (i, (a, b)) in zip(y, reference).enumerated() where (a == 0) != (b == 0) || abs(a - b) > 1e-6 {
                    Issue.record("\(tier), element \(i): \(a), the interpreter \(b)")
                    break
                }
            }
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

    /// attn_row_sum, attn_row_sq_dev, attn_row_sum_max and attn_row_scale (their 4-float blocks
    /// past the last 16), attn_row_norm and
    /// attn_rows_sum (SSE: four rows at a time, the group past the last row, the C tails; AVX2:
    /// a row at a time, its masked tail), under both ISAs where the CPU has AVX2, against
    /// sums in Double, lengths 0 to 41, 0 to 9 rows; nothing outside the written floats touched.
    @Test func reductionHelpers() throws {
        #if arch(x86_64)
        for isa in tccISAs {
            // Each form as the library has it (VEX lines as bytes, after the CPU check), forced.
            let forms = ["row_sum", "row_sq_dev", "row_sum_max", "row_scale", "row_norm", "rows_sum"].map { VEX.expand(Templates.text("\($0).tcc.c")) }
            let source = "#define INFINITY (1.0f / 0.0f)\n#define ATTN_TCC_ISA \(isa)\n" + (Templates.text("tcc_isa.tcc.c") + forms.joined())
                .replacingOccurrences(of: "static ", with: "")
            let module = try TCCModule(source: source)
            typealias Sum = @convention(c) (UnsafePointer<Float>, Int32) -> Float
            typealias SqDev = @convention(c) (UnsafePointer<Float>, Float, Int32) -> Float
            typealias Norm = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Float, Float, Float, Int32) -> Void
            typealias RowsSum = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int32, Int32, Float) -> Void
            let sum = try module.function("attn_row_sum", as: Sum.self)
            let sqDev = try module.function("attn_row_sq_dev", as: SqDev.self)
            let norm = try module.function("attn_row_norm", as: Norm.self)
            let rowsSum = try module.function("attn_rows_sum", as: RowsSum.self)
            typealias SumMax = @convention(c) (UnsafePointer<Float>, Int32, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
            typealias Scale = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Float, Int32) -> Void
            let sumMax = try module.function("attn_row_sum_max", as: SumMax.self)
            let scale = try module.function("attn_row_scale", as: Scale.self)
            let x = (0..<400).map { Float(($0 * 37) % 101) * 0.03 - 1.2 }
            let close = { (a: Float, b: Double) in abs(Double(a) - b) <= 1e-5 * max(1, abs(b)) }
            for n in 0...41 {
                let row = x[3..<(3 + n)].map(Double.init)
                let m = Float(0.25)
                #expect(close(sum(Array(x[3...]), Int32(n)), row.reduce(0, +)), "row_sum \(n)")
                #expect(close(sqDev(Array(x[3...]), m, Int32(n)), row.map { ($0 - Double(m)) * ($0 - Double(m)) }.reduce(0, +)), "row_sq_dev \(n)")
                var y = [Float](repeating: -7, count: 48)
                norm(&y, Array(x[3...]), m, 1.5, -0.5, Int32(n))
                let want = (0..<48).map { $0 < n ? (x[3 + $0] - m) * 1.5 + -0.5 : -7 }
                #expect(y == want, "row_norm \(n)")
                var (s, mx) = (Float(0), Float(0))
                sumMax(Array(x[3...]), Int32(n), &s, &mx)
                #expect(close(s, row.reduce(0, +)) && mx == x[3..<(3 + n)].reduce(-Float.infinity) { $1 > $0 ? $1 : $0 }, "row_sum_max \(n)")
                y = [Float](repeating: -7, count: 48)
                scale(&y, Array(x[3...]), 1.5, Int32(n))
                #expect(y == (0..<48).map { $0 < n ? 1.5 * x[3 + $0] : -7 }, "row_scale \(n)")
                for rows in 0...9 {
                    var means = [Float](repeating: -7, count: 12)
                    rowsSum(&means, Array(x[5...]), Int32(rows), Int32(n), 3)
                    for r in 0..<12 {
                        let expected = r < rows ? x[(5 + r * n)..<(5 + r * n + n)].map(Double.init).reduce(0, +) / 3 : -7
                        #expect(close(means[r], expected), "rows_sum \(rows)x\(n) row \(r)")
                    }
                }
            }
            withExtendedLifetime(module) {}
        }
        #endif
    }

    /// CBAM's pass helpers' asm forms (SSE, and the AVX2 blocks of 16 before it) against their
    /// plain C, both compiled by tcc: the same bits, lengths 0 to 70 from every offset mod 4, with
    /// a NaN, ±0 and ±inf in the rows, nothing past the row touched.
    @Test func cbamPassHelpers() throws {
        #if arch(x86_64)
        for isa in tccISAs {
            let forms = ["row_scale_sum_max", "row_scale_mul"].map {
                VEX.expand(Templates.text("\($0).tcc.c")).replacingOccurrences(of: "static void attn_", with: "void asm_")
                    + Templates.text("\($0).c").replacingOccurrences(of: "static void attn_", with: "void plain_")
            }
            let source = "#define INFINITY (1.0f / 0.0f)\n#define ATTN_TCC_ISA \(isa)\n" + Templates.text("tcc_isa.tcc.c") + forms.joined()
            let module = try TCCModule(source: source)
            typealias SumMax = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Float, Int32) -> Void
            typealias Mul = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Float, UnsafePointer<Float>, Int32) -> Void
            let (sumMax, plainSumMax) = (try module.function("asm_row_scale_sum_max", as: SumMax.self), try module.function("plain_row_scale_sum_max", as: SumMax.self))
            let (mul, plainMul) = (try module.function("asm_row_scale_mul", as: Mul.self), try module.function("plain_row_scale_mul", as: Mul.self))
            var rng = SplitMix64(seed: 29)
            var x = (0..<80).map { _ in Float(rng.next() % 2001) * 0.01 - 10 }
            for (i, v) in [(5, Float.nan), (23, -0.0), (40, 0.0), (41, .infinity), (66, -.infinity)] { x[i] = v }
            let s0 = (0..<80).map { _ in Float(rng.next() % 1001) * 0.01 - 5 }
            let m0 = (0..<80).map { _ in Float(rng.next() % 1001) * 0.01 - 5 }
            let bits = { (a: [Float]) in a.map(\.bitPattern) }
            for n in 0...70 {
                for offset in 0..<4 {
                    var (s, m, ps, pm) = (s0, m0, s0, m0)
                    s.withUnsafeMutableBufferPointer { sb in m.withUnsafeMutableBufferPointer { mb in
                        sumMax(sb.baseAddress! + offset, mb.baseAddress! + offset, Array(x[offset...]), 0.7, Int32(n)) } }
                    ps.withUnsafeMutableBufferPointer { sb in pm.withUnsafeMutableBufferPointer { mb in
                        plainSumMax(sb.baseAddress! + offset, mb.baseAddress! + offset, Array(x[offset...]), 0.7, Int32(n)) } }
                    #expect(bits(s) == bits(ps) && bits(m) == bits(pm), "row_scale_sum_max \(n) at \(offset), ATTN_TCC_ISA \(isa)")
                    var (y, py) = ([Float](repeating: -7, count: 80), [Float](repeating: -7, count: 80))
                    y.withUnsafeMutableBufferPointer { mul($0.baseAddress! + offset, Array(x[offset...]), 0.7, Array(s0[offset...]), Int32(n)) }
                    py.withUnsafeMutableBufferPointer { plainMul($0.baseAddress! + offset, Array(x[offset...]), 0.7, Array(s0[offset...]), Int32(n)) }
                    #expect(bits(y) == bits(py), "row_scale_mul \(n) at \(offset), ATTN_TCC_ISA \(isa)")
                }
            }
            withExtendedLifetime(module) {}
        }
        #endif
    }

    /// attn_wide_taps1 (one output channel's taps in registers) against the sums in Swift: tap
    /// counts past one chunk of 128, tile counts of 64 and 32 pixels and lengths off the tiles.
    @Test func oneChannelTapsHelper() throws {
        #if arch(x86_64)
        for isa in tccISAs {
            let source = "#define ATTN_TCC_ISA \(isa)\n" + (Templates.text("tcc_isa.tcc.c") + VEX.expand(Templates.text("wide_taps1.tcc.c")))
                .replacingOccurrences(of: "static void attn_wide_taps1(", with: "void attn_wide_taps1(")
            let module = try TCCModule(source: source)
            typealias Taps = @convention(c) (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, UnsafePointer<Float>, UnsafePointer<Int32>, Int) -> Void
            let taps1 = try module.function("attn_wide_taps1", as: Taps.self)
            var rng = SplitMix64(seed: 31)
            let x = (0..<1200).map { _ in Float(rng.next() % 2001) * 0.001 - 1 }
            for (taps, n) in [(1, 32), (7, 16), (49, 288), (98, 96), (130, 64), (300, 160), (9, 40), (3, 0), (5, 7)] {
                let w = (0..<taps).map { _ in Float(rng.next() % 2001) * 0.001 - 1 }
                let off = (0..<taps).map { _ in Int32(rng.next() % 900) }
                let start = (0..<n + 8).map { _ in Float(rng.next() % 101) * 0.01 }
                var wide = start
                taps1(&wide, w, taps, x, off, n)
                for t in 0..<(n + 8) {
                    var want = Double(start[t])
                    if t < n { for j in 0..<taps { want += Double(w[j]) * Double(x[t + Int(off[j])]) } }
                    #expect(abs(Double(wide[t]) - want) <= 1e-4 * max(1, abs(want)), "taps \(taps) n \(n) t \(t), ATTN_TCC_ISA \(isa)")
                }
            }
            withExtendedLifetime(module) {}
        }
        #endif
    }

    /// Channel convs (ECA's, the multi-scale excitation's) as one attn_row_axpy per tap under
    /// tcc: zero and circular padding, kernels up to wider than C, C from 1 up, N = 2.
    @Test func channelConvs() throws {
        for (c, k) in [(1, 3), (2, 5), (3, 3), (7, 5), (16, 9), (40, 7), (5, 1)] {
            for padding in ChannelPaddingKind.allCases where padding == .zeros || k <= 2 * c + 1 {
                try expectClose(Block("tcc_channel_conv", input: .nchw(2, c, 3, 5)) {
                    GlobalPool(.mean)
                    ChannelConv1D(kernelSize: k, param: "conv", padding: padding)
                    Sigmoid()
                    Multiply("x")
                })
            }
        }
    }

    /// The norms' tcc rows: InstanceNorm by attn_row_norm, GroupNorm's statistics over each
    /// group's span and its rows with the affine folded in (one and two groups, with and without
    /// the affine), and a mean over W by attn_rows_sum, at widths on and off the blocks of four.
    @Test(arguments: [1, 3, 4, 7, 9, 17])
    func normsAndRowMeans(_ w: Int) throws {
        /// The block checked, after its JIT kernel is seen to call `helper` where tcc has asm.
        func expectRows(_ spec: BlockSpec, _ helper: String?) throws {
            #if arch(x86_64)
            if let helper { #expect(try Pipeline.generate(spec, target: .jit).source.jitKernel.contains("\(helper)("), "\(spec.name): no \(helper)") }
            #endif
            try expectClose(spec)
        }
        try expectRows(Block("tcc_instance_norm", input: .nchw(2, 3, 5, w)) {
            Primitive(.instanceNorm(eps: 1e-5), "x")
        }, "attn_row_norm")
        for (groups, param) in [(1, "gn" as String?), (2, "gn"), (4, nil)] {
            try expectRows(Block("tcc_group_norm", input: .nchw(2, 4, 3, w)) {
                GroupNorm(groups: groups, param: param)
            }, "attn_row_norm")
        }
        try expectRows(Block("tcc_mean_w", input: .nchw(2, 3, 6, w)) {
            Primitive(.axisPool(.mean, axis: .w), "x")
            Sigmoid()
            Multiply("x")
        }, w > 1 ? "attn_rows_sum" : nil)
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
