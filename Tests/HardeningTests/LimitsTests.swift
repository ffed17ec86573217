// Extreme integers and floats in every integer field of every catalog kind and graph op, and
// the documented caps (`Limits`): each spec is refused with a SpecError naming the field the
// test set, or generates; nothing traps, and no catalog error leaks an internal layer's field.

import AttnGen
import AttnCEmit
import AttnInterp
import AttnLower
import AttnPlan
import Foundation
import Testing

@Suite("Limits and extreme values")
struct LimitsTests {
    /// 0, −1, the 32-bit limits and past them, the 64-bit limits.
    static let extremes = [0, -1, Int(Int32.max), Int(Int32.max) + 1, Int(Int32.min), Int.max, Int.min]

    /// Integer fields of each catalog kind (a list field is set through its first element),
    /// found by asking the decoder about each hyperparameter `list` shows: it calls a string
    /// there "must be an integer" or "must be an array of integers".
    static let kindFields: [String: [String]] = Dictionary(uniqueKeysWithValues: CatalogListing.entries.map { entry in
        let fields = entry.hyperparameters.compactMap { (h: String) -> String? in
            let name = String(h.prefix { $0 != "=" && $0 != " " })
            let text = #"{"name": "b", "kind": "\#(entry.kind)", "input": {"c": 64, "h": 8, "w": 8}, "\#(name)": "?"}"#
            do throws(SpecError) {
                _ = try BlockSpec.decodeFile(Data(text.utf8))
            } catch {
                if error.message.hasPrefix("must be an integer") { return name }
                if error.message.hasPrefix("must be an array of integers") { return name + "[]" }
            }
            return nil
        }
        return (entry.kind, fields)
    })

    /// Each graph op in a small valid graph on a [1, 64, 8, 8] input: the layers before it, the
    /// op's own fields, and its integer fields.
    static let ops: [String: (before: [String], layer: String, ints: [String])] = [
        "global_pool": ([], #""mode": "mean""#, []), "channel_pool": ([], #""mode": "max""#, []),
        "axis_pool": ([], #""mode": "mean", "axis": "h""#, []),
        "pool2d": ([], #""mode": "mean", "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": false"#, ["kernel_size", "stride", "padding"]),
        "weighted_pool": ([], #""param": "f""#, []), "variance": ([], "", []),
        "linear": ([#"{"op": "global_pool", "mode": "mean"}"#], #""out_features": 4, "param": "fc""#, ["out_features"]),
        "channel_conv1d": ([#"{"op": "global_pool", "mode": "mean"}"#], #""kernel_size": 3, "param": "c""#, ["kernel_size"]),
        "conv2d": (
            [], #""out_channels": 8, "kernel_size": 3, "padding": 1, "dilation": 1, "stride": 1, "groups": 1, "param": "c""#,
            ["out_channels", "kernel_size", "padding", "dilation", "stride", "groups"]
        ),
        "axis_conv1d": ([], #""kernel_size": 3, "axis": "w", "param": "c""#, ["kernel_size"]),
        "batch_norm": ([], #""param": "bn""#, []), "layer_norm": ([], "", []), "instance_norm": ([], "", []),
        "group_norm": ([], #""num_groups": 4, "param": "gn""#, ["num_groups"]),
        "relu": ([], "", []), "sigmoid": ([], "", []), "hard_sigmoid": ([], "", []),
        "relu6": ([], "", []), "silu": ([], "", []), "hard_swish": ([], "", []), "gelu": ([], #""approximate": "tanh""#, []),
        "tanh": ([], "", []), "sqrt": ([], "", []), "leaky_relu": ([], #""negative_slope": 0.2"#, []),
        "mul_scalar": ([], #""value": 0.5"#, []), "add_scalar": ([], #""value": 3"#, []),
        "softmax": ([], #""axis": "hw""#, []), "l1_normalize": ([], #""axis": "c""#, []),
        "add": ([], #""inputs": ["x"]"#, []), "sub": ([], #""inputs": ["x"]"#, []), "mul": ([], #""inputs": ["x"]"#, []),
        "matmul": ([], #""inputs": ["x", "x"]"#, []), "attention": ([], #""inputs": ["x", "x", "x"]"#, []),
        "block_matmul": ([], #""side": "left", "inputs": ["x", "x"]"#, []),
        "rel_pos_weights": ([], #""dim_head": 16, "param": "p""#, ["dim_head"]),
        "parameter": ([], #""param": "g", "shape": [1, 1, 1, 1], "as": "g""#, ["shape[]"]),
        "concat": ([], #""inputs": ["x", "x"]"#, []),
        "slice": ([], #""start": 0, "count": 8"#, ["start", "count"]),
        "reshape": ([], #""shape": [1, 64, 4, 16]"#, ["shape[]"]),
        "transpose": ([], #""perm": [0, 1, 3, 2]"#, ["perm[]"]),
        "upsample_nearest": ([], #""size": [16, 16]"#, ["size[]"]),
        "block_unfold": ([], #""window": 4, "step": 4, "padding": 1"#, ["window", "step", "padding"]),
    ]

    /// Float fields the C spells as float32 literals, and values finite in Double only, below
    /// float32's smallest subnormal, or out of range.
    static let floatFields: [(op: String, field: String, extra: String)] = [
        ("batch_norm", "eps", #""param": "bn""#), ("layer_norm", "eps", ""), ("instance_norm", "eps", ""),
        ("group_norm", "eps", #""num_groups": 2"#),
        ("l1_normalize", "eps", #""axis": "c""#), ("matmul", "alpha", #""inputs": ["x", "x"]"#),
        ("attention", "scale", #""inputs": ["x", "x", "x"]"#), ("leaky_relu", "negative_slope", ""),
        ("mul_scalar", "value", ""), ("add_scalar", "value", ""),
    ]
    static let extremeFloats = ["1e39", "-1e39", "1e-46", "0", "-1", "1e308", "3.4028235e38"]

    @Test func theTablesCoverEveryKindAndOp() {
        #expect(Set(Self.kindFields.keys) == Set(BlockSpec.kinds))
        // The probe finds plain and list fields, and skips the others (bools, strings).
        #expect(Self.kindFields["sk"] == ["out_channels", "kernel_size[]", "stride", "dilation", "groups", "reduction", "reduced_channels", "rd_divisor"])
        #expect(Self.kindFields["psa"] == ["planes", "conv_kernels[]", "conv_groups[]", "stride"])
        #expect(Self.kindFields["fusion"] == ["inputs", "reduction", "reduced_channels"])
        #expect(Self.kindFields["se_var1"] == [])
        #expect(Set(Self.ops.keys) == Set(LayerOp.jsonNames))
    }

    /// A list field `f[]` set through its first element, keeping the others valid.
    static func set(_ field: String, to value: Int, in fields: inout [String: String], defaults: [String: [Int]]) {
        if field.hasSuffix("[]") {
            let key = String(field.dropLast(2))
            var list = defaults[key]!.map(String.init)
            list[0] = String(value)
            fields[key] = "[\(list.joined(separator: ", "))]"
        } else {
            fields[field] = String(value)
        }
    }

    /// Decodes and generates `text`: nil when it generated, else the SpecError.
    static func outcome(_ text: String) -> SpecError? {
        do {
            let specs = try BlockSpec.decodeFile(Data(text.utf8))
            for spec in specs {
                let g = try Pipeline.generate(spec)
                // What generates spells no integer past int (sizes, offsets, loop bounds).
                for (file, text) in g.source.files {
                    let big = FuzzOracle.largestIntegerLiteral(text) ?? 0
                    #expect(big <= Limits.maxElements, "\(file) of \(text.prefix(300)) spells \(big)")
                }
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func everyCatalogIntegerFieldTakesExtremeValues() {
        let lists: [String: [Int]] = [
            "kernel_size": [3, 5], "conv_kernels": [3, 5, 7, 9], "conv_groups": [1, 4, 8, 16], "feat_size": [8, 8],
        ]
        var problems: [String] = []
        var refused = 0
        for kind in BlockSpec.kinds {
            for field in Self.kindFields[kind]! {
                for value in Self.extremes {
                    var fields: [String: String] = [:]
                    if kind == "se_gc" && field != "groups" { fields["groups"] = "4" }
                    // bat's default 7×7 transforms do not tile the 8×8 plane.
                    if kind == "bat" && field != "block_size" { fields["block_size"] = "4" }
                    Self.set(field, to: value, in: &fields, defaults: lists)
                    let extra = fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
                    let text = #"{"name": "b", "kind": "\#(kind)", "input": {"c": 64, "h": 8, "w": 8}, \#(extra)}"#
                    guard let error = Self.outcome(text) else { continue }
                    refused += 1
                    let name = String(field.prefix { $0 != "[" })
                    // The user's field, never an internal layer's (`kind.…`).
                    if !error.path.hasPrefix(name) || error.description.contains("bug in attn-gen") {
                        problems.append("\(kind).\(field) = \(value): \(error)")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(refused > 200)
    }

    /// Every kind on extreme and tiny inputs: its defaults (PSA's planes = C, SK's paths) must be
    /// checked before lowering too, so no internal layer's complaint comes out.
    @Test func everyCatalogKindTakesExtremeAndTinyInputs() {
        var problems: [String] = []
        for kind in BlockSpec.kinds {
            for axis in ["n", "c", "h", "w"] {
                for value in Self.extremes + [1, 2, 3, 5, 65_536] {
                    var input = ["n": 1, "c": 64, "h": 8, "w": 8]
                    input[axis] = value
                    if kind == "bam", axis == "h" || axis == "w" { input["h"] = value; input["w"] = value }
                    let shape = input.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
                    let groups = kind == "se_gc" ? #", "groups": 1"# : ""
                    let text = #"{"name": "b", "kind": "\#(kind)", "input": {\#(shape)}\#(groups)}"#
                    if let error = Self.outcome(text), error.path.hasPrefix("kind") || error.description.contains("bug in attn-gen") {
                        problems.append("\(kind) input.\(axis) = \(value): \(error)")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func everyGraphIntegerFieldTakesExtremeValues() {
        let lists: [String: [Int]] = ["shape": [1, 64, 4, 16], "perm": [0, 1, 3, 2], "size": [16, 16]]
        var problems: [String] = []
        for op in LayerOp.jsonNames {
            let (before, layer, ints) = Self.ops[op]!
            for field in ints {
                for value in Self.extremes {
                    var fields: [String: String] = [:]
                    Self.set(field, to: value, in: &fields, defaults: op == "parameter" ? ["shape": [1, 1, 1, 1]] : lists)
                    var own = layer
                    for (k, v) in fields {
                        // Replace the field's value in the layer's text, or add it.
                        if let range = own.range(of: "\"\(k)\": ") {
                            let rest = own[range.upperBound...]
                            let end = rest.first == "[" ? rest.firstIndex(of: "]").map { rest.index(after: $0) } : rest.firstIndex(of: ",")
                            own.replaceSubrange(range.upperBound..<(end ?? own.endIndex), with: v)
                        } else {
                            own += (own.isEmpty ? "" : ", ") + "\"\(k)\": \(v)"
                        }
                    }
                    let after = op == "parameter" ? [#"{"op": "mul", "inputs": ["x", "g"]}"#] : []
                    let graph = (before + [#"{"op": "\#(op)", \#(own)}"#] + after).joined(separator: ", ")
                    let text = #"{"name": "g", "input": {"c": 64, "h": 8, "w": 8}, "graph": [\#(graph)]}"#
                    guard let error = Self.outcome(text) else { continue }
                    let name = String(field.prefix { $0 != "[" })
                    // Refused at the layer, naming the field (or its operands, for shapes that do not fit).
                    // A parameter's shape may be fine on its own and only its reader's result too large.
                    let at = "graph[\(before.count + (op == "parameter" && error.path.hasSuffix(".op") ? 1 : 0))]"
                    if !error.path.hasPrefix(at) || !(error.path.contains(name) || error.path.hasSuffix("inputs")
                        || error.path == at || (op == "parameter" && error.path.hasSuffix(".op"))) {
                        problems.append("\(op).\(field) = \(value): \(error)")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func floatFieldsMustBeFiniteFloat32() {
        var problems: [String] = []
        for (op, field, extra) in Self.floatFields {
            for value in Self.extremeFloats {
                let fields = [extra, "\"\(field)\": \(value)"].filter { !$0.isEmpty }.joined(separator: ", ")
                let text = #"{"name": "g", "input": {"c": 8, "h": 8, "w": 8}, "graph": [{"op": "\#(op)", \#(fields)}]}"#
                let error = Self.outcome(text)
                // batch_norm's eps is folded in Double at import, never printed as a float32.
                let finite = Float(Double(value)!).isFinite || op == "batch_norm"
                if !finite && error?.path != "graph[0].\(field)" { problems.append("\(op).\(field) = \(value): \(String(describing: error))") }
                if let error, !error.path.hasPrefix("graph[0]") { problems.append("\(op).\(field) = \(value): \(error)") }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// A fused chain of 10,000 ops, far longer than the layer cap, built straight in the IR: the verifier, the
    /// printer, the storage plan, the emitter and the interpreter walk it without recursing once
    /// per op (8,000 fused ops overflowed the nest builder's stack).
    @Test func longFusedChainsDoNotRecurse() throws {
        var b = ProgramBuilder(name: "chain", input: Shape(n: 1, c: 2, h: 2, w: 2))
        var v = 0
        for i in 0..<10_000 {
            v = try b.add(i % 2 == 0 ? .unary(.sigmoid) : .binary(.mul), i % 2 == 0 ? [v] : [v, 0], role: "t")
        }
        let p = try b.finish(output: v)
        #expect(p.description.count > 10_000)
        #expect(Plan.budgetViolation(p) == nil)
        #expect(StoragePlan(p).scratchSize == 0)
        let source = try CEmitter.emit(p, specText: "{}")
        #expect(source.source.contains("chain_forward"))
        #expect(!CEmitter.outputMayAliasInput(p) || source.header.contains("MAY_ALIAS_INPUT 1"))
        let y = try Interpreter.run(p, input: p.randomInput(seed: 1), params: [])
        #expect(y.count == 8 && y.allSatisfy(\.isFinite))
    }

    @Test func graphsPastTheLayerCapAreRefused() {
        let relus = Array(repeating: #"{"op": "relu"}"#, count: Limits.maxLayers + 1).joined(separator: ", ")
        let error = Self.outcome(#"{"name": "g", "input": {"c": 2, "h": 2, "w": 2}, "graph": [\#(relus)]}"#)
        #expect(error?.path == "graph")
        #expect(error?.message.contains("\(Limits.maxLayers)") == true)
    }

    @Test func filesPastTheBlockCapAreRefusedBeforeAnyBlockIsRead() throws {
        let one = #"{"name": "b", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#
        // Every block has the same name: the cap must speak before the duplicate-name rule.
        let text = #"{"blocks": ["# + Array(repeating: one, count: Limits.maxBlocks + 1).joined(separator: ", ") + "]}"
        let error = #expect(throws: SpecError.self) { try BlockSpec.decodeFile(Data(text.utf8)) }
        #expect(error?.path == "blocks")
        #expect(error?.message.contains("\(Limits.maxBlocks + 1) blocks") == true)
        let atCap = (0..<Limits.maxBlocks).map { #"{"name": "b\#($0)", "kind": "eca", "input": {"c": 8, "h": 2, "w": 2}}"# }
        #expect(try BlockSpec.decodeFile(Data(#"{"blocks": [\#(atCap.joined(separator: ", "))]}"#.utf8)).count == Limits.maxBlocks)
    }

    /// The caps leave every example, every fixture and ResNet-50-sized blocks alone: each lowers,
    /// fits the emitter's budget, and (the examples and fixtures) may carry a self-test.
    @Test func theCapsLeaveRealisticBlocksAlone() throws {
        var specs: [BlockSpec] = []
        for url in Examples.specFiles(in: Repo.generated) { specs += try Pipeline.loadSpecs(path: url.path) }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Repo.fixtures.path)
        for f in fixtures.sorted() {
            let path = Repo.fixtures.appendingPathComponent(f).appendingPathComponent("spec.json").path
            if FileManager.default.fileExists(atPath: path) { specs += try Pipeline.loadSpecs(path: path) }
        }
        #expect(specs.count >= 50)
        for spec in specs {
            let p = try Lowering.lower(spec).program
            #expect(p.interpreterCost <= Limits.maxSelftestCost, "\(spec.name): \(p.interpreterCost)")
            #expect(p.interpreterElements <= Limits.maxSelftestElements, "\(spec.name): \(p.interpreterElements)")
            if ProcessInfo.processInfo.environment["ATTN_PRINT_COSTS"] != nil { print("cost \(spec.name) \(p.interpreterCost) \(p.interpreterElements)") }
        }
        // ResNet-50 stages (C 256…2048 at 56…7) and a 224×224 stem-sized input.
        let resnet: [(String, Int, Int)] = [("se", 256, 56), ("eca", 512, 28), ("cbam", 1024, 14), ("cbam", 2048, 7), ("bam", 256, 56),
            ("sk", 256, 56), ("sk", 2048, 7), ("psa", 256, 56), ("psa", 2048, 7), ("scconv", 512, 28), ("emsa", 512, 28),
            ("external_attention", 1024, 14), ("danet_cam", 2048, 7), ("danet_pam", 512, 28), ("fusion", 256, 56), ("eca", 64, 224),
            ("cbam", 64, 224), ("se_gc", 2048, 7)]
        for (kind, c, hw) in resnet {
            let extra = kind == "se_gc" ? #", "groups": 32"# : ""
            let text = #"{"name": "r", "kind": "\#(kind)", "input": {"c": \#(c), "h": \#(hw), "w": \#(hw)}\#(extra)}"#
            let spec = try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
            #expect(throws: Never.self, "\(kind) \(c)×\(hw)²") { _ = try Lowering.lower(spec) }
            if ProcessInfo.processInfo.environment["ATTN_PRINT_COSTS"] != nil, let p = try? Lowering.lower(spec).program {
                print("cost \(kind)_\(c)_\(hw) \(p.interpreterCost) \(p.interpreterElements)")
            }
        }
    }
}
