// tcc's chunked form of the fused elementwise maps (Templates/c/row_map.tcc.c.tmpl): every op of
// `attn_row_map` at each length from 0 to past two chunks, against the scalar C it replaces,
// with NaN, ±inf, ±0 and the exponential's overflow and underflow among the inputs; then every
// elementwise op through a JIT-compiled block against the interpreter, on a row long enough to
// chunk and with invariant operands (a channel's gate, a per-channel affine).

@testable import AttnCEmit
import AttnGen
import AttnJIT
import AttnTemplates
import Foundation
import Testing

/// The scalar loop of each op code, as the maps' scalar form writes it; the exact ones must
/// match bit for bit, the exponentials within a few float spacings.
private let rowMapReference = """
    float expf(float);
    float tanhf(float);
    float sqrtf(float);
    static float reference(const float *a, const float *b, float s, int op, int i)
    {
        const float x = a[i];
        float r;
        switch (op) {
        case 0: return x + b[i];
        case 1: return x - b[i];
        case 2: return x * b[i];
        case 3: return x + s;
        case 4: return x - s;
        case 5: return s - x;
        case 6: return x * s;
        case 7: return x < 0.0f ? 0.0f : x;
        case 8: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
        case 9: r = x + 3.0f; return (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
        case 10: r = x + 3.0f; return x * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
        case 11: return x < 0.0f ? s * x : x;
        case 12: return 1.0f / (1.0f + expf(-x));
        case 13: return x / (1.0f + expf(-x));
        case 14: return tanhf(x);
        case 15: return sqrtf(x);
        case 16: return x / s;
        case 17: r = x * s; return r + b[i];
        default: r = x * b[i]; return r * s;
        }
    }
    static int is_nan(float x) { return x != x; }
    static float magnitude(float x) { return x < 0.0f ? -x : x; }
    /* Failures over every op and length; seeded data, special values first in each row. */
    int check(float *a, float *b, float *y)
    {
        static const float special[] = {0.0f / 0.0f, 1.0f / 0.0f, -1.0f / 0.0f, 0.0f, -0.0f, 100.0f, -100.0f, 88.9f,
                                        -88.9f, 88.5f, -88.5f, 1e-30f, -1e-6f, 0.6f, -0.65f, 3.0f, -3.0f, 6.0f, -9.5f, 20.0f};
        const int specials = sizeof special / sizeof special[0];
        unsigned state = 12345u;
        int failures = 0;
        for (int op = 0; op < 19; op++) {
            for (int n = 0; n <= 2 * 256 + 9; n++) {
                for (int i = 0; i < 540; i++) {
                    state = state * 1664525u + 1013904223u;
                    a[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * (op >= 12 ? 48.0f : 16.0f);
                    state = state * 1664525u + 1013904223u;
                    b[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * 8.0f;
                    y[i] = 12345.0f;
                }
                if (n > specials) {
                    for (int i = 0; i < specials; i++) a[(i * 7 + n) % n] = special[i];
                    b[n / 2] = 0.0f / 0.0f;
                }
                const float s = op == 11 ? 0.01f : -1.75f;
                attn_row_map(y, a, op < 3 || op >= 17 ? b : 0, s, op, n);
                for (int i = 0; i < 540; i++) {
                    if (i >= n) {
                        failures += y[i] != 12345.0f;
                        continue;
                    }
                    const float r = reference(a, b, s, op, i), v = y[i];
                    if (is_nan(r) || is_nan(v)) {
                        failures += is_nan(r) != is_nan(v);
                    } else if (op < 12 || op >= 15) {
                        /* Bit for bit, the sign of 0 included. */
                        failures += *(unsigned *)&r != *(unsigned *)&v;
                    } else {
                        failures += !(r == v || magnitude(v - r) <= 5e-7f * magnitude(r) + 1e-37f);
                    }
                }
            }
        }
        return failures;
    }
    """

/// Rows of `attn_rows_map` against one `attn_row_map` per row, seeded, special values mixed in.
private let rowsMapCheck = """
    static float data_a[4096], data_b[4096], scalars[64], y_rows[4096], y_each[4096];
    int check_rows(void)
    {
        static const int widths[] = {1, 7, 8, 9, 28};
        static const float special[] = {0.0f / 0.0f, 1.0f / 0.0f, -1.0f / 0.0f, 0.0f, -0.0f, 100.0f, -100.0f, 88.9f, -88.9f};
        unsigned state = 777u;
        int failures = 0;
        for (int i = 0; i < 4096; i++) {
            state = state * 1664525u + 1013904223u;
            data_a[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * 24.0f;
            state = state * 1664525u + 1013904223u;
            data_b[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * 8.0f;
        }
        for (int i = 0; i < 9; i++) data_a[i * 37 + 3] = special[i];
        for (int i = 0; i < 64; i++) {
            state = state * 1664525u + 1013904223u;
            scalars[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * 4.0f + 0.5f;
        }
        for (int op = 0; op < 19; op++) {
            for (int wi = 0; wi < 5; wi++) {
                const int n = widths[wi];
                for (int rows = 1; rows <= 5; rows += 4) {
                    /* y's rows apart by n + 3, a's by 2n + 1, b's by n or repeated, the scalar per row or not. */
                    for (int form = 0; form < 4; form++) {
                        const long ys = n + 3, as = 2 * n + 1, bs = form & 1 ? 0 : n, ss = form & 2 ? 1 : 0;
                        const float *b = op < 3 || op >= 17 ? data_b + 5 : 0;
                        const float *sp = form & 2 ? scalars + 2 : 0;
                        for (int i = 0; i < 4096; i++) y_rows[i] = y_each[i] = 12345.0f;
                        attn_rows_map(y_rows + 1, ys, data_a + 2, as, b, bs, -1.25f, sp, ss, op, n, rows);
                        for (int r = 0; r < rows; r++) {
                            const float s = sp ? sp[r * ss] : -1.25f;
                            attn_row_map(y_each + 1 + r * ys, data_a + 2 + r * as, b ? b + r * bs : 0, s, op, n);
                        }
                        for (int i = 0; i < 4096; i++) failures += *(unsigned *)&y_rows[i] != *(unsigned *)&y_each[i];
                    }
                }
            }
        }
        return failures;
    }
    /* attn_columns_mean against the scalar loop it replaces, bit for bit: widths 1, 7, 8, 9
     * and 28, 1 to 5 rows, rows apart by more than the width; nothing past the row written. */
    int check_columns(void)
    {
        static const int widths[] = {1, 7, 8, 9, 28};
        int failures = 0;
        for (int wi = 0; wi < 5; wi++) {
            const int n = widths[wi];
            for (int rows = 1; rows <= 5; rows++) {
                const long stride = n + 5;
                for (int i = 0; i < 64; i++) y_rows[i] = 12345.0f;
                attn_columns_mean(y_rows + 1, data_a + 7, stride, rows, n, (float)rows);
                for (int j = 0; j < n; j++) {
                    float acc = 0.0f;
                    for (int t = 0; t < rows; t++) acc += data_a[7 + t * stride + j];
                    const float want = acc / (float)rows;
                    failures += *(unsigned *)&want != *(unsigned *)&y_rows[1 + j];
                }
                failures += y_rows[0] != 12345.0f;
                for (int i = n + 1; i < 64; i++) failures += y_rows[i] != 12345.0f;
            }
        }
        return failures;
    }
    """

@Suite struct RowMapTests {
    /// The micro-kernels' forms this CPU runs: SSE always, AVX2/FMA where cpuinfo lists both.
    static let isas: [Int] = {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") }
        let words = Set(flags?.split(separator: " ").map(String.init) ?? [])
        return words.isSuperset(of: ["avx2", "fma"]) ? [1, 2] : [1]
    }()

    /// Each op code has an arm of its own in both of the helper's dispatches (the SSE switch and
    /// the AVX2 compare chain), and neither has a catch-all: a code added to RowMapOp without its
    /// arm must fail here, not run another op. The scalar check below covers the codes it loops
    /// over, which this also pins to RowMapOp's count.
    @Test func everyOpCodeHasItsOwnArm() {
        let form = Templates.text("row_map.tcc.c")
        #expect(!form.contains("default:"))
        for op in RowMapOp.allCases {
            #expect(form.contains("case \(op.rawValue):"), "no SSE arm for \(op)")
            #expect(form.contains("\"cmp $\(op.rawValue), %r9\\n\\t\""), "no AVX2 arm for \(op)")
        }
        #expect(rowMapReference.contains("op < \(RowMapOp.allCases.count);"))
    }

    #if arch(x86_64)
    @Test(arguments: isas)
    func everyOpMatchesScalarC(_ isa: Int) throws {
        var form = VEX.expand(Templates.text("row_map.tcc.c"))
        if form.contains("attn_tcc_isa()") { form = Templates.text("tcc_isa.tcc.c") + form }
        let module = try TCCModule(source: "#define ATTN_TCC_ISA \(isa)\n" + form + rowMapReference)
        let check = try module.function("check", as: (@convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Int32).self)
        var (a, b, y) = ([Float](repeating: 0, count: 540), [Float](repeating: 0, count: 540), [Float](repeating: 0, count: 540))
        #expect(check(&a, &b, &y) == 0)
        withExtendedLifetime(module) {}
    }
    #endif

    /// `attn_rows_map` against one `attn_row_map` call per row, bit for bit: every op, rows of
    /// 1, 7, 8, 9 and 28 floats, one row and several, rows apart, one row repeated (a gate
    /// broadcast along H), a scalar per row and one for all; and `attn_columns_mean` against
    /// the scalar loop.
    @Test(arguments: isas)
    func rowsMatchOneCallPerRow(_ isa: Int) throws {
        var form = ["row_map", "rows_map", "columns_mean"].map { VEX.expand(Templates.text("\($0).tcc.c")) }.joined()
        if form.contains("attn_tcc_isa()") { form = Templates.text("tcc_isa.tcc.c") + form }
        let module = try TCCModule(source: "#define ATTN_TCC_ISA \(isa)\n" + form + rowsMapCheck)
        let check = try module.function("check_rows", as: (@convention(c) () -> Int32).self)
        #expect(check() == 0)
        let columns = try module.function("check_columns", as: (@convention(c) () -> Int32).self)
        #expect(columns() == 0, "attn_columns_mean")
        withExtendedLifetime(module) {}
    }

    /// The gates broadcast along H and W of coordinate, strip and triplet attention, whose maps
    /// take whole planes of short rows per call (`attn_rows_map`), rows of 1, 7, 8, 9 and 28,
    /// through the JIT against the interpreter.
    @Test(arguments: [InputShape.nchw(1, 512, 9, 1), .nchw(1, 70, 9, 7), .nchw(2, 32, 9, 8), .nchw(1, 40, 12, 9), .nchw(1, 16, 17, 28)])
    func planesOfShortRowsThroughTheJIT(_ shape: InputShape) throws {
        let specs = [
            CoordAttention("coord_rows", input: shape), SimpleCoordAttention("scoord_rows", input: shape),
            StripAttention("strip_rows", input: shape), TripletAttention("triplet_rows", input: shape),
        ]
        for spec in specs {
            let kernel = try Kernel(spec, weights: .random(seed: 31))
            let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 32))
            #expect(result.passed, "\(spec.name) \(shape): \(result)")
            #if arch(x86_64)
            if shape.w > 1 && spec.name != "triplet_rows" {
                #expect(kernel.generated.source.jitSource.contains("attn_rows_map("), "\(spec.name) \(shape): a plane per call")
                if spec.name == "coord_rows" {
                    // x · a_w · a_h: the product of rows and the one by the row's gate, one call.
                    #expect(kernel.generated.source.jitSource.contains(", 1, 18, "), "\(shape): op 18")
                }
            }
            #endif
        }
    }

    /// A product read only by an op that can take it in its own call waits for that op: a row
    /// times a channel's gate read by a sum of rows (op 17), a product of rows read by a product
    /// by a constant or by a gate (op 18); a product read twice is computed on its own. Through
    /// the JIT against the interpreter, and the calls in the text.
    @Test(arguments: [InputShape.nchw(1, 3, 40, 40), .nchw(2, 5, 3, 150)])
    func productsWaitForTheirOneReader(_ shape: InputShape) throws {
        let spec = Block("rowmap_products", input: shape) {
            Primitive(.globalPool(.mean), "x").named("g")
            Primitive(.sigmoid, "g").named("gate")
            Primitive(.mul, "x", "gate").named("xg")
            Primitive(.add, "xg", "x").named("a17")
            Primitive(.mul, "x", "x").named("xx")
            Primitive(.mulScalar(0.75), "xx").named("b18")
            Primitive(.mul, "a17", "b18").named("ab")
            Primitive(.mul, "gate", "ab").named("c18")
            Primitive(.mul, "c18", "c18").named("twice")
            Primitive(.add, "twice", "c18")
        }
        let kernel = try Kernel(spec, weights: .random(seed: 5))
        let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 6))
        #expect(result.passed, "\(shape): \(result)")
        #if arch(x86_64)
        let text = kernel.generated.source.jitSource
        let calls = text.split(separator: "\n").filter { $0.contains("attn_row_map(") && !$0.contains("static") && !$0.contains("*y") }
        #expect(calls.filter { $0.contains(", 17, ") }.count == 1, "\(calls)")
        #expect(calls.filter { $0.contains(", 18, ") }.count == 2, "\(calls)")
        #endif
    }

    /// Every unary and binary op (vector with vector, with a scalar on either side) and the
    /// affine, on rows of 1,600 (six chunks and a tail) and of 150 (a tail of 2), through the JIT
    /// against the interpreter.
    @Test(arguments: [InputShape.nchw(1, 3, 40, 40), .nchw(2, 5, 3, 150)])
    func everyOpThroughTheJIT(_ shape: InputShape) throws {
        let c = shape.c
        let spec = Block("rowmap_ops", input: shape) {
            Primitive(.globalPool(.mean), "x").named("g")
            Primitive(.sigmoid, "g").named("gate")
            Primitive(.relu, "x").named("r")
            Primitive(.relu6, "r").named("r6")
            Primitive(.hardSigmoid, "x").named("hs")
            Primitive(.hardSwish, "x").named("hw")
            Primitive(.leakyRelu(negativeSlope: 0.1), "x").named("lr")
            Primitive(.sigmoid, "x").named("sg")
            Primitive(.silu, "x").named("si")
            Primitive(.tanh, "x").named("th")
            Primitive(.gelu(approximateTanh: true), "x").named("gt")
            Primitive(.mulScalar(1.5), "x").named("ms")
            Primitive(.addScalar(-0.25), "ms").named("as")
            Primitive(.sqrt, "r").named("sq")
            Primitive(.add, "r6", "hs").named("s1")
            Primitive(.sub, "s1", "hw").named("s2")
            Primitive(.mul, "s2", "lr").named("s3")
            Primitive(.sub, "gate", "sg").named("s4")
            Primitive(.sub, "si", "gate").named("s5")
            Primitive(.mul, "gate", "th").named("s6")
            Primitive(.add, "s3", "s4").named("s7")
            Primitive(.add, "s7", "s5").named("s8")
            Primitive(.add, "s8", "s6").named("s9")
            Primitive(.add, "s9", "gt").named("s10")
            Primitive(.add, "s10", "as").named("s11")
            Primitive(.add, "s11", "sq").named("s12")
            Primitive(.batchNorm(param: "bn", eps: 1e-5), "s12")
        }
        for libm in [true, false] {
            let kernel = try Kernel(spec.libm(libm), weights: .random(seed: 21))
            let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 22))
            #expect(result.passed, "libm \(libm), \(c) channels: \(result)")
            #if arch(x86_64)
            // Without libm the exponentials keep the scalar loop (attn_expf: a device's bits).
            #expect(kernel.generated.source.jitSource.contains("attn_row_map(v") == libm, "the JIT's maps run in chunks with libm")
            #endif
        }
    }
}
