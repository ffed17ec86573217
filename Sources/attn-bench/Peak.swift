// The compute limit's denominator: one core's multiply-add peak, a loop of twelve independent
// `a = a·x + y` chains in one vector register each, compiled by the same compiler and flags as
// the fast tier at each ISA level and measured in the same run as the kernels. Twelve chains
// cover the multiply-add latency on every level's two issue ports; with FMA each step is one
// instruction, on SSE a multiply and an add. The chains start from values read at run time, so
// the compiler cannot merge them.

import AttnNative

final class Peak {
    private typealias Function = @convention(c) (UnsafePointer<Float>?, Int) -> Float

    static let source = """
        /* Multiply-add peak for attn-bench: one vector register per chain, its width the level's. */
        #if defined(__AVX512F__)
        #define PEAK_LANES 16
        #elif defined(__AVX__)
        #define PEAK_LANES 8
        #else
        #define PEAK_LANES 4
        #endif
        typedef float peak_v __attribute__((vector_size(4 * PEAK_LANES)));
        float attn_bench_peak(const float *start, long n)
        {
            peak_v a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0};
            peak_v a6 = {0}, a7 = {0}, a8 = {0}, a9 = {0}, a10 = {0}, a11 = {0};
            a0 += start[0]; a1 += start[1]; a2 += start[2]; a3 += start[3]; a4 += start[4]; a5 += start[5];
            a6 += start[6]; a7 += start[7]; a8 += start[8]; a9 += start[9]; a10 += start[10]; a11 += start[11];
            const peak_v x = (peak_v){0} + start[12], y = (peak_v){0} + start[13];
            for (long i = 0; i < n; i++) {
                a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;
                a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;
                a8 = a8 * x + y; a9 = a9 * x + y; a10 = a10 * x + y; a11 = a11 * x + y;
            }
            const peak_v s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
            float total = 0.0f;
            for (int l = 0; l < PEAK_LANES; l++) total += s[l];
            return total;
        }

        int attn_bench_peak_lanes(void) { return PEAK_LANES; }

        """

    private let library: NativeLibrary
    private let function: Function
    /// Floats per vector at this level.
    let lanes: Int

    init(compiler: NativeCompiler) throws {
        library = try compiler.library(files: [("attn_bench_peak.c", Self.source)], main: "attn_bench_peak.c", key: "peak")
        function = try library.function("attn_bench_peak", as: Function.self)
        lanes = Int(try library.function("attn_bench_peak_lanes", as: (@convention(c) () -> Int32).self)())
    }

    /// FLOP/s of the loop (a multiply-add is two), median over `seconds`.
    func flops(seconds: Double, clock: BenchClock = .wall) -> Double {
        // 0.999·a + 0.001 stays near 1: no overflow, no subnormals.
        let start: [Float] = (0..<12).map { 1 + Float($0) / 16 } + [0.999, 0.001]
        let steps = 200_000
        let t = start.withUnsafeBufferPointer { p in
            withExtendedLifetime(library) { Stopwatch.median(seconds: seconds, clock: clock) { _ = function(p.baseAddress, steps) } }
        }
        return Double(steps * 12 * lanes * 2) / t
    }
}
