// One test per class of bad spec: each names the JSON path of the offending field and states
// the rule it breaks. Errors come from decoding (`BlockSpec.decodeFile`) or, for rules that
// need the whole block, from lowering (`Lowering.lower`) and the pipeline.

import AttnGen
import AttnLower
import Foundation
import Testing

private let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The first SpecError of decoding `json` and then lowering each block, or nil if all is well.
private func specError(_ json: String) -> SpecError? {
    specError(Data(json.utf8))
}

private func specError(_ data: Data) -> SpecError? {
    do {
        for spec in try BlockSpec.decodeFile(data) {
            _ = try Lowering.lower(spec)
        }
        return nil
    } catch {
        return error
    }
}

/// The error of decoding only (no lowering).
private func decodeError(_ json: String) -> SpecError? {
    do {
        _ = try BlockSpec.decodeFile(Data(json.utf8))
        return nil
    } catch {
        return error
    }
}

/// An SE block on `input` with `extra` top-level fields (JSON text without braces).
private func se(input: String = #"{"c": 64, "h": 8, "w": 8}"#, name: String = "\"se\"", _ extra: String = "") -> String {
    #"{"name": \#(name), "kind": "se", "input": \#(input)\#(extra.isEmpty ? "" : ", " + extra)}"#
}

private func eca(_ extra: String) -> String {
    #"{"name": "eca", "kind": "eca", "input": {"c": 64, "h": 8, "w": 8}, \#(extra)}"#
}

private func cbam(_ extra: String) -> String {
    #"{"name": "cbam", "kind": "cbam", "input": {"c": 64, "h": 8, "w": 8}, \#(extra)}"#
}

/// A custom block over x = [1,8,4,4] with the given layers (JSON array text).
private func graph(_ layers: String) -> String {
    #"{"name": "g", "input": {"c": 8, "h": 4, "w": 4}, "graph": \#(layers)}"#
}

@Suite("Spec errors")
struct SpecErrorTests {
    @Suite("document")
    struct Document {
        @Test func malformedJSON() {
            expectError(specError(#"{"name": "se", "kind": "se",, }"#), path: "", "malformed JSON at line 1, column 29 (byte 28)",
                        "expected a key in double quotes, found ','")
            expectError(specError("not json at all"), path: "", "malformed JSON", #"unexpected word "not""#)
            expectError(specError(""), path: "", "malformed JSON", "the file is empty")
        }

        @Test func truncatedJSON() throws {
            let full = try Data(contentsOf: repoRoot.appendingPathComponent("Generated/se_resnet50_layer1.spec.json"))
            for cut in [1, full.count / 2, full.count - 2] {
                expectError(specError(full.prefix(cut)), path: "", "malformed JSON", "unexpected end of input")
            }
        }

        @Test(arguments: [("[1, 2]", "an array"), ("42", "an integer"), (#""se""#, "a string"), ("null", "null"), ("true", "a boolean")])
        func topLevelNotAnObject(_ c: (json: String, typeName: String)) {
            expectError(specError(c.json), path: "", "must be an object", "got \(c.typeName)")
        }

        @Test func blocksNotAnArray() {
            expectError(specError(#"{"blocks": {"name": "se"}}"#), path: "blocks", "must be an array of blocks", "got an object")
            expectError(specError(#"{"blocks": "se.json"}"#), path: "blocks", "must be an array of blocks", "got a string")
        }

        @Test func emptyBlocks() {
            expectError(specError(#"{"blocks": []}"#), path: "blocks", "must hold at least one block")
        }

        @Test func fieldsBesideBlocks() {
            expectError(specError(#"{"blocks": [\#(se())], "name": "x"}"#), path: "name", "unknown field beside \"blocks\"")
        }

        @Test func duplicateBlockNames() {
            // Two blocks of different kinds, both called "se": one C prefix for two kernels.
            let second = #"{"name": "se", "kind": "eca", "input": {"c": 64, "h": 8, "w": 8}}"#
            expectError(specError(#"{"blocks": [\#(se()), \#(second)]}"#), path: "blocks[1].name", "\"se\" is already the name of blocks[0]")
            let third = #"{"blocks": [\#(se(name: "\"a\"")), \#(se(name: "\"b\"")), \#(se(name: "\"a\""))]}"#
            expectError(specError(third), path: "blocks[2].name", "\"a\" is already the name of blocks[0]")
        }

        @Test func decodeErrorsInsideBlocksCarryTheIndex() {
            let good = se(name: "\"a\"")
            expectError(specError(#"{"blocks": [\#(good), {"name": "b", "kind": "se"}]}"#), path: "blocks[1].input", "is required")
            expectError(
                specError(#"{"blocks": [\#(good), \#(se(input: #"{"c": 64, "h": 8.5, "w": 8}"#, name: "\"b\""))]}"#),
                path: "blocks[1].input.h", "must be an integer", "8.5")
            expectError(
                specError(#"{"blocks": [\#(good), \#(se(name: "\"b\"", #""reduction": "16""#))]}"#),
                path: "blocks[1].reduction", "must be an integer", "got a string")
            expectError(
                specError(#"{"blocks": [\#(good), \#(graph(#"[{"op": "softmax2d"}]"#))]}"#),
                path: "blocks[1].graph[0].op", "unknown op \"softmax2d\"")
            expectError(specError(#"{"blocks": [\#(good), 7]}"#), path: "blocks[1]", "must be an object", "got an integer")
            // The first bad block is the one reported.
            expectError(
                specError(#"{"blocks": [{"kind": "se"}, {"name": "b"}]}"#), path: "blocks[0].name", "is required")
        }
    }

    @Suite("fields")
    struct Fields {
        @Test func unknownKind() {
            expectError(specError(#"{"name": "t", "kind": "quadruplet", "input": {"c": 64, "h": 8, "w": 8}}"#),
                        path: "kind", "unknown kind \"quadruplet\"", "se, se_var1, se_var2")
        }

        @Test func missingKindAndGraph() {
            expectError(specError(#"{"name": "x", "input": {"c": 64, "h": 8, "w": 8}}"#), path: "kind", "is required", "\"graph\"")
        }

        @Test func kindAndGraphBothGiven() {
            let json = #"{"name": "x", "kind": "se", "input": {"c": 8, "h": 4, "w": 4}, "graph": [{"op": "sigmoid"}]}"#
            expectError(specError(json), path: "graph", "either \"kind\" or \"graph\", not both")
        }

        @Test func missingName() {
            expectError(specError(#"{"kind": "se", "input": {"c": 64, "h": 8, "w": 8}}"#), path: "name", "is required")
        }

        @Test func missingInput() {
            expectError(specError(#"{"name": "se", "kind": "se"}"#), path: "input", "is required")
        }

        @Test func inputNotAnObject() {
            expectError(specError(se(input: "[1, 64, 8, 8]")), path: "input", "must be an object", "got an array")
        }

        @Test(arguments: ["c", "h", "w"])
        func missingInputAxis(axis: String) {
            var fields = ["\"c\": 64", "\"h\": 8", "\"w\": 8"]
            fields.removeAll { $0.hasPrefix("\"\(axis)\"") }
            expectError(specError(se(input: "{" + fields.joined(separator: ", ") + "}")), path: "input.\(axis)", "is required")
        }

        @Test func inputCZero() {
            expectError(specError(se(input: #"{"c": 0, "h": 8, "w": 8}"#)), path: "input.c", "must be at least 1, got 0")
        }

        @Test func negativeH() {
            expectError(specError(se(input: #"{"c": 64, "h": -3, "w": 8}"#)), path: "input.h", "must be at least 1, got -3")
        }

        @Test func zeroN() {
            expectError(specError(se(input: #"{"n": 0, "c": 64, "h": 8, "w": 8}"#)), path: "input.n", "must be at least 1, got 0")
        }

        @Test func fractionalW() {
            expectError(specError(se(input: #"{"c": 64, "h": 8, "w": 16.5}"#)), path: "input.w", "must be an integer", "16.5")
        }

        @Test func stringWhereAnIntBelongs() {
            expectError(specError(se(input: #"{"c": "64", "h": 8, "w": 8}"#)), path: "input.c", "must be an integer", "got a string")
            expectError(specError(se(#""reduction": "16""#)), path: "reduction", "must be an integer", "got a string")
            expectError(specError(eca(#""kernel_size": [3]"#)), path: "kernel_size", "must be an integer", "got an array")
            expectError(specError(se(#""bias": 1"#)), path: "bias", "must be true or false", "got an integer")
            expectError(specError(se(#""weights": 3"#)), path: "weights", "must be a string", "got an integer")
        }

        @Test func unknownFieldAtTopLevel() {
            expectError(specError(se(#""reductoin": 16"#)), path: "reductoin", "unknown field for kind \"se\"", "reduction")
            // A field of another kind is unknown here too.
            expectError(specError(se(#""kernel_size": 3"#)), path: "kernel_size", "unknown field for kind \"se\"")
            expectError(specError(graph(#"[{"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]"#).dropLast() + #", "reduction": 4}"#),
                        path: "reduction", "unknown field for a graph block")
        }

        @Test func unknownFieldInsideInput() {
            expectError(specError(se(input: #"{"c": 64, "h": 8, "w": 8, "d": 2}"#)), path: "input.d", "unknown field for input", "c, h, n, w")
        }

        @Test func emptyWeightsName() {
            expectError(specError(se(#""weights": """#)), path: "weights", "must be a file name")
        }
    }

    @Suite("hyperparameters")
    struct Hyperparameters {
        @Test func reductionZero() {
            expectError(specError(se(#""reduction": 0"#)), path: "reduction", "must be at least 1, got 0")
            expectError(specError(cbam(#""reduction": -2"#)), path: "reduction", "must be at least 1, got -2")
        }

        @Test func reductionLeavingNoChannels() {
            expectError(specError(se(input: #"{"c": 8, "h": 8, "w": 8}"#, #""reduction": 16"#)),
                        path: "reduction", "leaves 8/16 = 0 channels", "reduced_channels")
            // The default r of 16 does the same to a small C.
            expectError(specError(se(input: #"{"c": 8, "h": 8, "w": 8}"#)), path: "reduction", "16 leaves 8/16 = 0 channels")
            expectError(specError(#"{"name": "c", "kind": "cbam", "input": {"c": 15, "h": 8, "w": 8}}"#),
                        path: "reduction", "leaves 15/16 = 0 channels")
        }

        @Test func reducedChannelsZero() {
            expectError(specError(se(#""reduced_channels": 0"#)), path: "reduced_channels", "must be at least 1, got 0")
            expectError(specError(cbam(#""reduced_channels": 0"#)), path: "reduced_channels", "must be at least 1, got 0")
        }

        @Test(arguments: [2, 4, 6])
        func evenECAKernel(k: Int) {
            expectError(specError(eca(#""kernel_size": \#(k)"#)), path: "kernel_size", "must be a positive odd number, got \(k)")
        }

        @Test(arguments: [0, -1, -3])
        func nonPositiveECAKernel(k: Int) {
            expectError(specError(eca(#""kernel_size": \#(k)"#)), path: "kernel_size", "must be a positive odd number, got \(k)")
        }

        @Test(arguments: [2, 6, 0])
        func evenCBAMSpatialKernel(k: Int) {
            expectError(specError(cbam(#""spatial_kernel_size": \#(k)"#)), path: "spatial_kernel_size",
                        "must be a positive odd number, got \(k)")
        }

        @Test func kernelBeyondTheCap() {
            let k = maxKernelSize + 2
            expectError(specError(eca(#""kernel_size": \#(k)"#)), path: "kernel_size", "must be at most \(maxKernelSize), got \(k)")
            expectError(specError(cbam(#""spatial_kernel_size": \#(k)"#)), path: "spatial_kernel_size", "must be at most \(maxKernelSize)")
            // Wider than C is fine: taps past the edge read zero padding, as in PyTorch.
            #expect(specError(eca(#""kernel_size": 129"#)) == nil)
        }

        @Test func shapeBeyond32BitIndexing() {
            // 65536·256·256 = 2^32 > Int32.max.
            expectError(specError(se(input: #"{"c": 65536, "h": 256, "w": 256}"#)), path: "input", "exceed 32-bit indexing", "2147483647")
            // Int32.max + 1 exactly.
            expectError(specError(se(input: #"{"c": 2, "h": 1073741824, "w": 1}"#)), path: "input", "exceed 32-bit indexing")
        }

        @Test func shapeWhoseProductOverflowsInt64() {
            let huge = #"{"n": 4294967296, "c": 4294967296, "h": 4294967296, "w": 4294967296}"#
            expectError(specError(se(input: huge)), path: "input", "exceed 32-bit indexing")
            let wraps = #"{"n": 4294967296, "c": 4294967296, "h": 1, "w": 1}"#  // 2^64 wraps to 0
            expectError(specError(se(input: wraps)), path: "input", "exceed 32-bit indexing")
        }

        @Test func largestIndexableShapeIsAccepted() throws {
            // Int32.max = 2^31 − 1 = 7 · 31 · 151 · 65537: resolve() accepts it (lowering is not run: it is large).
            let spec = SqueezeExcite("big", input: .nchw(7, 31, 151, 65537), reducedChannels: 1)
            #expect(throws: Never.self) { try spec.resolve() }
        }

        @Test(arguments: [
            "1se", "se-layer", "se layer", "int", "float", "main", #"a\"); system(\"rm"#, "", String(repeating: "a", count: 64),
            "sé", "se.layer", "_Bool",
        ])
        func nameNotACIdentifier(name: String) {
            let quoted = String(decoding: try! JSONEncoder().encode(name), as: UTF8.self)
            expectError(specError(se(name: quoted)), path: "name", "is not a C identifier")
            // The DSL goes through the same rule.
            #expect(throws: SpecError.self) { try Lowering.lower(SqueezeExcite(name, input: .nchw(1, 64, 8, 8))) }
        }

        @Test func nameErrorInsideBlocksFromTheDecoder() {
            // Decoding alone accepts any string as name; the rule is checked once the block resolves.
            #expect(decodeError(se(name: #""1se""#)) == nil)
        }

        @Test func weightsPrefixWithoutWeights() {
            let spec = SqueezeExcite("se", input: .nchw(1, 64, 8, 8), weightsPrefix: "layer3.0.se.")
            #expect(throws: SpecError("weights_prefix", "is given but no weights file is")) { try Pipeline.generate(spec) }
        }
    }

    @Suite("custom graphs")
    struct CustomGraphs {
        @Test func emptyGraph() {
            expectError(specError(graph("[]")), path: "graph", "must hold at least one layer")
        }

        @Test func graphNotAnArray() {
            expectError(specError(graph(#"{"op": "sigmoid"}"#)), path: "graph", "must be an array of layers")
        }

        @Test func unknownOp() {
            expectError(specError(graph(#"[{"op": "global_pool", "mode": "mean"}, {"op": "softmax2d"}]"#)),
                        path: "graph[1].op", "unknown op \"softmax2d\"", "global_pool", "concat")
        }

        @Test func missingOp() {
            expectError(specError(graph(#"[{"mode": "mean"}]"#)), path: "graph[0].op", "is required")
        }

        @Test func unknownPoolMode() {
            expectError(specError(graph(#"[{"op": "global_pool", "mode": "sum"}]"#)), path: "graph[0].mode", "unknown pool mode \"sum\"")
        }

        @Test func unknownFieldInALayer() {
            expectError(specError(graph(#"[{"op": "sigmoid", "mode": "max"}]"#)), path: "graph[0].mode", "unknown field for op \"sigmoid\"")
        }

        @Test func unknownInputName() {
            let layers = #"[{"op": "global_pool", "mode": "mean"}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["y"]}]"#
            expectError(specError(graph(layers)), path: "graph[2].inputs[0]", "no value named \"y\"", "known: x")
        }

        @Test func aNameIsOnlyKnownAfterItsLayer() {
            let layers = #"[{"op": "mul", "inputs": ["x", "gate"]}, {"op": "sigmoid", "as": "gate"}]"#
            expectError(specError(graph(layers)), path: "graph[0].inputs[1]", "no value named \"gate\"")
        }

        @Test func linearOnANonVector() {
            let layers = #"[{"op": "linear", "out_features": 4, "param": "fc"}, {"op": "mul", "inputs": ["x"]}]"#
            expectError(specError(graph(layers)), path: "graph[0].op", "linear reads a pooled vector [N,C,1,1], got [1,8,4,4]")
        }

        @Test func mulWithNonBroadcastableShapes() {
            let layers = """
                [{"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": 4, "param": "fc"},
                 {"op": "mul", "inputs": ["x"]}]
                """
            expectError(specError(graph(layers)), path: "graph[2].inputs", "mul cannot take [1,4,1,1] and [1,8,4,4]", "do not broadcast")
        }

        @Test func aNamedValueNeverUsed() {
            let layers = """
                [{"op": "global_pool", "mode": "max", "as": "unused"},
                 {"op": "global_pool", "mode": "mean", "inputs": ["x"]}, {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]
                """
            expectError(specError(graph(layers)), path: "graph", "(unused) does not reach the output")
        }

        @Test func paramNameWithADash() {
            let layers = """
                [{"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": 8, "param": "fc-1"},
                 {"op": "sigmoid"}, {"op": "mul", "inputs": ["x"]}]
                """
            expectError(specError(graph(layers)), path: "graph[1].param", "\"fc-1\" must be dotted C identifiers")
        }

        @Test func sharedParamWithAnotherShape() {
            let layers = """
                [{"op": "global_pool", "mode": "mean"}, {"op": "linear", "out_features": 4, "param": "fc"},
                 {"op": "linear", "out_features": 8, "param": "fc"}, {"op": "mul", "inputs": ["x"]}]
                """
            expectError(specError(graph(layers)), path: "graph[2].param", "\"fc\" is shared with a layer of another shape")
        }

        @Test func aNameDefinedTwice() {
            let layers = #"[{"op": "sigmoid", "as": "g"}, {"op": "relu", "as": "g"}]"#
            expectError(specError(graph(layers)), path: "graph[1].as", "\"g\" is already defined")
        }

        @Test func renamingTheInput() {
            expectError(specError(graph(#"[{"op": "sigmoid", "as": "x"}]"#)), path: "graph[0].as", "C identifier other than x")
        }

        @Test func evenChannelConvKernel() {
            let layers = #"[{"op": "global_pool", "mode": "mean"}, {"op": "channel_conv1d", "kernel_size": 4, "param": "conv"}]"#
            expectError(specError(graph(layers)), path: "graph[1].kernel_size", "must be a positive odd number, got 4")
        }

        @Test func tooManyOperands() {
            expectError(specError(graph(#"[{"op": "sigmoid", "inputs": ["x", "x"]}]"#)), path: "graph[0].inputs", "sigmoid takes 1 operand(s), 2 given")
        }

        @Test func concatOfOneValue() {
            expectError(specError(graph(#"[{"op": "concat", "inputs": ["x"]}]"#)), path: "graph[0].inputs", "concat needs at least two named inputs")
        }

        @Test func conv2dThatDoesNotFit() {
            let layers = #"[{"op": "conv2d", "out_channels": 1, "kernel_size": 7, "padding": 0, "param": "conv"}]"#
            expectError(specError(graph(layers)), path: "graph[0].inputs", "conv2d cannot take [1,8,4,4]", "does not fit")
        }
    }
}
