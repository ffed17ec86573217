// The one assertion the spec and weights error tests share.

import AttnGen
import Testing

/// Checks `error` names `path` and that its message contains every one of `fragments`.
func expectError(
    _ error: SpecError?, path: String, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error else {
        Issue.record("no error; expected \(path): \(fragments)", sourceLocation: sourceLocation)
        return
    }
    #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
    for f in fragments {
        #expect(error.message.contains(f), "\(error) lacks \"\(f)\"", sourceLocation: sourceLocation)
    }
}
