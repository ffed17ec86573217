/// Why compiling C with libtcc, or looking a function up in the result, failed.
///
/// `kind` says which step failed; `messages` holds tcc's own text verbatim
/// (one entry per diagnostic, with `<string>:LINE:` locations exactly as tcc
/// prints them for in-memory source). `description` prefixes each line with
/// `tcc: `, e.g. `tcc: <string>:3: error: ';' expected (got "}")`.
public struct JITError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The step that failed.
    public enum Kind: Equatable, Sendable {
        /// `tcc_compile_string` rejected the source (syntax or type errors).
        case compileFailed
        /// `tcc_relocate` failed, typically an undefined external symbol
        /// (tcc reports e.g. `undefined symbol 'foo'`).
        case relocationFailed
        /// The module compiled, but has no symbol of the requested name.
        case symbolNotFound
        /// `tcc_new` returned NULL (out of memory).
        case tccNewFailed
        /// The options string was refused before reaching tcc, because
        /// libtcc calls `exit(1)` on an unknown option or a missing argument.
        case invalidOptions
    }

    /// Which step failed.
    public let kind: Kind
    /// Everything tcc reported for this compilation, in order, verbatim
    /// (errors and any warnings before them). For `.symbolNotFound` and
    /// `.invalidOptions` this holds one message written by AttnJIT.
    public let messages: [String]
    /// The symbol that could not be found, for `.symbolNotFound`.
    public let symbol: String?

    init(kind: Kind, messages: [String], symbol: String? = nil) {
        self.kind = kind
        self.messages = messages
        self.symbol = symbol
    }

    /// All of tcc's messages as one text, newline-separated, unprefixed.
    public var text: String { messages.joined(separator: "\n") }

    /// Human-readable, one `tcc: `-prefixed line per message; a generic line
    /// for the step when tcc said nothing.
    public var description: String {
        let lines = messages.isEmpty ? [fallback] : messages
        return lines.map { $0.hasPrefix("tcc: ") ? $0 : "tcc: " + $0 }
            .joined(separator: "\n")
    }

    private var fallback: String {
        switch kind {
        case .compileFailed: "compilation failed"
        case .relocationFailed: "relocation failed"
        case .symbolNotFound: "symbol '\(symbol ?? "?")' not found"
        case .tccNewFailed: "tcc_new() failed"
        case .invalidOptions: "invalid options"
        }
    }
}
