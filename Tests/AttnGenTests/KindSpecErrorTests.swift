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

