/// Screens a `tcc_set_options` string before it reaches libtcc.
///
/// libtcc reports a bad command-line option through `tcc_error`, and outside
/// a compilation that ends in `exit(1)` — killing the host process instead of
/// returning an error. So only options known to be handled without exiting
/// are let through (checked against Debian's 0.9.27+git20200814 build):
/// `-D`/`-U`/`-I`/`-B`/`-isystem` with an argument (attached or next word),
/// `-W…` (not `-Wl,`/`-Wp,`), `-w`, `-f…`, `-m…`, `-O…`, `-g…`, `-std=…`,
/// `-nostdinc`, `-nostdlib`. Words are split on whitespace; quoted
/// arguments containing spaces are not supported.
enum TCCOptions {
    private static let takesArgument: Set<String> = ["-D", "-U", "-I", "-B", "-isystem"]
    private static let exact: Set<String> = ["-w", "-nostdinc", "-nostdlib"]
    private static let prefixes = ["-W", "-f", "-m", "-O", "-g", "-std="]

    /// Throws `.invalidOptions` naming the first word tcc would die on.
    static func validate(_ options: String) throws(JITError) {
        let words = options.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        var index = words.startIndex
        while index < words.endIndex {
            let word = String(words[index])
            if takesArgument.contains(word) {
                index += 1
                guard index < words.endIndex else {
                    throw reject("argument to '\(word)' is missing")
                }
            } else if !isAcceptedAlone(word) {
                throw reject("option '\(word)' is not accepted (libtcc would exit on unknown options)")
            }
            index += 1
        }
    }

    private static func isAcceptedAlone(_ word: String) -> Bool {
        if exact.contains(word) { return true }
        if word.hasPrefix("-Wl,") || word.hasPrefix("-Wp,") { return false }
        if ["-D", "-U", "-I", "-B"].contains(where: { word.hasPrefix($0) }) { return true }
        return prefixes.contains { word.hasPrefix($0) }
    }

    private static func reject(_ why: String) -> JITError {
        JITError(kind: .invalidOptions, messages: ["invalid options: " + why])
    }
}
