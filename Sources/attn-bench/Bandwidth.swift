// The memory limit's denominator: a STREAM-style triad (a = b + s·c) compiled by the same
// compiler and flags as the fast tier, measured in the same run as the kernels. Bytes are counted
// as STREAM does: 3 arrays × 4 bytes per element, write-allocate traffic not counted (the
// kernels' limit is counted the same way, so the ratio is fair).

import AttnGen
import AttnNative

final class Triad {
    private typealias Function =
        @convention(c) (
            UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, Float, Int
        ) -> Void

    static let source = """
        /* STREAM triad for attn-bench. restrict: the arrays never overlap, so gcc vectorises. */
        void attn_bench_triad(float *restrict a, const float *restrict b, const float *restrict c, float s, long n)
        {
            for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        }

        """

    private let library: NativeLibrary
    private let function: Function

    init(compiler: NativeCompiler) throws {
        library = try compiler.library(
            files: [("attn_bench_triad.c", Self.source)], main: "attn_bench_triad.c", key: "triad")
        function = try library.function("attn_bench_triad", as: Function.self)
    }

    /// Bytes per second of the triad over three arrays totalling about `totalBytes`.
    func bandwidth(totalBytes: Int, seconds: Double, clock: BenchClock = .wall) -> Double {
        let arrays = Arrays(self, totalBytes: totalBytes)
        defer { arrays.free() }
        return Double(arrays.bytes) / Stopwatch.median(seconds: seconds, clock: clock, arrays.run)
    }

    /// The triad's three arrays over about `totalBytes`, kept for timing beside a kernel.
    struct Arrays {
        private let triad: Triad
        private let a: FloatBuffer, b: FloatBuffer, c: FloatBuffer
        /// Bytes one call moves, counted as STREAM does.
        var bytes: Int { 12 * a.count }

        init(_ triad: Triad, totalBytes: Int) {
            let n = max(totalBytes / 12, 1024)
            self.triad = triad
            (a, b, c) = (
                FloatBuffer(count: n), FloatBuffer([Float](repeating: 1, count: n)),
                FloatBuffer([Float](repeating: 2, count: n))
            )
        }

        func run() {
            withExtendedLifetime(triad.library) { triad.function(a.pointer, b.pointer, c.pointer, 3, a.count) }
        }

        func free() { [a, b, c].forEach { $0.free() } }
    }
}
