// Every cap attn-gen puts on what a spec may ask for, in one place, and the checked arithmetic
// that user integers go through. A spec over a cap is refused with a SpecError naming the field
// or op and the cap; nothing past them is ever computed with trapping arithmetic, printed into
// C as an `int`, or handed to the interpreter.

/// The documented limits of attn-gen.
public enum Limits {
    /// Largest element count of any tensor, buffer, loop bound or offset in the generated C,
    /// which indexes with 32-bit `int`: the input, every value and weight, the scratch total
    /// (zero-padded convolution copies and attention's score rows included), the parameters.
    public static let maxElements = Int(Int32.max)

    /// Largest kernel size accepted anywhere (conv2d, channel_conv1d, pool2d windows of the
    /// catalog kinds, EMSA's sr_ratio + 1).
    public static let maxKernelSize = 1023

    /// Most layers in a custom graph (the catalog's largest block has about 300). Every pass
    /// over the program is linear or near it and none recurses per layer, so this bounds time,
    /// not the stack: 2,048 k×k convs, the most C per layer, generate in about 6 s in a debug
    /// build (1 s in release), 2,048 elementwise ops in well under a second.
    public static let maxLayers = 2_048

    /// Most blocks in one `{"blocks": [...]}` file. Each block generates on its own, so this
    /// bounds a run's time: a whole network holds tens of attention blocks (EfficientNet-B7 55),
    /// while a spec file of tiny blocks could otherwise hold fifteen thousand.
    public static let maxBlocks = 1_024

    /// Most entries of the lookup tables the C spells out, summed over a block: conv tap
    /// offsets (C_in/groups·k² per k×k conv on hosts) and nearest-upsampling index maps (H + W
    /// per op). About 8 MB of C at the cap; ResNet-50-sized blocks need under 200,000.
    public static let maxTableEntries = 1 << 20

    /// Largest interpreter cost (`Program.interpreterCost`: FLOPs plus elements of every value)
    /// of a block generated with `"selftest": true`, whose golden values the interpreter computes
    /// at generation time: about 7 s of a release build's interpreter (150 MFLOP/s; a debug
    /// build is 30× slower). Every example and fixture costs under 2·10⁷; at ResNet-50 sizes SE,
    /// ECA, CBAM, BAM, fusion, External Attention and DANet CAM fit, while PSA, SK, SC-Conv,
    /// EMSA and DANet PAM (1.2·10⁹ to 7.6·10⁹) generate only without the self-test.
    public static let maxSelftestCost = 1_000_000_000

    /// Default largest interpreter cost `attn-gen verify` runs (its `--max-cost`): about a minute
    /// of a release build's interpreter, ten times the self-test cap, so a block at ResNet-50
    /// sizes is checked while a mistyped 4096² matmul is refused at once instead of running for
    /// a quarter of an hour.
    public static let maxVerifyCost = 10_000_000_000

    /// Most floats the interpreter may hold for a `"selftest": true` block (`Program
    /// .interpreterElements`: the input, every value, the parameters): 2^28, 1 GiB.
    public static let maxSelftestElements = 1 << 28

    /// `a · b`, or nil when it overflows `Int` or passes `maxElements`.
    @inlinable public static func product(_ factors: Int...) -> Int? { product(of: factors) }

    /// The product of `factors` (each ≥ 0), or nil past `maxElements` (overflow included).
    @inlinable public static func product(of factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (q, overflow) = p.multipliedReportingOverflow(by: f)
            guard !overflow, q <= maxElements else { return nil }
            p = q
        }
        return p
    }

    /// The sum of `terms` (each ≥ 0), or nil past `maxElements` (overflow included).
    @inlinable public static func sum(_ terms: Int...) -> Int? { sum(of: terms) }

    /// The sum of `terms` (each ≥ 0), or nil past `maxElements` (overflow included).
    @inlinable public static func sum(of terms: [Int]) -> Int? {
        var s = 0
        for t in terms {
            guard t >= 0 else { return nil }
            let (q, overflow) = s.addingReportingOverflow(t)
            guard !overflow, q <= maxElements else { return nil }
            s = q
        }
        return s
    }

    /// `a + b` and `a · b` saturating at `Int.max`, for costs compared with a cap.
    @inlinable public static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : s
    }

    /// The product of `factors` (each ≥ 0), `Int.max` on overflow: for sizes compared against a
    /// cap right after, where the exact excess does not matter.
    @inlinable public static func saturatingProduct(_ factors: Int...) -> Int {
        factors.reduce(1) { acc, f in
            let (p, overflow) = acc.multipliedReportingOverflow(by: f)
            return overflow ? Int.max : p
        }
    }
}
