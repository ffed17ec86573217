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

private func shape(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> InputShape { .nchw(n, c, h, w) }

private let gridCases: [CatalogCase] = [
    SEVariant("se_var1_g", input: shape(2, 5, 3, 7), .var1),
    SEVariant("se_var2_g", input: shape(1, 24, 7, 5), .var2),
    SEVariant("se_var3_g", input: shape(2, 33, 1, 1), .var3),
    SEVariant("se_gc_g4", input: shape(1, 64, 9, 9), .gc(groups: 4)),
    SEVariant("se_gc_g3", input: shape(2, 24, 5, 3), .gc(groups: 3)),
    BAM("bam_g1", input: shape(2, 32, 8, 8)),
    BAM("bam_g2", input: shape(1, 16, 5, 5), BAMOptions(reduction: 4, dilationVal: 2, dilationConvNum: 1)),
    BAM("bam_g3", input: shape(1, 24, 7, 7), BAMOptions(reducedChannels: 5, dilationConvNum: 3)),
    SelectiveKernel("sk_g1", input: shape(1, 32, 8, 8)),
    SelectiveKernel("sk_g2", input: shape(2, 16, 9, 7), SKOptions(outChannels: 24, stride: 2, groups: 4, splitInput: false)),
    SelectiveKernel("sk_g3", input: shape(1, 24, 5, 6), SKOptions(kernelSize: [3, 5, 7], groups: 2, reducedChannels: 6, keep3x3: false)),
    DANetPAM("pam_g1", input: shape(1, 16, 5, 7)),
    DANetPAM("pam_g2", input: shape(2, 32, 8, 8)),
    DANetPAM("pam_g3", input: shape(1, 8, 1, 1)),
    DANetCAM("cam_g1", input: shape(1, 8, 5, 7)),
    DANetCAM("cam_g2", input: shape(2, 16, 6, 6)),
    SCConv("scconv_g1", input: shape(1, 16, 8, 8)),
    SCConv("scconv_g2", input: shape(2, 8, 10, 13), SCConvOptions(stride: 2, groups: 2)),
    SCConv("scconv_g3", input: shape(1, 8, 4, 5), SCConvOptions(poolingR: 2, padding: 2, dilation: 2)),
    PSA("psa_g1", input: shape(1, 64, 8, 8)),
    PSA("psa_g2", input: shape(2, 32, 7, 5), PSAOptions(planes: 64, convGroups: [1, 2, 4, 8], stride: 2)),
    PSA("psa_g3", input: shape(1, 16, 5, 5), PSAOptions(planes: 128, convKernels: [1, 3, 3, 5], convGroups: [1, 1, 2, 16])),
    EMSA("emsa_g1", input: shape(1, 32, 8, 8), EMSAOptions(numHeads: 4, srRatio: 2, qkvBias: true, applyTransform: true)),
    EMSA("emsa_g2", input: shape(2, 16, 7, 5), EMSAOptions(numHeads: 2, qkvBias: true, applyTransform: true)),
    EMSA("emsa_g3", input: shape(1, 32, 9, 9), EMSAOptions(numHeads: 2, srRatio: 3)),
    EMSA("emsa_g4", input: shape(2, 16, 6, 5), EMSAOptions(numHeads: 1, srRatio: 2, applyTransform: true)),
    ExternalAttention("ea_g1", input: shape(1, 16, 6, 10), slots: 8),
    ExternalAttention("ea_g2", input: shape(2, 32, 5, 5)),
    Fusion("fusion_g1", input: shape(1, 16, 6, 6), FusionOptions(inputs: 2, reduction: 2)),
    Fusion("fusion_g2", input: shape(2, 8, 5, 7), FusionOptions(reduction: 4, gate: .sigmoid, interaction: true)),
    Fusion("fusion_g3", input: shape(1, 32, 3, 3), FusionOptions(inputs: 4, reducedChannels: 3, interaction: true)),
].map { CatalogCase(spec: $0) }

@Suite struct CatalogGridTests {
    @Test(arguments: gridCases)
    func jitMatchesInterpreter(_ c: CatalogCase) throws {
        let result = try CrossCheck.run(c.spec, seed: 5)
        #expect(result.passed, "\(result)")
    }

    @Test func everyKindIsInTheGrid() {
        for kind in BlockSpec.kinds where !["se", "eca", "cbam"].contains(kind) {
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
        #expect(try io(gridCases[9].spec) == ([2, 16, 9, 7], [2, 24, 5, 4]))
        #expect(try io(gridCases[20].spec) == ([2, 32, 7, 5], [2, 64, 4, 3]))
        #expect(try io(gridCases[17].spec) == ([2, 8, 10, 13], [2, 8, 5, 7]))
        #expect(try io(gridCases[29].spec) == ([2, 24, 5, 7], [2, 8, 5, 7]))
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
        guard case .sk(var o) = spec.body else { Issue.record("not SK"); return }
        o.groups = 2
        spec.body = .sk(o)
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
            let spec = try #require(try BlockSpec.decodeFile(Data(block(kind, #"{"c": 64, "h": 8, "w": 8}"#, kind == "se_gc" ? #""groups": 4"# : "").utf8)).first)
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
