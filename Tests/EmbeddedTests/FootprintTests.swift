// The footprint `attn-gen size` prints from the spec alone, against what the ARM tools measure:
// the weights exactly (the size of `<name>_params` in the object), the RAM exactly (the buffers
// the QEMU harness declares for input, output and scratch), and the code within the model's
// stated tolerance (CodeSizeModel.withinTolerance: ±30% or ±128 B). Also the size command's
// budgets and its byte-count parsing.

import AttnGen
import AttnCEmit
import AttnFootprint
import Foundation
import Testing

@Suite struct FootprintTests {
    static let cases: [(String, Variant)] = EmbeddedPaths.exampleSpecs().flatMap { spec in Variant.all.map { (spec, $0) } }

    @Test(arguments: cases)
    func estimateMatchesArmNoneEabiSize(_ specFile: String, _ variant: Variant) throws {
        let tools = try ARMTools.get()
        for b in try Workspace.shared.blocks(specFile, variant) {
            // The estimate, from the spec alone (no weights file: the weights' size is in the spec).
            var bare = b.spec
            bare.weights = nil
            bare.selftest = nil  // needs weights; its code and constants are counted below from the real .c
            let generated = try Pipeline.generate(bare)
            let spec = Footprint(program: generated.program, source: generated.source)
            let real = Footprint(program: b.program, source: b.generated)

            let object = try BareMetal.object(b, .m4f)
            let size = try SizeReport(object, tools)
            let symbols = SizeReport.symbolSizes(object, tools)
            #expect(size.data == 0 && size.bss == 0)
            // A block without parameters defines no table at all.
            #expect((symbols["\(b.name)_params"] ?? 0) == spec.weightBytes, "weights of \(b.name): nm says \(symbols["\(b.name)_params"] ?? -1)")
            #expect(real.weightBytes == spec.weightBytes)
            #expect(real.features.weightBytes == spec.weightBytes, "the baked table as counted in the .c text")

            let measuredCode = size.text - spec.weightBytes
            let estimate = real.codeBytes + real.constantBytes
            #expect(
                CodeSizeModel.withinTolerance(estimate: estimate, measured: measuredCode),
                "\(b.name) [\(variant)]: code estimate \(estimate) B, arm-none-eabi-size says \(measuredCode) B")

            // RAM: the harness's buffers are exactly what the footprint counts.
            let elf = try BareMetal.image(b)
            let elfSymbols = SizeReport.symbolSizes(elf, tools)
            let harness = ["io", "input_data", "output_data", "scratch"].compactMap { elfSymbols[$0] }.reduce(0, +)
            #expect(harness == real.ramBytes, "\(b.name): harness buffers \(harness) B, footprint RAM \(real.ramBytes) B")
            #expect(spec.ramBytes == real.ramBytes)

            let err = Double(estimate - measuredCode) / Double(max(measuredCode, 1)) * 100
            print(
                "size \(b.name) [\(variant)]: weights \(spec.weightBytes) = nm \(symbols["\(b.name)_params"] ?? -1);"
                    + " code est \(estimate) vs measured \(measuredCode) (\(String(format: "%+.0f", err))%);"
                    + " RAM \(real.ramBytes) = harness \(harness); text \(size.text) data \(size.data) bss \(size.bss)")
        }
    }

    @Test func byteCounts() {
        #expect(ByteCount.parse("65536") == 65536)
        #expect(ByteCount.parse("64K") == 65536)
        #expect(ByteCount.parse("64k") == 65536)
        #expect(ByteCount.parse("64KiB") == 65536)
        #expect(ByteCount.parse("64KB") == 65536)
        #expect(ByteCount.parse("1M") == 1_048_576)
        #expect(ByteCount.parse("1.5M") == 1_572_864)
        #expect(ByteCount.parse("2 MiB") == nil || ByteCount.parse("2 MiB") == 2_097_152)
        for bad in ["", "K", "-1", "1e3", "1..2K", "12Q", "0x10"] { #expect(ByteCount.parse(bad) == nil, "\(bad)") }
        #expect(ByteCount.grouped(1_234_567) == "1,234,567")
        #expect(ByteCount.grouped(999) == "999")
    }

    @Test func headerAliasMacro() {
        #expect(Footprint.headerSaysOutputMayAliasInput("#define SE_OUTPUT_MAY_ALIAS_INPUT 1 /* ... */", macroPrefix: "SE"))
        #expect(!Footprint.headerSaysOutputMayAliasInput("#define SE_OUTPUT_MAY_ALIAS_INPUT 0 /* ... */", macroPrefix: "SE"))
        #expect(!Footprint.headerSaysOutputMayAliasInput("#define SE_INPUT_SIZE 4", macroPrefix: "SE"))
        #expect(Footprint.headerSaysOutputMayAliasInput("#define SE_OUTPUT_MAY_ALIAS_INPUT", macroPrefix: "SE"))
    }

    /// The emitter counts what an MCU compiler reads as it prints: the MCU branch of a portable
    /// file counts exactly as the MCU file does, with or without libm and in either layout.
    @Test(arguments: EmbeddedPaths.exampleSpecs())
    func portableAndMCUFilesCountTheSame(_ specFile: String) throws {
        for spec in try Pipeline.loadSpecs(path: EmbeddedPaths.generated.appendingPathComponent(specFile).path) {
            for variant in [Variant.plain, Variant(layout: .nhwc, libm: false)] {
                let s = variant.apply(spec)
                let portable = CodeFeatures(try Pipeline.generate(s).source)
                let mcu = CodeFeatures(try Pipeline.generate(s, target: .mcu).source)
                #expect(portable == mcu, "\(spec.name) [\(variant)]: portable \(portable), mcu \(mcu)")
                #expect(mcu.tokens > 0 && mcu.weightBytes == 0 && mcu.constantBytes == 0)
            }
        }
    }

    /// Loops, guards and calls of a small kernel; baked weights and a self-test's golden values
    /// are data, counted in bytes.
    @Test func countsOfASmallKernel() throws {
        let json = #"{"name": "k", "input": {"c": 4, "h": 5, "w": 5}, "selftest": true, "libm": false, "graph": [{"op": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "param": "conv"}, {"op": "sigmoid"}]}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        let lowered = try Pipeline.generate({ var s = spec; s.selftest = nil; return s }())
        let params = lowered.program.randomParams(seed: 3)
        let source = try CEmitter.emit(
            lowered.program, specText: "", weights: params,
            options: EmitOptions(libm: false, selftest: Selftest(seed: 1, checks: [.init(index: 0, value: 0.5), .init(index: 1, value: 0.25)], tolerance: 1e-4), target: .mcu))
        let f = CodeFeatures(source)
        #expect(f.weightBytes == 4 * params.count)
        #expect(f.constantBytes == 8)
        // The per-pixel conv's loops and tap guards, the self-test's loops.
        #expect(f.loops >= 5 && f.branches >= 1)
        // Each sigmoid calls attn_expf, the generator's own: a helper call, not libm's.
        #expect(f.helperCalls >= 1 && f.expfCalls == 0)
    }

    /// What TFLite Micro and onnx2c would hold for SE: both materialise the gate product.
    @Test func peersMaterialiseEveryTensor() throws {
        let spec = try BlockSpec.decodeFile(
            Data(#"{"name": "se_t", "kind": "se", "input": {"c": 64, "h": 8, "w": 8}, "reduction": 16}"#.utf8))[0]
        let g = try Pipeline.generate(spec)
        let p = PeerEstimates(g.program)
        let tensor = 64 * 8 * 8 * 4
        // At the final MUL: x, the gate and y are live.
        #expect(p.tflmHeadBytes == 2 * tensor + 64 * 4)
        // mean [64], fc1+relu [4] / relu [4], fc2 [64], sigmoid [64]: onnx2c keeps ReLU separate.
        #expect(p.onnx2cStaticBytes == (64 + 4 + 4 + 64 + 64) * 4)
        #expect(p.onnx2cIOBytes == 2 * tensor)
        let f = Footprint(program: g.program, source: g.source)
        #expect(f.ramBytes < p.tflmArenaBytes)
    }
}
