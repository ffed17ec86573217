// Issue 13's kinds refuse hyperparameters outside their reference's domain with a SpecError
// naming the field and the rule.

import AttnGen
import AttnLower
import Foundation
import Testing

/// The first SpecError of decoding and lowering a `kind` block on `input` with `extra` fields.
private func kindError(_ kind: String, _ input: String, _ extra: String = "") -> SpecError? {
    let json = #"{"name": "b", "kind": "\#(kind)", "input": \#(input)\#(extra.isEmpty ? "" : ", " + extra)}"#
    do {
        for spec in try BlockSpec.decodeFile(Data(json.utf8)) { _ = try Lowering.lower(spec) }
        return nil
    } catch {
        return error
    }
}

@Suite struct KindSpecErrorTests {
    @Test func ese() {
        expectError(kindError("ese", #"{"c": 8, "h": 4, "w": 4}"#, #""gate_layer": "silu""#), path: "gate_layer", "unknown gate \"silu\"", "hard_sigmoid")
        expectError(kindError("ese", #"{"c": 8, "h": 4, "w": 4}"#, #""reduction": 4"#), path: "reduction", "unknown field for kind \"ese\"")
    }

    @Test func ceca() {
        expectError(kindError("ceca", #"{"c": 3, "h": 4, "w": 4}"#, #""kernel_size": 9"#), path: "kernel_size", "pads C = 3 circularly by 4", "at most 7")
        expectError(kindError("ceca", #"{"c": 8, "h": 4, "w": 4}"#, #""kernel_size": 4"#), path: "kernel_size", "odd")
        #expect(kindError("ceca", #"{"c": 3, "h": 4, "w": 4}"#, #""kernel_size": 7"#) == nil)
        // The same rule for a custom graph's op.
        let graph = #"{"name": "g", "input": {"c": 2, "h": 3, "w": 3}, "graph": [{"op": "global_pool", "mode": "mean"}, {"op": "channel_conv1d", "kernel_size": 7, "padding_mode": "circular", "param": "c"}]}"#
        do {
            for spec in try BlockSpec.decodeFile(Data(graph.utf8)) { _ = try Lowering.lower(spec) }
            Issue.record("no error")
        } catch {
            expectError(error, path: "graph[1].kernel_size", "pads C = 2 circularly by 3")
        }
        let mode = #"{"name": "g", "input": {"c": 2, "h": 3, "w": 3}, "graph": [{"op": "global_pool", "mode": "mean"}, {"op": "channel_conv1d", "kernel_size": 3, "padding_mode": "reflect", "param": "c"}]}"#
        do {
            _ = try BlockSpec.decodeFile(Data(mode.utf8))
            Issue.record("no error")
        } catch {
            expectError(error, path: "graph[1].padding_mode", "unknown padding mode \"reflect\"", "zeros, circular")
        }
    }
}

@Suite struct GlobalContextRuleTests {
    @Test func errors() {
        expectError(kindError("gc", #"{"c": 8, "h": 4, "w": 4}"#, #""fuse_add": false, "fuse_scale": false"#), path: "fuse_add", "both false")
        expectError(kindError("gc", #"{"c": 8, "h": 4, "w": 4}"#, #""eps": 0"#), path: "eps", "positive")
        expectError(kindError("gc", #"{"c": 8, "h": 4, "w": 4}"#, #""rd_divisor": 0"#), path: "rd_divisor", "at least 1")
        expectError(kindError("gc", #"{"c": 8, "h": 4, "w": 4}"#, #""reduction": 0"#), path: "reduction", "at least 1")
    }

    /// timm's make_divisible(C/8, 1, round_limit=0): half up, at least 1.
    @Test func widthIsTimms() throws {
        func width(_ c: Int, _ o: GCOptions = GCOptions()) throws -> Int {
            for l in try GlobalContextBlock("gc", input: .nchw(1, c, 4, 4), o).resolve() {
                if case .linear(let out, _, "mlp_scale.fc1") = l.op { return out }
            }
            return -1
        }
        #expect(try width(20) == 3)  // 2.5 → 3
        #expect(try width(12) == 2)  // 1.5 → 2
        #expect(try width(4) == 1)  // 0.5 → 1
        #expect(try width(64, GCOptions(reduction: 16, rdDivisor: 8)) == 8)
        #expect(try width(256, GCOptions(reduction: 4)) == 64)
    }
}

@Suite struct TripletAndFCARuleTests {
    @Test func fca() {
        expectError(kindError("fca", #"{"c": 24, "h": 7, "w": 7}"#), path: "freq_sel_method", "top16 splits C into 16 groups", "(24)")
        expectError(kindError("fca", #"{"c": 16, "h": 7, "w": 7}"#, #""freq_sel_method": "top3""#), path: "freq_sel_method", "unknown method")
        // The official adaptive pool with uneven or non-square windows (folded into the filter).
        #expect(kindError("fca", #"{"c": 16, "h": 14, "w": 14}"#, #""dct_h": 5"#) == nil)
        #expect(kindError("fca", #"{"c": 16, "h": 14, "w": 14}"#, #""dct_h": 7, "dct_w": 14"#) == nil)
        expectError(kindError("fca", #"{"c": 16, "h": 7, "w": 7}"#, #""dct_w": 1000000"#), path: "dct_w", "the DCT filter dct_layer.weight 16×7×1000000")
        expectError(kindError("fca", #"{"c": 16, "h": 7, "w": 7}"#, #""dct_w": 0"#), path: "dct_w", "at least 1")
        expectError(kindError("fca", #"{"c": 8, "h": 7, "w": 7}"#, #""freq_sel_method": "low8""#), path: "reduction", "leaves 8/16 = 0")
        #expect(kindError("fca", #"{"c": 16, "h": 14, "w": 14}"#, #""dct_h": 7, "dct_w": 7"#) == nil)
    }

    @Test func triplet() {
        expectError(kindError("triplet", #"{"c": 16, "h": 7, "w": 7}"#, #""no_spatial": 1"#), path: "no_spatial", "true or false")
        expectError(kindError("triplet", #"{"c": 16, "h": 7, "w": 7}"#, #""reduction_ratio": 16"#), path: "reduction_ratio", "unknown field for kind \"triplet\"")
    }
}

@Suite struct GatherExciteRuleTests {
    @Test func errors() {
        let input = #"{"c": 16, "h": 8, "w": 8}"#
        expectError(kindError("ge", input, #""extent": 3, "extra_params": true"#), path: "extent", "even")
        expectError(kindError("ge", input, #""extent": 1026"#), path: "extent", "at most 1023")
        expectError(kindError("ge", input, #""extent": 2, "feat_size": 3"#), path: "feat_size", "only read with extra_params")
        expectError(kindError("ge", input, #""extra_params": true, "add_maxpool": true"#), path: "add_maxpool", "no effect")
        expectError(kindError("ge", input, #""feat_size": 3"#), path: "feat_size", "only read with extra_params")
        expectError(kindError("ge", #"{"c": 16, "h": 8, "w": 6}"#, #""extra_params": true"#), path: "feat_size", "is required", "8×6")
        expectError(kindError("ge", input, #""extra_params": true, "feat_size": 0"#), path: "feat_size", "at least 1")
        expectError(kindError("ge", input, #""extra_params": true, "extent": -2"#), path: "extent", "even")
        expectError(kindError("ge", input, #""use_mlp": false, "reduction": 4"#), path: "reduction", "only read with use_mlp")
        #expect(kindError("ge", #"{"c": 16, "h": 8, "w": 6}"#, #""extra_params": true, "feat_size": 5"#) == nil)
        #expect(kindError("ge", input, #""extra_params": true, "extent": 8"#) == nil)
        // timm's padded average pool (count_include_pad=False), with and without the max.
        #expect(kindError("ge", input, #""extent": 2"#) == nil)
        #expect(kindError("ge", #"{"c": 16, "h": 3, "w": 5}"#, #""extent": 4, "add_maxpool": true, "use_mlp": false"#) == nil)
    }

    /// The padded pool2d the pooled gathers lower to, as a graph op: PyTorch's bounds.
    @Test func paddedPoolOp() {
        func graphError(_ layer: String) -> SpecError? {
            let json = #"{"name": "g", "input": {"c": 2, "h": 3, "w": 4}, "graph": [\#(layer)]}"#
            do {
                for spec in try BlockSpec.decodeFile(Data(json.utf8)) { _ = try Lowering.lower(spec) }
                return nil
            } catch {
                return error
            }
        }
        expectError(graphError(#"{"op": "pool2d", "mode": "mean", "kernel_size": 3, "padding": 2}"#), path: "graph[0].padding", "kernel_size / 2 = 1")
        expectError(graphError(#"{"op": "pool2d", "mode": "mean", "kernel_size": 3, "padding": -1}"#), path: "graph[0].padding", "between 0")
        expectError(graphError(#"{"op": "pool2d", "mode": "max", "kernel_size": 3, "count_include_pad": false}"#), path: "graph[0].count_include_pad", "only read by a mean pool")
        expectError(graphError(#"{"op": "pool2d", "mode": "max", "kernel_size": 7, "padding": 1}"#), path: "graph[0].kernel_size", "larger than the 3×4 input padded by 1")
        #expect(graphError(#"{"op": "pool2d", "mode": "max", "kernel_size": 5, "stride": 2, "padding": 2}"#) == nil)
        #expect(graphError(#"{"op": "pool2d", "mode": "mean", "kernel_size": 5, "padding": 2, "count_include_pad": false}"#) == nil)
    }
}

@Suite struct SimAMRuleTests {
    @Test func errors() {
        expectError(kindError("simam", #"{"c": 16, "h": 1, "w": 1}"#), path: "input", "H·W − 1", "1×1")
        expectError(kindError("simam", #"{"c": 16, "h": 4, "w": 4}"#, #""e_lambda": 0"#), path: "e_lambda", "positive")
        expectError(kindError("simam", #"{"c": 16, "h": 4, "w": 4}"#, #""e_lambda": 1e39"#), path: "e_lambda", "float32")
        #expect(kindError("simam", #"{"c": 16, "h": 1, "w": 2}"#) == nil)
    }
}

@Suite struct SRMRuleTests {
    @Test func errors() {
        expectError(kindError("srm", #"{"c": 16, "h": 1, "w": 1}"#), path: "input", "H·W − 1", "1×1")
        expectError(kindError("srm", #"{"c": 16, "h": 4, "w": 4}"#, #""reduction": 4"#), path: "reduction", "unknown field for kind \"srm\"")
        #expect(kindError("srm", #"{"c": 16, "h": 2, "w": 1}"#) == nil)
    }
}

@Suite struct ECAMLPRuleTests {
    @Test func errors() {
        let input = #"{"c": 64, "h": 4, "w": 4}"#
        expectError(kindError("eca", input, #""reduction": 4"#), path: "reduction", "only read with use_mlp")
        expectError(kindError("eca", input, #""use_mlp": true, "reduction": 0"#), path: "reduction", "at least 1")
        expectError(kindError("eca", input, #""use_mlp": true, "kernel_size": 4"#), path: "kernel_size", "odd")
        expectError(kindError("eca", input, #""use_mlp": true, "act_layer": "swish""#), path: "act_layer", "unknown activation")
        #expect(kindError("eca", input, #""use_mlp": true, "rd_divisor": 1, "act_layer": "gelu""#) == nil)
    }
}
