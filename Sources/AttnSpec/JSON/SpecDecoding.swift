// JSON → BlockSpec. A file holds one block, or `{"blocks": [...]}` with one C file per block.

import AttnIR
import Foundation

extension BlockSpec {
    /// Decodes a spec document. Errors name the JSON path (`blocks[1].reduction: ...`).
    public static func decodeFile(_ data: Data) throws(SpecError) -> [BlockSpec] {
        try decodeBlocks(data).map(\.spec)
    }

    /// Decodes a spec document, pairing each block with its JSON path (`blocks[1]`, or "" for a
    /// single-block file) so errors found later can still name where the block is.
    public static func decodeBlocks(_ data: Data) throws(SpecError) -> [(path: String, spec: BlockSpec)] {
        let root = try JSONValue.parse(data)
        if case .object(let fields) = root, let blocks = fields["blocks"] {
            guard fields.count == 1 else {
                let extra = fields.keys.filter { $0 != "blocks" }.sorted()[0]
                throw SpecError(extra, "unknown field beside \"blocks\"")
            }
            guard case .array(let items) = blocks else {
                throw SpecError("blocks", "must be an array of blocks, got \(blocks.typeName)")
            }
            guard !items.isEmpty else { throw SpecError("blocks", "must hold at least one block") }
            guard items.count <= Limits.maxBlocks else {
                throw SpecError("blocks", "holds \(items.count) blocks, more than the \(Limits.maxBlocks) a file may have; split it")
            }
            var specs: [BlockSpec] = []
            for (i, item) in items.enumerated() {
                do throws(SpecError) {
                    specs.append(try BlockSpec(json: item))
                } catch {
                    throw error.within("blocks[\(i)]")
                }
            }
            var seen: [String: Int] = [:]
            for (i, spec) in specs.enumerated() {
                if let j = seen[spec.name] {
                    throw SpecError("blocks[\(i)].name", "\"\(spec.name)\" is already the name of blocks[\(j)]")
                }
                seen[spec.name] = i
            }
            try checkGlobalNames(specs.enumerated().map {
                ("blocks[\($0.offset)]", "blocks[\($0.offset)].name", $0.element.name, $0.element.tensorNamesBeforeWeights)
            })
            return specs.enumerated().map { ("blocks[\($0.offset)]", $0.element) }
        }
        return [("", try BlockSpec(json: root))]
    }

    /// Refuses blocks whose files, symbols or macros meet, case-folded (`BlockGlobals`), at the
    /// later one's `path`: the blocks of one file (`blocks[i].name`), or of one output folder.
    /// `label` names a block in the message; `tensors` are its offset macros' tensors, as far as
    /// they are known.
    public static func checkGlobalNames(
        _ blocks: [(label: String, path: String, name: String, tensors: [String])]
    ) throws(SpecError) {
        guard let c = BlockGlobals.firstCollision(blocks.map { ($0.name, $0.tensors) }) else { return }
        let later = blocks[c.later], earlier = blocks[c.earlier]
        throw SpecError(
            later.path,
            "\"\(later.name)\" collides with \(earlier.label) \"\(earlier.name)\": its \(c.laterWhat) is the "
                + "\(c.earlierWhat) of that block (names are compared ignoring case: C files land on case-insensitive file systems "
                + "and macros are upper-cased); rename one")
    }

    /// The tensors whose offset macros the header will define, when the spec alone says: a
    /// graph's layers name them; a catalog block's depend on hyperparameters its weights file
    /// may complete, so those are compared again once generated. Empty when the block is invalid
    /// (it is refused later, with its own error).
    var tensorNamesBeforeWeights: [String] {
        if case .graph(let layers) = body { return layers.flatMap(\.op.tensorNames) }
        guard weights == nil, let layers = try? resolve() else { return [] }
        return layers.flatMap(\.op.tensorNames)
    }

    /// Decodes one block object.
    public init(json: JSONValue) throws(SpecError) {
        var r = try FieldReader(json, at: "")
        let name = try r.require("name") { (r: inout FieldReader, k: String) throws(SpecError) in try r.string(k) }
        let input = try Self.decodeInput(r.raw("input"))
        let weights = try r.string("weights")
        let prefix = try r.string("weights_prefix")
        var layout: TensorLayout? = nil
        if let text = try r.string("layout") {
            guard let l = TensorLayout(rawValue: text) else {
                throw SpecError("layout", "unknown layout \"\(text)\" (known: nchw, nhwc)")
            }
            layout = l
        }
        let libm = try r.bool("libm")
        let selftest = try r.bool("selftest")
        let output = try r.raw("output").map { (v: JSONValue) throws(SpecError) in try Self.decodeOutput(v) }
        let kind = try r.string("kind")
        let graph = r.raw("graph")
        let body: Body
        switch (kind, graph) {
        case (nil, nil):
            throw SpecError("kind", "is required (one of \(Self.kinds.joined(separator: ", "))) unless \"graph\" is given")
        case (.some, .some):
            throw SpecError("graph", "a block has either \"kind\" or \"graph\", not both")
        case (nil, let g?):
            body = .graph(try Self.decodeGraph(g))
        case (let k?, nil):
            body = try Self.decodeKind(k, &r)
        }
        try r.finish(context: kind.map { "kind \"\($0)\"" } ?? "a graph block")
        self.init(name: name, input: input, body: body, weights: weights, weightsPrefix: prefix)
        self.layout = layout
        self.libm = libm
        self.selftest = selftest
        self.output = output
    }

    /// Catalog kinds this build knows, in `CatalogRegistry` order.
    public static let kinds = CatalogRegistry.all.map { $0.kind }

    private static func decodeKind(_ kind: String, _ r: inout FieldReader) throws(SpecError) -> Body {
        guard let type = CatalogRegistry.type(named: kind) else {
            throw SpecError("kind", "unknown kind \"\(kind)\" (known: \(kinds.joined(separator: ", ")))")
        }
        return .catalog(AnyCatalogBlock(try type.init(fields: &r)))
    }

    private static func decodeOutput(_ value: JSONValue) throws(SpecError) -> OutputShape {
        do throws(SpecError) {
            var r = try FieldReader(value, at: "")
            let n = try r.int("n")
            let c = try r.require("c") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            let h = try r.require("h") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            let w = try r.require("w") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            try r.finish(context: "output")
            return OutputShape(n: n, c: c, h: h, w: w)
        } catch {
            throw error.within("output")
        }
    }

    private static func decodeInput(_ value: JSONValue?) throws(SpecError) -> InputShape {
        guard let value else { throw SpecError("input", "is required, e.g. {\"n\": 1, \"c\": 64, \"h\": 56, \"w\": 56}") }
        do throws(SpecError) {
            var r = try FieldReader(value, at: "")
            let n = try r.int("n") ?? 1
            let c = try r.require("c") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            let h = try r.require("h") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            let w = try r.require("w") { (r: inout FieldReader, k: String) throws(SpecError) in try r.int(k) }
            try r.finish(context: "input")
            return InputShape(n: n, c: c, h: h, w: w)
        } catch {
            throw error.within("input")
        }
    }
}
