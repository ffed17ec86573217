// Every name a block's generated files put where other blocks' names live: the two file names,
// the external symbols, and the header's macros (a program may include several headers in one
// translation unit). The emitter builds its macros from these lists (and checks it), and a file
// of several blocks is refused when two blocks' sets meet, compared case-folded: `se` and `SE`
// write the same file on a case-insensitive file system and the same macros, and block `se`'s
// `SE_OUTPUT_H` (its output height) is the include guard of block `se_output`.

/// The names a block's generated files claim globally, so blocks of one file can be checked
/// for collisions before anything is written.
public enum BlockGlobals {
    /// `<NAME>_<suffix>`: the header's fixed macros, the include guard (`_H`) included.
    public static let macroSuffixes = [
        "INPUT_SIZE", "OUTPUT_SIZE", "PARAMS_SIZE", "SCRATCH_SIZE", "PACKED_SIZE",
        "INPUT_N", "INPUT_C", "INPUT_H", "INPUT_W", "OUTPUT_N", "OUTPUT_C", "OUTPUT_H", "OUTPUT_W",
        "LAYOUT_NCHW", "LAYOUT_NHWC", "OUTPUT_MAY_ALIAS_INPUT", "H",
    ]
    /// `<name>_<suffix>`: the functions and the baked weights. The packed entry points and the
    /// static `_run` both forwards call are in a block's files only where its GEMMs read weights
    /// made ahead; their names are claimed always, so whether two blocks of a file collide does
    /// not depend on their shapes.
    public static let symbolSuffixes = ["forward", "params", "selftest", "pack", "forward_packed", "run"]
    /// `<name>.<extension>`.
    public static let fileExtensions = ["h", "c"]

    /// `SE_FC1_WEIGHT_OFFSET` for tensor `fc1.weight` of block `se`.
    public static func offsetMacro(block: String, tensor: String) -> String {
        "\(cUppercased(block))_\(cUppercased(ParamDecl.cName(tensor)))_OFFSET"
    }

    /// `name` upper-cased, by bytes where it is ASCII (a C name always is): String's
    /// `uppercased()` goes through Unicode's case tables, a visible part of emitting a header.
    public static func cUppercased(_ name: String) -> String {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return name.uppercased() }
        return String(decoding: name.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// The block's global names, lower-cased, each with what it is (for the error message).
    /// `tensors` are the dotted tensor names whose offset macros the header defines.
    public static func names(block: String, tensors: [String]) -> [String: String] {
        var out: [String: String] = [:]
        let m = cUppercased(block)
        for e in fileExtensions { out["\(block).\(e)".lowercased()] = "file \(block).\(e)" }
        for s in symbolSuffixes { out["\(block)_\(s)".lowercased()] = "symbol \(block)_\(s)" }
        for s in macroSuffixes { out["\(m)_\(s)".lowercased()] = s == "H" ? "include guard \(m)_H" : "macro \(m)_\(s)" }
        for t in tensors {
            let macro = offsetMacro(block: block, tensor: t)
            out[macro.lowercased()] = "macro \(macro)"
        }
        return out
    }

    /// The first pair of blocks whose names meet: `(index of the later block, the name, what it
    /// is in the later block, index of the earlier block, what it is there)`.
    public static func firstCollision(_ blocks: [(name: String, tensors: [String])])
        -> (later: Int, earlier: Int, laterWhat: String, earlierWhat: String)?
    {
        var seen: [String: (index: Int, what: String)] = [:]
        for (i, b) in blocks.enumerated() {
            let own = names(block: b.name, tensors: b.tensors)
            for key in own.keys.sorted() {
                if let other = seen[key], other.index != i {
                    return (i, other.index, own[key]!, other.what)
                }
            }
            for (key, what) in own { seen[key] = (i, what) }
        }
        return nil
    }
}
