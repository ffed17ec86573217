// The catalog kinds after SE, ECA and CBAM: JIT against the interpreter over a few shapes per
// kind (N 1 and 2, odd and non-square planes, groups, strides, heads), one error test per rule,
// and the JSON round trip of each kind. PyTorch agreement is FixtureTests' job.

import AttnGen
import AttnLower
import Foundation
import Testing

/// One block to cross-check, described for the test log.
struct CatalogCase: CustomStringConvertible, Sendable {
    let spec: BlockSpec
    var description: String { spec.canonicalJSON }
}

/// Every kind's examples (`CatalogBlock.examples`), in registry order.
private let gridCases: [CatalogCase] = CatalogRegistry.all.flatMap { $0.examples }.map { CatalogCase(spec: $0) }

/// The grid case named `name`.
private func gridCase(_ name: String) throws -> BlockSpec {
    try #require(gridCases.first { $0.spec.name == name }?.spec, "no grid case \(name)")
}

@Suite struct CatalogGridTests {
    @Test(arguments: gridCases)
    func jitMatchesInterpreter(_ c: CatalogCase) throws {
        let result = try CrossCheck.run(c.spec, seed: 5)
        #expect(result.passed, "\(result)")
    }

    @Test func everyKindIsInTheGrid() {
        for kind in BlockSpec.kinds {
            #expect(gridCases.contains { $0.spec.kind == kind }, "no grid case for \(kind)")
        }
    }

    /// Output shapes that differ from the input: SK's out_channels and stride, PSA's planes and
    /// stride, SC-Conv's stride; fusion reads M·C channels and returns C.
    @Test func shapesFollowTheSpec() throws {
        func io(_ spec: BlockSpec) throws -> ([Int], [Int]) {
            let p = try Lowering.lower(spec).program
            return (p.input.dims, p.outputShape.dims)
        }
        #expect(try io(gridCase("sk_g2")) == ([2, 16, 9, 7], [2, 24, 5, 4]))
        #expect(try io(gridCase("psa_g2")) == ([2, 32, 7, 5], [2, 64, 4, 3]))
        #expect(try io(gridCase("scconv_g2")) == ([2, 8, 10, 13], [2, 8, 5, 7]))
        #expect(try io(gridCase("fusion_g2")) == ([2, 24, 5, 7], [2, 8, 5, 7]))
    }
}

/// The first SpecError of decoding and lowering `json`, or nil.
private func catalogError(_ json: String) -> SpecError? {
    do {
        for spec in try BlockSpec.decodeFile(Data(json.utf8)) { _ = try Lowering.lower(spec) }
        return nil
    } catch {
        return error
    }
}

/// A `kind` block on `input` with `extra` fields (JSON text without braces).
private func block(_ kind: String, _ input: String = #"{"c": 64, "h": 8, "w": 8}"#, _ extra: String = "") -> String {
    #"{"name": "b", "kind": "\#(kind)", "input": \#(input)\#(extra.isEmpty ? "" : ", " + extra)}"#
}

@Suite struct CatalogSpecErrorTests {
    @Test func unknownFieldsNameTheFieldAndTheKind() {
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""rd_ratio": 0.25"#)), path: "rd_ratio", "unknown field for kind \"sk\"", "reduction")
        expectError(catalogError(block("se_var1", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 4"#)), path: "groups", "unknown field for kind \"se_var1\"")
        expectError(catalogError(block("external_attention", #"{"c": 64, "h": 8, "w": 8}"#, #""s": 8"#)), path: "s", "known: S")
    }

    @Test func badTypes() {
        expectError(catalogError(block("psa", #"{"c": 64, "h": 8, "w": 8}"#, #""conv_kernels": [3, "5", 7, 9]"#)), path: "conv_kernels[1]", "integer")
        expectError(catalogError(block("emsa", #"{"c": 64, "h": 8, "w": 8}"#, #""qkv_bias": 1"#)), path: "qkv_bias", "true or false")
        expectError(catalogError(block("fusion", #"{"c": 64, "h": 8, "w": 8}"#, #""gate": "tanh""#)), path: "gate", "unknown gate \"tanh\"", "sigmoid, softmax")
    }

    @Test func seGC() {
        expectError(catalogError(block("se_gc", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 5"#)), path: "groups", "must divide C (64), got 5")
        expectError(catalogError(block("se_gc", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 0"#)), path: "groups", "at least 1")
        expectError(catalogError(block("se_gc")), path: "groups", "is required")
    }

    @Test func bam() {
        expectError(catalogError(block("bam", #"{"c": 64, "h": 8, "w": 6}"#)), path: "input", "H == W", "8×6")
        expectError(catalogError(block("bam", #"{"c": 8, "h": 8, "w": 8}"#)), path: "reduction", "leaves 8/16 = 0")
        expectError(catalogError(block("bam", #"{"c": 64, "h": 8, "w": 8}"#, #""dilation_val": 0"#)), path: "dilation_val", "at least 1")
        expectError(catalogError(block("bam", #"{"c": 64, "h": 8, "w": 8}"#, #""dilation_conv_num": -1"#)), path: "dilation_conv_num", "at least 0")
    }

    @Test func sk() {
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""kernel_size": [3]"#)), path: "kernel_size", "2 to 16")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""kernel_size": [3, 4]"#)), path: "kernel_size[1]", "odd")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""kernel_size": [1, 3]"#)), path: "kernel_size[0]", "≥ 3")
        expectError(catalogError(block("sk", #"{"c": 63, "h": 8, "w": 8}"#)), path: "kernel_size (its path count)", "must divide C (63), got 2")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 3"#)), path: "groups", "must divide C/paths (32), got 3")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 8, "out_channels": 20"#)), path: "groups", "must divide out_channels (20), got 8")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""stride": 0"#)), path: "stride", "at least 1")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""rd_divisor": 0"#)), path: "rd_divisor", "at least 1")
        expectError(catalogError(block("sk", #"{"c": 64, "h": 8, "w": 8}"#, #""dilation": 0"#)), path: "dilation", "at least 1")
    }

    /// timm's make_divisible (round limit 0.9): SK's attention width for a few settings.
    @Test func skAttentionWidthIsTimms() throws {
        func width(_ c: Int, _ o: SKOptions) throws -> Int {
            let layers = try SelectiveKernel("sk", input: .nchw(1, c, 8, 8), o).resolve()
            for l in layers { if case .linear(let out, _, "attn.fc_reduce") = l.op { return out } }
            return -1
        }
        #expect(try width(32, SKOptions()) == 8)  // 32/16 = 2 → min 8
        #expect(try width(64, SKOptions(groups: 8, reduction: 16, rdDivisor: 32, splitInput: false)) == 32)
        #expect(try width(256, SKOptions()) == 16)
        #expect(try width(32, SKOptions(outChannels: 64, reduction: 8, rdDivisor: 16)) == 16)
        #expect(try width(100, SKOptions(reduction: 4, rdDivisor: 8)) == 24)  // 25 → 24 (≥ 0.9·25)
        #expect(try width(36, SKOptions(reduction: 1, rdDivisor: 8)) == 40)
    }

    /// The SE family's rd: timm's make_divisible (SEModule's round_limit 0, MobileNetV3's 0.9) only
    /// with rd_divisor, else C // reduction; and the layers each option adds.
    @Test func seReducedWidthAndOptions() throws {
        func layers(_ c: Int, _ o: SEOptions) throws -> [LayerOp] {
            try BlockSpec(name: "se", input: .nchw(1, c, 4, 4), body: .block(o)).resolve().map(\.op)
        }
        func width(_ c: Int, _ o: SEOptions) throws -> Int {
            for op in try layers(c, o) { if case .linear(let out, _, "fc1") = op { return out } }
            return -1
        }
        // reference/blocks.md's SEModule table (ratio 1/16, divisor 8).
        for (c, rd) in [(64, 8), (128, 8), (96, 8), (192, 16), (256, 16), (2048, 128), (200, 16)] {
            #expect(try width(c, SEOptions(rdDivisor: 8)) == rd, "C = \(c)")
        }
        #expect(try width(200, SEOptions()) == 12)  // C // 16 without rd_divisor
        #expect(try width(72, SEOptions(reduction: 4, rdDivisor: 8, roundLimit: 0.9)) == 24)  // MobileNetV3: 18 → 16 < 0.9·18 → 24
        #expect(try width(72, SEOptions(reduction: 4, rdDivisor: 8)) == 16)
        #expect(try width(48, SEOptions(reduction: 4, rdDivisor: 8)) == 16)  // GCViT's SE
        #expect(try width(60, SEOptions(reducedChannels: 5, rdDivisor: 8)) == 5)  // reduced_channels wins
        let full = try layers(24, SEOptions(addMaxpool: true, actLayer: .gelu, gateLayer: .hardSigmoid, normLayer: .batchnorm))
        #expect(full.contains(.globalPool(.max)) && full.contains(.mulScalar(0.5)) && full.contains(.batchNorm(param: "bn", eps: 1e-5)))
        #expect(full.contains(.gelu(approximateTanh: false)) && full.contains(.hardSigmoid) && !full.contains(.relu) && !full.contains(.sigmoid))
        expectError(catalogError(block("se", #"{"c": 64, "h": 8, "w": 8}"#, #""act_layer": "swish""#)), path: "act_layer", "unknown activation")
        expectError(catalogError(block("se", #"{"c": 64, "h": 8, "w": 8}"#, #""norm_layer": "groupnorm""#)), path: "norm_layer", "batchnorm")
        expectError(catalogError(block("se", #"{"c": 64, "h": 8, "w": 8}"#, #""round_limit": 0.9"#)), path: "round_limit", "rd_divisor")
        expectError(catalogError(block("se", #"{"c": 64, "h": 8, "w": 8}"#, #""rd_divisor": 8, "round_limit": -1"#)), path: "round_limit", "0...1")
    }

    @Test func danet() {
        expectError(catalogError(block("danet_pam", #"{"c": 4, "h": 8, "w": 8}"#)), path: "input.c", "at least 8, got 4")
        expectError(catalogError(block("danet_cam", #"{"c": 4, "h": 8, "w": 8}"#, #""reduction": 2"#)), path: "reduction", "unknown field for kind \"danet_cam\"")
    }

    @Test func scconv() {
        expectError(catalogError(block("scconv", #"{"c": 64, "h": 8, "w": 8}"#, #""groups": 5"#)), path: "groups", "must divide C (64), got 5")
        expectError(catalogError(block("scconv", #"{"c": 64, "h": 3, "w": 8}"#)), path: "pooling_r", "4 is larger than the 3×8 input")
        expectError(catalogError(block("scconv", #"{"c": 64, "h": 8, "w": 8}"#, #""padding": 2"#)), path: "padding", "must equal dilation (1)")
        expectError(catalogError(block("scconv", #"{"c": 64, "h": 8, "w": 8}"#, #""pooling_r": 0"#)), path: "pooling_r", "at least 1")
    }

    @Test func psa() {
        expectError(catalogError(block("psa", #"{"c": 32, "h": 8, "w": 8}"#)), path: "planes", "planes/4 ≥ 16", "got 32")
        expectError(catalogError(block("psa", #"{"c": 64, "h": 8, "w": 8}"#, #""conv_kernels": [3, 5, 7]"#)), path: "conv_kernels", "4 kernel sizes, got 3")
        expectError(catalogError(block("psa", #"{"c": 64, "h": 8, "w": 8}"#, #""conv_kernels": [3, 5, 6, 9]"#)), path: "conv_kernels[2]", "odd")
        expectError(catalogError(block("psa", #"{"c": 40, "h": 8, "w": 8}"#, #""planes": 64"#)), path: "conv_groups[3]", "must divide C (40), got 16")
        expectError(catalogError(block("psa", #"{"c": 64, "h": 8, "w": 8}"#, #""conv_groups": [1, 4, 8, 32]"#)), path: "conv_groups[3]", "must divide planes/4 (16), got 32")
        expectError(catalogError(block("psa", #"{"c": 64, "h": 8, "w": 8}"#, #""stride": 0"#)), path: "stride", "at least 1")
    }

    @Test func emsa() {
        expectError(catalogError(block("emsa", #"{"c": 36, "h": 8, "w": 8}"#)), path: "num_heads", "must divide C (36), got 8")
        expectError(catalogError(block("emsa", #"{"c": 64, "h": 8, "w": 8}"#, #""sr_ratio": 0"#)), path: "sr_ratio", "at least 1")
        expectError(catalogError(block("emsa", #"{"c": 64, "h": 1, "w": 8}"#, #""sr_ratio": 3"#)), path: "sr_ratio", "does not fit")
    }

    @Test func externalAttention() {
        expectError(catalogError(block("external_attention", #"{"c": 64, "h": 8, "w": 8}"#, #""S": 0"#)), path: "S", "at least 1")
    }

    @Test func fusion() {
        expectError(catalogError(block("fusion", #"{"c": 64, "h": 8, "w": 8}"#, #""inputs": 1"#)), path: "inputs", "at least 2")
        expectError(catalogError(block("fusion", #"{"c": 8, "h": 8, "w": 8}"#)), path: "reduction", "leaves 8/16 = 0")
        expectError(catalogError(block("fusion", #"{"c": 1024, "h": 1024, "w": 1024}"#, #""inputs": 3"#)), path: "inputs", "32-bit")
    }

    /// Weights that disagree with the spec are refused naming the tensor.
    @Test func weightsMustMatchTheSpec() throws {
        let dir = Paths.fixtures.appendingPathComponent("sk_c32_split")
        var spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
        guard var o = spec.body.block(as: SKOptions.self) else { Issue.record("not SK"); return }
        o.groups = 2
        spec.body = .block(o)
        do {
            _ = try Pipeline.generate(spec, baseDirectory: dir)
            Issue.record("no error")
        } catch {
            expectError(error, path: "weights", "paths.0.conv.weight", "expected [32, 8, 3, 3]")
        }
    }
}

@Suite struct CatalogSpecTests {
    /// Every fixture spec (all kinds, every field they use) decodes, encodes and decodes again
    /// to the same value and text.
    @Test(arguments: Paths.fixtureNames())
    func fixtureSpecsRoundTrip(_ name: String) throws {
        let text = try String(contentsOf: Paths.fixtures.appendingPathComponent("\(name)/spec.json"), encoding: .utf8)
        let spec = try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
        let again = try BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8))
        #expect(again == [spec])
        #expect(again.first?.canonicalJSON == spec.canonicalJSON)
    }

    /// The DSL spellings round-trip too, including fields no fixture sets.
    @Test(arguments: gridCases)
    func dslSpecsRoundTrip(_ c: CatalogCase) throws {
        #expect(try BlockSpec.decodeFile(Data(c.spec.canonicalJSON.utf8)) == [c.spec])
    }

    @Test func everyKindDecodes() throws {
        for kind in BlockSpec.kinds {
            // se_gc has no default groups; bat's default 7×7 transforms do not tile an 8×8 plane.
            let extra = kind == "se_gc" ? #""groups": 4"# : kind == "bat" ? #""block_size": 4"# : ""
            let spec = try #require(try BlockSpec.decodeFile(Data(block(kind, #"{"c": 64, "h": 8, "w": 8}"#, extra).utf8)).first)
            #expect(spec.kind == kind)
            _ = try Lowering.lower(spec)
        }
    }

    /// Catalog parameters are the reference state_dict names, so fixture files import as is.
    @Test func paramNamesAreTheReferenceNames() throws {
        let cases: [(String, [String])] = [
            ("danet_pam_c32", ["query_conv.weight", "key_conv.bias", "value_conv.weight", "gamma"]),
            ("emsa_c32_h4_s2", ["q.weight", "kv.bias", "sr.weight", "sr_norm.weight", "transform_conv.weight", "proj.bias"]),
            ("sk_c32_split", ["paths.1.conv.weight", "attn.fc_reduce.weight", "attn.fc_select.weight"]),
            ("bam_c64_r16", ["channel_att.gate_c.gate_c_fc_0.weight", "spatial_att.gate_s.gate_s_conv_di_1.weight"]),
        ]
        for (fixture, names) in cases {
            let spec = try Pipeline.loadSpecs(path: Paths.fixtures.appendingPathComponent("\(fixture)/spec.json").path)[0]
            let declared = Set(try Lowering.lower(spec).sources.flatMap(\.tensorNames))
            for n in names { #expect(declared.contains(n), "\(fixture) lacks \(n)") }
        }
    }
}
