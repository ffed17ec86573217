// User errors in a spec: each names the JSON path of the offending field and the rule it breaks.
// Kept apart from `IRError`, which marks bugs in attn-gen itself.

/// A problem with user input (spec or weights), reported as `path: message`.
public struct SpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// JSON path of the offending field, e.g. `blocks[1].reduction`; empty for the whole document.
    public var path: String
    /// The rule that was broken, with the values involved and, where there is one, the fix.
    public var message: String

    /// An error at `path` (empty for the whole document) saying `message`.
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, the form the CLI prints after `error: `.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// The same error seen from an enclosing value (`blocks[1]` + `reduction`).
    public func within(_ outer: String) -> SpecError {
        guard !outer.isEmpty else { return self }
        let joined = path.isEmpty ? outer : (path.hasPrefix("[") ? outer + path : outer + "." + path)
        return SpecError(joined, message)
    }
}
