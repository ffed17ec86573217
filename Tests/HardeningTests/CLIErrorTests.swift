// Every class of bad input, at the command line: the built attn-gen exits 1 (no crash), prints
// exactly one line on stderr, `error: ` then the field or tensor and the rule, prints nothing on
// stdout, creates no -o folder and leaves no file anywhere. The library-level wording of most of
// these is pinned by Tests/AttnGenTests/{Spec,Weight}ErrorTests; here it is the user's view.
//
// Groups and heads (`groups`, `num_heads`) do not exist in any block yet (only SE, ECA, CBAM and
// custom graphs): today they are unknown fields, which `unknownFields` checks.

import AttnGen
import AttnWeights
import Foundation
import Testing

/// One bad input and the fragments its single error line must contain.
struct BadInput: CustomTestStringConvertible, Sendable {
    let label: String
    let spec: [UInt8]
    let weights: [UInt8]?
    let mentions: [String]

    init(_ label: String, _ spec: String, weights: [UInt8]? = nil, _ mentions: String...) {
        self.init(label, bytes: Array(spec.utf8), weights: weights, mentions)
    }

    init(_ label: String, bytes: [UInt8], weights: [UInt8]? = nil, _ mentions: [String]) {
        self.label = label
        self.spec = bytes
        self.weights = weights
        self.mentions = mentions
    }

    var testDescription: String { label }
}

/// Runs `attn-gen spec.json -o out` on `c` in a fresh folder and checks the refusal.
func expectRefused(_ c: BadInput, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let dir = try makeTempDir("cli")
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(c.spec).write(to: dir.appendingPathComponent("spec.json"))
    if let w = c.weights { try Data(w).write(to: dir.appendingPathComponent("w.safetensors")) }
    let before = listing(dir)
    let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
    #expect(r.status == 1, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "stdout: \(r.stdout)", sourceLocation: sourceLocation)
    let lines = r.errorLines
    #expect(lines.count == 1, "stderr has \(lines.count) lines: \(r.stderr)", sourceLocation: sourceLocation)
    let line = lines.first ?? ""
    #expect(line.hasPrefix("error: "), "\(line)", sourceLocation: sourceLocation)
    for m in c.mentions {
        #expect(line.contains(m), "\(line.debugDescription) lacks \(m.debugDescription)", sourceLocation: sourceLocation)
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), sourceLocation: sourceLocation)
    #expect(listing(dir) == before, "files written: \(listing(dir))", sourceLocation: sourceLocation)
}

// MARK: - building bad specs

/// A block of `kind` over `input`, with extra top-level fields (JSON text without braces);
/// `name` is JSON text too.
func block(_ kind: String = "se", name: String = #""blk""#, input: String = #"{"c": 16, "h": 4, "w": 4}"#, _ extra: String = "") -> String {
    #"{"name": \#(name), "kind": "\#(kind)", "input": \#(input)\#(extra.isEmpty ? "" : ", " + extra)}"#
}

/// A custom block over [1,8,4,4] with the given layers (JSON array text).
func graphBlock(_ layers: String, input: String = #"{"c": 8, "h": 4, "w": 4}"#) -> String {
    #"{"name": "g", "input": \#(input), "graph": \#(layers)}"#
}

/// `pool → layer → sigmoid → mul x`, the usual home of a vector layer.
func gate(_ layer: String) -> String {
    graphBlock(#"[{"op": "global_pool", "mode": "mean"}, \#(layer), {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#)
}

/// A spatial layer that should give one plane, then gate x with it.
func spatial(_ layer: String, input: String = #"{"c": 8, "h": 4, "w": 4}"#) -> String {
    graphBlock(#"[\#(layer), {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#, input: input)
}

// MARK: - building bad weights

/// timm SEModule tensors for C = 16, rd = 4, changed by `change`, as F32 safetensors.
func seWeights(_ change: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in }) -> [UInt8] {
    var t: [(name: String, shape: [Int], values: [Float])] = [
        ("fc1.weight", [4, 16, 1, 1], FuzzSeeds.ramp(64)), ("fc1.bias", [4], FuzzSeeds.ramp(4)),
        ("fc2.weight", [16, 4, 1, 1], FuzzSeeds.ramp(64)), ("fc2.bias", [16], FuzzSeeds.ramp(16)),
    ]
    change(&t)
    // Changes keep names unique and counts matching shapes; a refusal is a bug in this test.
    return try! SafeTensorsWriter.encode(t)
}

func setValue(_ tensor: String, _ index: Int, _ value: Float) -> (inout [(name: String, shape: [Int], values: [Float])]) -> Void {
    { t in t[t.firstIndex { $0.name == tensor }!].values[index] = value }
}

let seSpec = block("se", #""weights": "w.safetensors""#)
let ecaSpec = block("eca", #""weights": "w.safetensors""#)
let cbamSpec = block("cbam", input: #"{"c": 16, "h": 5, "w": 5}"#, #""weights": "w.safetensors""#)

/// A hand-made SE file whose header says `entries` (JSON members) over `data` bytes.
func seHeader(_ entries: String, data: Int = 64 * 4) -> [UInt8] {
    handMadeFile(header: "{\(entries)}", data: [UInt8](repeating: 0, count: data))
}

@Suite("Bad input at the command line")
struct CLIErrorTests {
    // MARK: spec documents

    static let se16 = block()

    @Test(arguments: [
        BadInput("double comma", #"{"name": "a",, }"#, "malformed JSON", "line 1, column 14", "expected a key in double quotes, found ','"),
        BadInput("not JSON", "not json at all", "malformed JSON", #"unexpected word "not""#),
        BadInput("empty file", "", "malformed JSON", "the file is empty"),
        BadInput("not UTF-8", bytes: [0xFF, 0xFE] + Array(#"{"name": "a"}"#.utf8), ["malformed JSON", "spec files must be UTF-8"]),
        BadInput("NUL bytes", bytes: [0x7B, 0x00, 0x7D], ["malformed JSON", "U+0000"]),
        BadInput("nested 100000 deep", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), "malformed JSON",
                 "nested deeper than 100 levels"),
        BadInput("unclosed string", #"{"name": "a"#, "name: malformed JSON", "unterminated string"),
    ])
    func malformedJSON(_ c: BadInput) throws { try expectRefused(c) }

    @Test func specFileTooLarge() throws {
        // A valid block padded with spaces to one byte past the limit: refused before it is read.
        let text = Self.se16 + String(repeating: " ", count: JSONValue.maxDocumentBytes + 1 - Self.se16.utf8.count)
        try expectRefused(BadInput("1 MiB + 1", text, "cannot read spec file spec.json", "\(JSONValue.maxDocumentBytes + 1) bytes",
                                   "at most \(JSONValue.maxDocumentBytes) bytes"))
    }

    @Test(arguments: [1, 10, 25, 40, 60])
    func truncatedJSON(cut: Int) throws {
        let full = Array(Self.se16.utf8)
        try expectRefused(BadInput("cut at \(cut)", bytes: Array(full.prefix(cut)), ["malformed JSON", "(byte \(cut))"]))
    }

    @Test(arguments: [
        BadInput("string size", block(input: #"{"c": "16", "h": 4, "w": 4}"#), "input.c", "must be an integer", "a string"),
        BadInput("numeric name", #"{"name": 5, "kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#, "name", "must be a string"),
        BadInput("bias as 1", block("se", #""bias": 1"#), "bias", "true or false"),
        BadInput("kernel as array", block("eca", #""kernel_size": [3]"#), "kernel_size", "must be an integer", "an array"),
        BadInput("input as array", block(input: "[1, 16, 4, 4]"), "input", "must be an object"),
        BadInput("top level array", "[1, 2]", "must be an object"),
        BadInput("blocks as string", #"{"blocks": "se.json"}"#, "blocks", "must be an array"),
        BadInput("graph as object", graphBlock(#"{"op": "sigmoid"}"#), "graph", "must be an array"),
        BadInput("inputs as string", graphBlock(#"[{"op": "mul", "inputs": "x"}]"#), "graph[0].inputs", "must be an array of strings"),
        BadInput("weights as number", block("se", #""weights": 3"#), "weights", "must be a string"),
    ])
    func wrongTypes(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("no name", #"{"kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#, "name", "is required"),
        BadInput("no input", #"{"name": "a", "kind": "se"}"#, "input", "is required"),
        BadInput("no h", block(input: #"{"c": 16, "w": 4}"#), "input.h", "is required"),
        BadInput("no kind", #"{"name": "a", "input": {"c": 16, "h": 4, "w": 4}}"#, "kind", "is required"),
        BadInput("no op", graphBlock(#"[{"mode": "max"}]"#), "graph[0].op", "is required"),
        BadInput("no out_features", gate(#"{"op": "linear", "param": "fc"}"#), "graph[1].out_features", "is required"),
        BadInput("no param", gate(#"{"op": "channel_conv1d", "kernel_size": 3}"#), "graph[1].param", "is required"),
        BadInput("empty graph", graphBlock("[]"), "graph", "at least one layer"),
        BadInput("empty blocks", #"{"blocks": []}"#, "blocks", "at least one block"),
    ])
    func missingFields(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("misspelt", block("se", #""reductoin": 16"#), "reductoin", "unknown field"),
        BadInput("groups (no block has them yet)", block("se", #""groups": 2"#), "groups", "unknown field"),
        BadInput("num_heads (no block has them yet)", block("cbam", #""num_heads": 4"#), "num_heads", "unknown field"),
        BadInput("inside input", block(input: #"{"c": 16, "h": 4, "w": 4, "d": 1}"#), "input.d", "unknown field"),
        BadInput("inside a layer", graphBlock(#"[{"op": "sigmoid", "mode": "max"}]"#), "graph[0].mode", "unknown field"),
        BadInput("beside blocks", #"{"blocks": [\#(block())], "name": "x"}"#, "name", "unknown field"),
        BadInput("unknown kind", block("quadruplet"), "kind", "unknown kind"),
        BadInput("unknown op", graphBlock(#"[{"op": "softmax2d"}]"#), "graph[0].op", "unknown op"),
    ])
    func unknownFields(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("c = 0", block(input: #"{"c": 0, "h": 4, "w": 4}"#), "input.c", "at least 1, got 0"),
        BadInput("n = 0", block(input: #"{"n": 0, "c": 16, "h": 4, "w": 4}"#), "input.n", "at least 1, got 0"),
        BadInput("w = 0", block(input: #"{"c": 16, "h": 4, "w": 0}"#), "input.w", "at least 1, got 0"),
        BadInput("out_features = 0", gate(#"{"op": "linear", "out_features": 0, "param": "fc"}"#), "graph[1].out_features", "at least 1"),
        BadInput("out_channels = 0", spatial(#"{"op": "conv2d", "out_channels": 0, "kernel_size": 3, "param": "cv"}"#),
                 "graph[0].out_channels", "at least 1"),
        BadInput("reduced_channels = 0", block("se", #""reduced_channels": 0"#), "reduced_channels", "at least 1"),
    ])
    func zeroSizes(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("h = -3", block(input: #"{"c": 16, "h": -3, "w": 4}"#), "input.h", "at least 1, got -3"),
        BadInput("n = -1", block(input: #"{"n": -1, "c": 16, "h": 4, "w": 4}"#), "input.n", "at least 1"),
        BadInput("c = Int.min", block(input: #"{"c": -9223372036854775808, "h": 4, "w": 4}"#), "input.c", "at least 1"),
        BadInput("reduction = -2", block("cbam", #""reduction": -2"#), "reduction", "at least 1, got -2"),
        BadInput("padding = -1", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "padding": -1, "param": "cv"}"#),
                 "graph[0].padding", "-1"),
        BadInput("kernel = Int.min", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": -9223372036854775808, "param": "cv"}"#),
                 "graph[0].kernel_size", "at least 1"),
    ])
    func negativeSizes(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("w = 16.5", block(input: #"{"c": 16, "h": 4, "w": 16.5}"#), "input.w", "must be an integer", "16.5"),
        BadInput("reduction = 0.5", block("se", #""reduction": 0.5"#), "reduction", "must be an integer"),
        BadInput("kernel = 3.5", block("eca", #""kernel_size": 3.5"#), "kernel_size", "must be an integer"),
        BadInput("out_features = 2.5", gate(#"{"op": "linear", "out_features": 2.5, "param": "fc"}"#), "graph[1].out_features", "integer"),
    ])
    func fractionalSizes(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("c = 1e23", block(input: #"{"c": 99999999999999999999999, "h": 4, "w": 4}"#), "input.c", "integer"),
        BadInput("c = 2^31", block(input: #"{"c": 2147483648, "h": 1, "w": 1}"#), "input", "32-bit indexing"),
        BadInput("reduced_channels = 2^32", block("se", #""reduced_channels": 4294967296"#), "reduced_channels", "32-bit indexing"),
        BadInput("reduced_channels = Int.max", block("cbam", #""reduced_channels": 9223372036854775807"#), "reduced_channels", "32-bit"),
        BadInput("out_features = Int.max", gate(#"{"op": "linear", "out_features": 9223372036854775807, "param": "fc"}"#),
                 "graph[1].out_features", "at most 2147483647"),
        BadInput("ECA kernel past the cap", block("eca", #""kernel_size": 1025"#), "kernel_size", "at most 1023"),
        BadInput("CBAM kernel past the cap", block("cbam", #""spatial_kernel_size": 2049"#), "spatial_kernel_size", "at most 1023"),
        BadInput("conv1d kernel 2^32+1", gate(#"{"op": "channel_conv1d", "kernel_size": 4294967297, "param": "c"}"#),
                 "graph[1].kernel_size", "at most 1023"),
        BadInput("conv2d kernel 2^32+1", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 4294967297, "param": "cv"}"#),
                 "graph[0].kernel_size", "at most"),
        BadInput("padding 2^62", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "padding": 4611686018427387904, "param": "cv"}"#),
                 "graph[0].padding"),
        BadInput("dilation 2^62", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 4611686018427387904, "param": "cv"}"#),
                 "graph[0].dilation", "at most"),
    ])
    func enormousSizes(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("2^32 elements", block(input: #"{"c": 65536, "h": 256, "w": 256}"#), "input", "exceed 32-bit indexing"),
        BadInput("Int32.max + 1 elements", block(input: #"{"c": 2, "h": 1073741824, "w": 1}"#), "input", "exceed 32-bit indexing"),
        BadInput("2^128 elements", block(input: #"{"n": 4294967296, "c": 4294967296, "h": 4294967296, "w": 4294967296}"#),
                 "input", "exceed 32-bit indexing"),
        BadInput("2^64 wraps to 0", block(input: #"{"n": 4294967296, "c": 4294967296, "h": 1, "w": 1}"#), "input", "exceed 32-bit"),
        BadInput("a weight of 2^37 elements", gate(#"{"op": "linear", "out_features": 2000000000, "param": "fc"}"#),
                 "graph[1].out_features", "fc.weight", "32-bit indexing"),
        BadInput("a padded conv output of 2^63", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "padding": 2000000000, "param": "cv"}"#),
                 "graph[0].padding", "32-bit indexing"),
        BadInput("SE hidden vector n·rd", block("se", input: #"{"n": 1048576, "c": 1, "h": 1, "w": 1}"#, #""reduced_channels": 4096"#),
                 "32-bit indexing"),
    ])
    func sizesOverflowing32BitIndexing(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("SE r = 0", block("se", #""reduction": 0"#), "reduction", "at least 1, got 0"),
        BadInput("SE r leaves no channels", block("se", #""reduction": 32"#), "reduction", "leaves 16/32 = 0 channels"),
        BadInput("SE default r on C = 8", block("se", input: #"{"c": 8, "h": 4, "w": 4}"#), "reduction", "16 leaves 8/16 = 0"),
        BadInput("ECA even kernel", block("eca", #""kernel_size": 4"#), "kernel_size", "positive odd number, got 4"),
        BadInput("ECA zero kernel", block("eca", #""kernel_size": 0"#), "kernel_size", "positive odd number, got 0"),
        BadInput("ECA negative kernel", block("eca", #""kernel_size": -3"#), "kernel_size", "positive odd number, got -3"),
        BadInput("CBAM even kernel", block("cbam", #""spatial_kernel_size": 6"#), "spatial_kernel_size", "positive odd number"),
        BadInput("CBAM zero kernel", block("cbam", #""spatial_kernel_size": 0"#), "spatial_kernel_size", "positive odd number"),
        BadInput("CBAM r leaves no channels", block("cbam", input: #"{"c": 15, "h": 4, "w": 4}"#), "reduction", "leaves 15/16 = 0"),
        BadInput("conv1d even kernel", gate(#"{"op": "channel_conv1d", "kernel_size": 4, "param": "c"}"#),
                 "graph[1].kernel_size", "positive odd"),
        BadInput("conv2d 7×7 unpadded on H = 4", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 7, "padding": 0, "param": "cv"}"#),
                 "graph[0].inputs", "does not fit"),
        BadInput("conv2d dilated past H", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 4, "padding": 0, "param": "cv"}"#),
                 "graph[0].inputs", "does not fit"),
        BadInput("conv2d dilation 0", spatial(#"{"op": "conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 0, "param": "cv"}"#),
                 "graph[0].dilation", "at least 1"),
        BadInput("batch_norm eps 0", gate(#"{"op": "batch_norm", "param": "bn", "eps": 0}"#), "graph[1].eps", "positive"),
        BadInput("batch_norm eps < 0", gate(#"{"op": "batch_norm", "param": "bn", "eps": -1e-5}"#), "graph[1].eps", "positive"),
        BadInput("linear on a plane", spatial(#"{"op": "linear", "out_features": 1, "param": "fc"}"#), "graph[0].op", "pooled vector"),
        BadInput("shapes that do not broadcast", gate(#"{"op": "linear", "out_features": 3, "param": "fc"}"#), "graph[3].inputs", "broadcast"),
        BadInput("unknown pool mode", graphBlock(#"[{"op": "global_pool", "mode": "sum"}]"#), "graph[0].mode", "unknown pool mode"),
        BadInput("concat of one", graphBlock(#"[{"op": "concat", "inputs": ["x"]}]"#), "graph[0].inputs", "at least two"),
        BadInput("dangling name", graphBlock(#"[{"op": "mul", "inputs": ["x", "gate"]}]"#), "graph[0].inputs[1]", "no value named"),
        BadInput("dead branch", graphBlock(#"[{"op": "global_pool", "mode": "max", "as": "unused"}, {"op": "sigmoid", "inputs": ["x"]}]"#),
                 "graph", "does not reach the output"),
    ])
    func hyperparametersOutsideTheirDomain(_ c: BadInput) throws { try expectRefused(c) }

    static let badNames = [
        "1se", "a b", "int", "main", "../evil", "a/b", "/abs", "", String(repeating: "a", count: 64), "sé", "a\nb",
        "a\u{1B}[31mred", "x*/y", "a.b", "_Bool",
    ]

    @Test(arguments: badNames)
    func namesThatAreNotCIdentifiers(_ name: String) throws {
        let quoted = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
        try expectRefused(BadInput("name \(name.debugDescription)", block(name: quoted), "name", "not a C identifier"))
    }

    @Test(arguments: [
        BadInput("as 1y", graphBlock(#"[{"op": "sigmoid", "as": "1y"}, {"op": "mul", "inputs": ["x"]}]"#), "graph[0].as", "C identifier"),
        BadInput("as x", graphBlock(#"[{"op": "sigmoid", "as": "x"}]"#), "graph[0].as", "other than x"),
        BadInput("param with a dash", gate(#"{"op": "linear", "out_features": 8, "param": "fc-1"}"#), "graph[1].param", "dotted C identifiers"),
        BadInput("param with a path", gate(#"{"op": "linear", "out_features": 8, "param": "../fc"}"#), "graph[1].param", "dotted C identifiers"),
        BadInput("params clashing in C", graphBlock("""
            [{"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": 8, "param": "a.b"},
             {"op": "linear", "out_features": 8, "param": "a_b"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]
            """), "graph[2].param", "would both define"),
        BadInput("two blocks, one name", #"{"blocks": [\#(block()), \#(block("eca"))]}"#, "blocks[1].name", "already the name"),
    ])
    func otherNamesThatAreNotCIdentifiers(_ c: BadInput) throws { try expectRefused(c) }

    /// The common mistakes, for every kind this build knows, so a block added later is covered
    /// without editing this file.
    @Test(arguments: BlockSpec.kinds)
    func everyKindRefusesTheCommonMistakes(_ kind: String) throws {
        for c in [
            BadInput("\(kind): C = 0", block(kind, input: #"{"c": 0, "h": 4, "w": 4}"#), "input.c", "at least 1"),
            BadInput("\(kind): H = -1", block(kind, input: #"{"c": 16, "h": -1, "w": 4}"#), "input.h", "at least 1"),
            BadInput("\(kind): W = 2.5", block(kind, input: #"{"c": 16, "h": 4, "w": 2.5}"#), "input.w", "integer"),
            BadInput("\(kind): 2^33 elements", block(kind, input: #"{"n": 2, "c": 65536, "h": 256, "w": 256}"#), "input", "32-bit"),
            BadInput("\(kind): unknown field", block(kind, #""zzz": 1"#), "zzz", "unknown field"),
            BadInput("\(kind): bad name", block(kind, name: #""1x""#), "name", "not a C identifier"),
            BadInput("\(kind): missing weights", block(kind, #""weights": "nope.safetensors""#), "weights", "no such file"),
            BadInput("\(kind): truncated", String(block(kind).dropLast(3)), "malformed JSON"),
        ] {
            try expectRefused(c)
        }
    }

    // MARK: weights files

    @Test func weightsFileMissing() throws {
        try expectRefused(BadInput("missing", block("se", #""weights": "nope.safetensors""#), "weights", "nope.safetensors", "no such file"))
    }

    @Test func weightsPathIsAFolder() throws {
        try expectRefused(BadInput("a folder", block("se", #""weights": "/tmp""#), "weights", "is a directory"))
    }

    @Test(arguments: [4, 7, 40, 120])
    func weightsTruncated(keep: Int) throws {
        let full = seWeights()
        let rule = keep < 8 ? "8-byte header length" : (keep < 200 ? "past the end" : "")
        try expectRefused(BadInput("first \(keep) bytes", bytes: Array(seSpec.utf8), weights: Array(full.prefix(keep)), ["weights", "w.safetensors", rule]))
    }

    @Test func weightsTruncatedInsideTheData() throws {
        let full = seWeights()
        try expectRefused(BadInput("cut in the data", bytes: Array(seSpec.utf8), weights: Array(full.dropLast(10)), ["weights", "tensor \"fc2.weight\"", "run past the end"]))
    }

    static let f32 = #""dtype":"F32""#

    @Test(arguments: [
        BadInput("header length past the end", seSpec, weights: FuzzSeeds.littleEndian([UInt64(1000)]) + Array("{}".utf8),
                 "weights", "header length 1000 runs past the end"),
        BadInput("header length 2^64-1", seSpec, weights: FuzzSeeds.littleEndian([UInt64.max]) + Array("{}".utf8),
                 "weights", "exceeds the 100000000-byte limit"),
        BadInput("header length 0", seSpec, weights: FuzzSeeds.littleEndian([UInt64(0)]) + Array("{}".utf8),
                 "weights", "not valid JSON"),
        BadInput("offsets past the end", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[0,4096]}"#),
                 "weights", "tensor \"fc1.weight\"", "run past the end of the data"),
        BadInput("offsets overlapping", seSpec, weights: seHeader(#"""
            "fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[0,256]},"fc1.bias":{\#(f32),"shape":[4],"data_offsets":[240,256]}
            """#), "weights", "overlap tensor"),
        BadInput("offsets reversed", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[256,0]}"#),
                 "weights", "tensor \"fc1.weight\"", "end before they begin"),
        BadInput("offsets negative", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[-1,255]}"#),
                 "weights", "tensor \"fc1.weight\"", "non-negative"),
        BadInput("offsets 2^64", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[0,18446744073709551616]}"#),
                 "weights", "tensor \"fc1.weight\""),
        BadInput("offsets disagree with the shape", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4,16],"data_offsets":[0,128]}"#),
                 "weights", "tensor \"fc1.weight\"", "needs 256"),
        BadInput("shape overflowing 64 bits", seSpec,
                 weights: seHeader(#""fc1.weight":{\#(f32),"shape":[4294967296,4294967296,4294967296],"data_offsets":[0,0]}"#),
                 "weights", "tensor \"fc1.weight\"", "overflows"),
        BadInput("negative dimension", seSpec, weights: seHeader(#""fc1.weight":{\#(f32),"shape":[-4,16],"data_offsets":[0,256]}"#),
                 "weights", "tensor \"fc1.weight\"", "non-negative"),
        BadInput("a name twice", seSpec, weights: seHeader(#"""
            "fc1.bias":{\#(f32),"shape":[4],"data_offsets":[0,16]},"fc1.bias":{\#(f32),"shape":[4],"data_offsets":[16,32]}
            """#), "weights", "tensor \"fc1.bias\"", "twice"),
        BadInput("header not JSON", seSpec, weights: handMadeFile(header: "{not json", data: []), "weights", "not valid JSON"),
        BadInput("header not UTF-8", seSpec, weights: FuzzSeeds.littleEndian([UInt64(4)]) + [0x7B, 0xFF, 0xFE, 0x7D], "weights", "UTF-8"),
        BadInput("header an array", seSpec, weights: handMadeFile(header: "[]"), "weights", "not a JSON object"),
    ])
    func weightsHeaderThatLies(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("I64 weights", seSpec, weights: FuzzSeeds.handMade([
            ("fc1.weight", "I64", [4, 16, 1, 1], FuzzSeeds.littleEndian([Int64](repeating: 1, count: 64))),
            ("fc1.bias", "F32", [4], FuzzSeeds.f32(FuzzSeeds.ramp(4))),
            ("fc2.weight", "F32", [16, 4, 1, 1], FuzzSeeds.f32(FuzzSeeds.ramp(64))),
            ("fc2.bias", "F32", [16], FuzzSeeds.f32(FuzzSeeds.ramp(16))),
        ]), "weights", "tensor \"fc1.weight\"", "dtype I64 is not a float type"),
        BadInput("BOOL weights", ecaSpec, weights: FuzzSeeds.handMade([("conv.weight", "BOOL", [1, 1, 3], [1, 0, 1])]),
                 "weights", "tensor \"conv.weight\"", "not a float type"),
        BadInput("unknown dtype", ecaSpec, weights: FuzzSeeds.handMade([("conv.weight", "Q4_K", [1, 1, 3], [1, 0, 1])]),
                 "weights", "tensor \"conv.weight\"", "unknown dtype"),
    ])
    func weightsOfAnotherDType(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("NaN", seSpec, weights: seWeights(setValue("fc2.weight", 37, .nan)), "weights", "tensor \"fc2.weight\"", "element 37 is nan", "finite"),
        BadInput("signalling NaN", seSpec, weights: seWeights(setValue("fc1.bias", 0, .signalingNaN)), "weights", "tensor \"fc1.bias\"", "nan"),
        BadInput("NaN in F16", ecaSpec, weights: FuzzSeeds.handMade([("conv.weight", "F16", [1, 1, 3], FuzzSeeds.littleEndian([UInt16(0x3C00), 0x7E00, 0x3C00]))]),
                 "weights", "tensor \"conv.weight\"", "element 1 is nan"),
    ])
    func weightsHoldingNaN(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("+Inf", seSpec, weights: seWeights(setValue("fc1.weight", 63, .infinity)), "weights", "tensor \"fc1.weight\"", "element 63 is inf"),
        BadInput("-Inf", seSpec, weights: seWeights(setValue("fc2.bias", 15, -.infinity)), "weights", "tensor \"fc2.bias\"", "element 15 is -inf"),
        BadInput("F64 past Float's range", ecaSpec, weights: FuzzSeeds.handMade([
            ("conv.weight", "F64", [1, 1, 3], FuzzSeeds.littleEndian([0.5, 1e300, 0.5].map { (v: Double) in v.bitPattern })),
        ]), "weights", "tensor \"conv.weight\"", "element 1 is inf"),
        BadInput("Inf in BF16", ecaSpec, weights: FuzzSeeds.handMade([("conv.weight", "BF16", [3], FuzzSeeds.littleEndian([UInt16(0x3F80), 0x3F80, 0xFF80]))]),
                 "weights", "tensor \"conv.weight\"", "element 2 is -inf"),
        BadInput("BatchNorm folding past Float", cbamSpec, weights: cbamWeights(bnWeight: 3e38, bnVar: 0),
                 "weights", "tensor \"spatial.conv.bn.weight\"", "finite"),
    ])
    func weightsHoldingInf(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("fc2 [16,5]", seSpec, weights: seWeights { t in t[2] = ("fc2.weight", [16, 5, 1, 1], FuzzSeeds.ramp(80)) },
                 "weights", "tensor \"fc2.weight\"", "has shape [16, 5, 1, 1], expected [16, 4]"),
        BadInput("fc2 transposed", seSpec, weights: seWeights { t in t[2] = ("fc2.weight", [4, 16], FuzzSeeds.ramp(64)) },
                 "weights", "tensor \"fc2.weight\"", "expected [16, 4]"),
        BadInput("fc1 empty [4, 0]", seSpec, weights: seWeights { t in t[0] = ("fc1.weight", [4, 0], []) }, "weights", "tensor \"fc1.weight\""),
        BadInput("a 2^40-row empty fc1", seSpec, weights: seWeights { t in t[0] = ("fc1.weight", [1 << 40, 0], []) }, "32-bit indexing"),
        BadInput("CBAM conv with 3 planes", cbamSpec, weights: cbamWeights(planes: 3), "weights", "tensor \"spatial.conv.conv.weight\"", "expected [1, 2, 3, 3]"),
        BadInput("ECA kernel 4 from the shape", ecaSpec, weights: try! SafeTensorsWriter.encode([("conv.weight", [1, 1, 4], [1, 2, 3, 4])]),
                 "kernel_size", "positive odd number, got 4"),
    ])
    func weightsOfTheWrongShape(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("no fc2.weight", seSpec, weights: seWeights { t in t.remove(at: 2) }, "weights", "missing tensor \"fc2.weight\" of shape [16, 4]"),
        BadInput("no BatchNorm variance", cbamSpec, weights: cbamWeights(dropping: "spatial.conv.bn.running_var"),
                 "weights", "missing tensor \"spatial.conv.bn.running_var\""),
        BadInput("no tensors at all", seSpec, weights: try! SafeTensorsWriter.encode([]), "w.safetensors"),
        BadInput("prefix matching nothing", block("se", #""weights": "w.safetensors", "weights_prefix": "layer9.""#), weights: seWeights(),
                 "weights_prefix", "no tensor"),
    ])
    func weightsWithTensorsMissing(_ c: BadInput) throws { try expectRefused(c) }

    @Test(arguments: [
        BadInput("rd 8 stated, 4 in the file", block("se", #""weights": "w.safetensors", "reduced_channels": 8"#), weights: seWeights(),
                 "reduced_channels", "is 8 but", "fc1.weight"),
        BadInput("bias false, biases in the file", block("se", #""weights": "w.safetensors", "bias": false"#), weights: seWeights(),
                 "bias", "is false but"),
        BadInput("kernel 5 stated, 3 in the file", block("eca", #""weights": "w.safetensors", "kernel_size": 5"#),
                 weights: try! SafeTensorsWriter.encode([("conv.weight", [1, 1, 3], [1, 2, 3])]), "kernel_size", "is 5 but", "conv.weight"),
    ])
    func weightsContradictingTheSpec(_ c: BadInput) throws { try expectRefused(c) }
}

/// timm CbamModule tensors for C = 16, rd = 4, k = 3, with the given BatchNorm γ and variance.
func cbamWeights(bnWeight: Float = 1.1, bnVar: Float = 0.9, planes: Int = 2, dropping: String? = nil) -> [UInt8] {
    let t: [(name: String, shape: [Int], values: [Float])] = [
        ("channel.fc1.weight", [4, 16, 1, 1], FuzzSeeds.ramp(64)), ("channel.fc2.weight", [16, 4, 1, 1], FuzzSeeds.ramp(64)),
        ("spatial.conv.conv.weight", [1, planes, 3, 3], FuzzSeeds.ramp(9 * planes)),
        ("spatial.conv.bn.weight", [1], [bnWeight]), ("spatial.conv.bn.bias", [1], [0.1]),
        ("spatial.conv.bn.running_mean", [1], [0.2]), ("spatial.conv.bn.running_var", [1], [bnVar]),
    ]
    return try! SafeTensorsWriter.encode(t.filter { $0.name != dropping })  // fixed, valid tensors
}
