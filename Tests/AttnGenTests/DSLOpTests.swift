// The DSL words for the attention ops: a block written in Swift with them lowers to the same
// program as its JSON, and its C matches the interpreter.

import AttnGen
import Foundation
import Testing

@Suite struct DSLOpTests {
    /// DANet's channel attention written by hand: Gram matrix, max − energy, softmax, product.
    static func channelAttention(_ input: InputShape) -> BlockSpec {
        let (n, c, h, w) = (input.n, input.c, input.h, input.w)
        return Block("cam_dsl", input: input) {
            Primitive(.reshape([n, 1, c, h * w]), "x").named("X")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 1), "X", "X").named("E")
            Primitive(.axisPool(.max, axis: .w), "E").named("m")
            Subtract("m", "E")
            Softmax(.w)
            Primitive(.matmul(transposeA: false, transposeB: false, alpha: 1), "_", "X")
            Primitive(.reshape([n, c, h, w]))
            Primitive(.parameter(param: "gamma", shape: [1, 1, 1, 1])).named("g")
            Multiply("_", "g")  // `_` is still the reshape: a parameter is read by its name only
            Add("x")
        }
    }

    @Test(arguments: [InputShape.nchw(1, 16, 5, 7), .nchw(2, 8, 4, 4)])
    func handWrittenCAMMatchesTheInterpreter(_ input: InputShape) throws {
        let spec = Self.channelAttention(input)
        let result = try CrossCheck.run(spec, seed: 5)
        #expect(result.passed, "\(result)")
        // The DSL and JSON give the same spec.
        #expect(try BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8)) == [spec])
    }

    @Test func attentionWordLowers() throws {
        let spec = Block("attn_dsl", input: .nchw(1, 8, 3, 5)) {
            Primitive(.reshape([1, 2, 4, 15]), "x").named("q")
            Primitive(.attention(scale: 0.5), "q", "q", "q")
            Primitive(.reshape([1, 8, 3, 5]))
            Add("x")
        }
        let result = try CrossCheck.run(spec, seed: 9)
        #expect(result.passed, "\(result)")
    }

    /// Relative-position logits on a query grid (2×3) smaller than the key grid (3×4), as a
    /// HaloNet block has them: the DSL and the JSON agree, and the C matches the interpreter.
    @Test func relativePositionAttentionMatches() throws {
        let spec = Block("relpos_dsl", input: .nchw(1, 8, 3, 4)) {
            Primitive(.reshape([1, 2, 4, 12]), "x").named("k")
            Primitive(.slice(start: 0, count: 4), "x")
            Primitive(.reshape([1, 2, 4, 6])).named("q")
            Primitive(.attention(scale: 0.5, relPos: RelPosLayer(param: "pos", queryWidth: 3, keyHeight: 3, keyWidth: 4, scaled: true)), "q", "k", "k")
            Primitive(.reshape([1, 4, 3, 4]))
        }
        #expect(try BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8)) == [spec])
        for variant in [spec, spec.layout(.nhwc).libm(false)] {
            let result = try CrossCheck.run(variant, seed: 3)
            #expect(result.passed, "\(result)")
        }
        let tooWide = #"{"name": "r", "input": {"c": 8, "h": 3, "w": 4}, "graph": [{"op": "reshape", "shape": [1, 2, 4, 12], "as": "k"}, {"op": "attention", "inputs": ["k", "k", "k"], "rel_pos": "pos", "query_width": 5, "key_height": 3, "key_width": 4}]}"#
        do {
            _ = try Pipeline.generate(try BlockSpec.decodeFile(Data(tooWide.utf8))[0])
            Issue.record("a query grid wider than the keys lowered")
        } catch {
            #expect(error.path == "graph[1].query_width", "\(error)")
        }
    }

    @Test func anUnnamedParameterIsASpecError() throws {
        let text = #"{"name": "p", "input": {"c": 4, "h": 2, "w": 2}, "graph": [{"op": "parameter", "param": "gamma", "shape": [1, 1, 1, 1]}, {"op": "mul", "inputs": ["x"]}]}"#
        let spec = try BlockSpec.decodeFile(Data(text.utf8))[0]
        do {
            _ = try Pipeline.generate(spec)
            Issue.record("an unnamed parameter lowered")
        } catch {
            #expect(error.path == "graph[0].as", "\(error)")
            #expect(error.message.contains("must be named"), "\(error)")
        }
    }

    /// The activation words: the DSL and the JSON give the same spec, and its C matches the interpreter.
    @Test func activationWordsRoundTripAndMatch() throws {
        let spec = Block("acts_dsl", input: .nchw(2, 6, 3, 5)) {
            MultiplyScalar(2.5).named("s")
            SiLU(of: "s").named("a")
            HardSwish(of: "s")
            GELU()
            GELU(approximate: .tanh).named("b")
            Tanh(of: "a")
            LeakyReLU(negativeSlope: -0.25)
            ReLU6()
            AddScalar(-1)
            Add("b")
            Multiply("x")
        }
        #expect(try BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8)) == [spec])
        for variant in [spec, spec.layout(.nhwc).libm(false)] {
            let result = try CrossCheck.run(variant, seed: 4)
            #expect(result.passed, "\(result)")
        }
    }

    /// A constant the C cannot spell (NaN, ±inf, or finite in Double only) is a SpecError naming
    /// the field, from the DSL as from JSON.
    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e39])
    func nonFiniteConstantsAreSpecErrors(_ value: Double) throws {
        let words: [(String, any LayerConvertible)] = [
            ("negative_slope", LeakyReLU(negativeSlope: value)), ("value", MultiplyScalar(value)), ("value", AddScalar(value)),
        ]
        for (field, word) in words {
            let spec = Block("bad_const", input: .nchw(1, 2, 2, 2)) { ReLU(); word.layer }
            do {
                _ = try Pipeline.generate(spec)
                Issue.record("\(word.layer.op.jsonName) with \(value) lowered")
            } catch {
                #expect(error.path == "graph[1].\(field)", "\(error)")
            }
        }
    }
}

