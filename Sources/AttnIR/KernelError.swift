// Wrong buffers handed to a kernel, the interpreter, a layout conversion or the emitter from
// Swift: thrown, never a trap, so a caller's mistake is a catchable error naming what was
// expected and what was given.

/// A call with a buffer or count the kernel cannot run with.
public enum KernelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An array of the wrong length: `buffer` is "input", "params", ...
    case wrongCount(buffer: String, expected: Int, given: Int)
    /// `scratch` was nil but the kernel needs this many floats of it.
    case missingScratch(needed: Int)
    /// A count below its minimum (samples, threads).
    case tooSmall(argument: String, given: Int, minimum: Int)
    /// A NaN or infinity where C needs a literal (baked weights, self-test values).
    case nonFinite(buffer: String, index: Int, value: Float)
    /// An index past the end of a buffer (a self-test check of an output element).
    case outOfRange(buffer: String, index: Int, count: Int)

    /// One sentence naming the buffer or argument, what was expected and what was given.
    public var description: String {
        switch self {
        case .wrongCount(let buffer, let expected, let given):
            return "\(buffer) has \(given) floats, the kernel takes \(expected)"
        case .missingScratch(let needed):
            return "scratch is nil, the kernel needs \(needed) floats of scratch"
        case .tooSmall(let argument, let given, let minimum):
            return "\(argument) must be at least \(minimum), got \(given)"
        case .nonFinite(let buffer, let index, let value):
            return "\(buffer)[\(index)] is \(value); it must be finite"
        case .outOfRange(let buffer, let index, let count):
            return "\(buffer) index \(index) is outside 0..<\(count)"
        }
    }

    /// Throws `wrongCount` unless `given == expected`.
    public static func check(_ buffer: String, given: Int, expected: Int) throws(KernelError) {
        guard given == expected else { throw KernelError.wrongCount(buffer: buffer, expected: expected, given: given) }
    }
}
