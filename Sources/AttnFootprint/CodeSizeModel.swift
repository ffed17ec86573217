// Code bytes of a generated kernel, estimated from its C before any compiler runs.
//
// The model is linear in a few counts of the C a Cortex-M compiler sees, which the emitter keeps
// as it prints (CodeCount):
//
//     code ≈ b0 + b1·tokens + b2·for-loops + b3·if-statements + b4·helper calls + b5·expf calls
//
// Tokens carry it (statements, index arithmetic, unrolled taps, the static helpers' bodies all
// add tokens: about 1.4 bytes of Thumb-2 each); the other terms correct for what costs more or
// less than its tokens: a `for` header is a dozen tokens but a few instructions, a guard's
// compare-and-skip costs more than its tokens, a call to a helper or to expf is many tokens of
// arguments but one branch. The coefficients are an empirical least-squares fit per core
// against `arm-none-eabi-size` (text minus the weights) of objects built with arm-none-eabi-gcc
// 12.2 at -O2 -std=c99: 119 blocks (SE, ECA and CBAM over several C, r, k, bias and N; custom
// graphs; every later catalog kind at two shapes; the op graphs, which use every op), each
// plain, with `"libm": false`, and NHWC without libm with the self-test: 357 objects per core.
// The attention blocks' code is less regular than SE's: the worst leave-one-out error grew
// from ~200 B to ~1.3 kB (PSA's four grouped convs), and 2-3 objects of 357 fall outside the
// tolerance below. CodeSizeCalibrationTests.swift (ATTN_CALIBRATE=1) refits
// them and prints this table. The largest leave-one-out error on that corpus is stated per
// core; the embedded tests hold every Generated/ example to `withinTolerance`.

/// Per-core coefficients of the code-size estimate.
public struct CodeSizeModel: Sendable, Hashable {
    /// `-mcpu` name and float ABI the model was fitted for.
    public let core: String
    /// Compiler flags the coefficients belong to.
    public let flags: String
    /// b0 … b5, in `CodeFeatures.vector` order.
    public let coefficients: [Double]
    /// Largest leave-one-out error on the calibration corpus, bytes and relative.
    public let calibrationError: (bytes: Int, relative: Double)

    /// Same core and coefficients.
    public static func == (a: Self, b: Self) -> Bool { a.core == b.core && a.coefficients == b.coefficients }
    /// Hashes the core name.
    public func hash(into h: inout Hasher) { h.combine(core) }

    /// Estimated bytes of code (and the compiler's own small constants) for `features`.
    package func estimate(_ features: CodeFeatures) -> Int {
        let v = zip(coefficients, features.vector).reduce(0) { $0 + $1.0 * $1.1 }
        return max(0, Int(v.rounded()))
    }

    /// How far a measurement may be from the estimate before a test calls the model wrong:
    /// 30 % of the measured code or 128 bytes, whichever is larger.
    public static func withinTolerance(estimate: Int, measured: Int) -> Bool {
        abs(estimate - measured) <= max(128, Int((0.3 * Double(measured)).rounded(.up)))
    }

    /// `withinTolerance` in words, for reports.
    public static let toleranceText = "±30% or ±128 B, whichever is larger"

    // Fitted by CodeSizeCalibrationTests (ATTN_CALIBRATE=1); see the header comment.
    /// Cortex-M0+ (Thumb-1, no FPU).
    public static let cortexM0plus = CodeSizeModel(
        core: "cortex-m0plus", flags: "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft -O2",
        coefficients: [-76.75, 0.71, 21.01, 44.60, 5.80, -73.46], calibrationError: (1080, 0.86))
    /// Cortex-M4 with single-precision FPU, the default.
    public static let cortexM4F = CodeSizeModel(
        core: "cortex-m4f", flags: "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -O2",
        coefficients: [-75.37, 0.56, 18.35, 46.12, 4.67, -62.48], calibrationError: (1295, 1.02))
    /// Cortex-M7 with FPU.
    public static let cortexM7 = CodeSizeModel(
        core: "cortex-m7", flags: "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard -O2",
        coefficients: [-79.91, 0.57, 17.62, 45.92, 5.54, -58.73], calibrationError: (1266, 1.03))

    /// Every calibrated model.
    public static let all = [cortexM0plus, cortexM4F, cortexM7]

    /// `cortex-m4f`, `m4f`, `m4` … → the model; nil for an unknown core.
    public static func named(_ name: String) -> CodeSizeModel? {
        let n = name.lowercased().replacingOccurrences(of: "cortex-", with: "")
        switch n {
        case "m0", "m0+", "m0plus": return cortexM0plus
        case "m4", "m4f": return cortexM4F
        case "m7", "m7f": return cortexM7
        default: return nil
        }
    }
}
