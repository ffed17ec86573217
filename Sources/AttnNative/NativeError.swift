// Why the native tier (system C compiler → shared object → dlopen) could not give a function.

/// A failure of the native tier, with the compiler's or the loader's own text.
public struct NativeError: Error, CustomStringConvertible, Sendable {
    /// What failed.
    public enum Kind: Equatable, Sendable {
        /// The compiler could not be started (not installed, not on PATH).
        case compilerUnavailable
        /// The compiler ran and rejected the source; `message` is its stderr, verbatim.
        case compileFailed
        /// The cache folder or a temporary file could not be written.
        case cacheUnwritable
        /// `dlopen` refused the object; `message` is `dlerror()`.
        case loadFailed
        /// The object has no symbol of that name.
        case symbolNotFound
        /// The parameter array given does not have the program's length.
        case wrongParameters
        /// `function(_:as:)` was asked for a type that is not a C function pointer.
        case notAFunctionType
    }

    /// What failed.
    public let kind: Kind
    /// The compiler's or the loader's text.
    public let message: String
    /// The command line that failed, when one ran.
    public let command: [String]

    package init(_ kind: Kind, _ message: String, command: [String] = []) {
        self.kind = kind
        self.message = message
        self.command = command
    }

    /// The message as the CLI prints it.
    public var description: String {
        let ran = command.isEmpty ? "" : " (\(command.joined(separator: " ")))"
        switch kind {
        case .compilerUnavailable: return "native tier: cannot run the C compiler\(ran): \(message)"
        case .compileFailed: return "native tier: the C compiler failed\(ran):\n\(message)"
        case .cacheUnwritable: return "native tier: cannot write the cache: \(message)"
        case .loadFailed: return "native tier: dlopen failed: \(message)"
        case .symbolNotFound: return "native tier: \(message)"
        case .wrongParameters, .notAFunctionType: return "native tier: \(message)"
        }
    }
}
