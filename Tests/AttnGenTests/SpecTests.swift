// The two front ends agree: every example spec survives a JSON round trip unchanged, the DSL
// builds the same BlockSpec as the JSON, and `resolve()` fills in the documented defaults.

import AttnGen
import AttnLower
import Foundation
import Testing

/// The package root, found from this file's path (Tests/AttnGenTests/SpecTests.swift).
private let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every example spec: Generated/*.spec.json and Tests/Fixtures/*/spec.json, as paths from the root.
private let exampleSpecs: [String] = {
    let fm = FileManager.default
    let generated = ((try? fm.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("Generated").path)) ?? [])
        .filter { $0.hasSuffix(".spec.json") }.map { "Generated/\($0)" }
    let fixtures = ((try? fm.contentsOfDirectory(atPath: repoRoot.appendingPathComponent("Tests/Fixtures").path)) ?? [])
        .map { "Tests/Fixtures/\($0)/spec.json" }
        .filter { fm.fileExists(atPath: repoRoot.appendingPathComponent($0).path) }
    return (generated + fixtures).sorted()
}()

private func decode(_ relativePath: String) throws -> [BlockSpec] {
    let data = try Data(contentsOf: repoRoot.appendingPathComponent(relativePath))
    return try BlockSpec.decodeFile(data)
}

private func decodeOne(_ relativePath: String) throws -> BlockSpec {
    let specs = try decode(relativePath)
    try #require(specs.count == 1)
    return specs[0]
}

private func decodeJSON(_ text: String) throws -> BlockSpec {
    let specs = try BlockSpec.decodeFile(Data(text.utf8))
    try #require(specs.count == 1)
    return specs[0]
}

/// The `out_features` of each linear layer, in order.
private func linearWidths(_ layers: [Layer]) -> [Int] {
    layers.compactMap { if case .linear(let out, _, _) = $0.op { return out } else { return nil } }
}

private func linearBiases(_ layers: [Layer]) -> [Bool] {
    layers.compactMap { if case .linear(_, let bias, _) = $0.op { return bias } else { return nil } }
}

@Suite("Spec")
struct SpecTests {
    @Suite("round trip")
    struct RoundTrip {
        @Test func theExamplesAreThere() {
            // Four Generated examples and ten fixtures at the time of writing; at least the examples named in DESIGN.md.
            #expect(exampleSpecs.contains("Generated/se_resnet50_layer1.spec.json"))
            #expect(exampleSpecs.contains("Generated/max_eca_custom.spec.json"))
            #expect(exampleSpecs.contains("Tests/Fixtures/se_prefix/spec.json"))
            #expect(exampleSpecs.count >= 14)
        }

        @Test(arguments: exampleSpecs)
        func decodeEncodeDecodeIsTheIdentity(path: String) throws {
            for spec in try decode(path) {
                let text = spec.canonicalJSON
                let again = try BlockSpec.decodeFile(Data(text.utf8))
                #expect(again == [spec], "\(path): \(text)")
                // Canonical text is a fixed point.
                #expect(again.first?.canonicalJSON == text)
            }
        }

        @Test func aMultiBlockFileRoundTripsBlockByBlock() throws {
            let text = """
                {"blocks": [
                  {"name": "a", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}, "bias": false, "reduced_channels": 8},
                  {"name": "b", "kind": "eca", "input": {"n": 2, "c": 32, "h": 4, "w": 4}},
                  {"name": "c", "kind": "cbam", "input": {"c": 32, "h": 4, "w": 4}, "spatial_kernel_size": 3,
                   "weights": "w.safetensors", "weights_prefix": "layer1.0."}
                ]}
                """
            let specs = try BlockSpec.decodeFile(Data(text.utf8))
            #expect(specs.map(\.name) == ["a", "b", "c"])
            #expect(specs[1].input == InputShape(n: 2, c: 32, h: 4, w: 4))
            #expect(specs[2].weightsPrefix == "layer1.0.")
            for spec in specs {
                #expect(try BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8)) == [spec])
            }
        }

        @Test func aGraphWithEveryLayerRoundTrips() throws {
            let spec = Block("every_layer", input: .nchw(2, 8, 6, 6), weights: "w.safetensors") {
                GlobalPool(.mean)
                Linear(4, bias: false, param: "fc1")
                ReLU()
                Linear(8, param: "fc2")
                HardSigmoid().named("gate_a")
                GlobalPool(.max, of: "x")
                ChannelConv1D(kernelSize: 3, param: "eca")
                Sigmoid()
                Add("gate_a").named("cgate")
                Multiply("x", "cgate").named("x1")
                ChannelPool(.mean, of: "x1").named("mean_c")
                ChannelPool(.max, of: "x1").named("max_c")
                Concat("mean_c", "max_c")
                Conv2D(1, kernelSize: 3, dilation: 2, bias: true, param: "spatial.conv")
                BatchNorm(param: "spatial.bn", eps: 1e-3)
                Sigmoid()
                Multiply("x1")
            }
            let again = try decodeJSON(spec.canonicalJSON)
            #expect(again == spec)
            // Conv2D's default padding keeps the size: dilation·(k−1)/2.
            guard case .graph(let layers) = again.body, case .conv2d(let conv) = layers[13].op else {
                Issue.record("layer 13 is not a conv2d")
                return
            }
            #expect(conv.padding == 2 && conv.dilation == 2)
            #expect(throws: Never.self) { try Lowering.lower(again) }
        }

        @Test func omittedFieldsStayOmitted() throws {
            let spec = try decodeJSON(#"{"name": "s", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}}"#)
            #expect(spec == SqueezeExcite("s", input: .nchw(1, 64, 4, 4)))
            #expect(spec.input.n == 1)
            #expect(!spec.canonicalJSON.contains("reduction"))
            #expect(!spec.canonicalJSON.contains("bias"))
            // Explicit nulls read as omitted.
            let nulls = try decodeJSON(#"{"name": "s", "kind": "se", "input": {"n": null, "c": 64, "h": 4, "w": 4}, "reduction": null}"#)
            #expect(nulls == spec)
        }
    }

    @Suite("DSL equals JSON")
    struct DSLEqualsJSON {
        @Test func squeezeExcite() throws {
            let dsl = SqueezeExcite("se_resnet50_layer1", input: .nchw(1, 256, 56, 56), reduction: 16)
            #expect(dsl == (try decodeOne("Generated/se_resnet50_layer1.spec.json")))
            #expect(dsl.kind == "se")
        }

        @Test func efficientChannelAttention() throws {
            let dsl = EfficientChannelAttention("eca_resnet50_layer2", input: .nchw(1, 512, 28, 28), kernelSize: 5)
            #expect(dsl == (try decodeOne("Generated/eca_resnet50_layer2.spec.json")))
            #expect(dsl.kind == "eca")
        }

        @Test func cbam() throws {
            let dsl = CBAM("cbam_resnet50_layer3", input: .nchw(1, 1024, 14, 14), reduction: 16, spatialKernelSize: 7)
            #expect(dsl == (try decodeOne("Generated/cbam_resnet50_layer3.spec.json")))
            #expect(dsl.kind == "cbam")
        }

        @Test func customBlock() throws {
            let dsl = Block("max_eca_custom", input: .nchw(1, 64, 32, 32)) {
                GlobalPool(.max)
                ChannelConv1D(kernelSize: 5, param: "conv")
                Sigmoid()
                Multiply("x")
            }
            #expect(dsl == (try decodeOne("Generated/max_eca_custom.spec.json")))
            #expect(dsl.kind == nil)
        }

        @Test func fixtureSpecsMatchTheirDSLSpelling() throws {
            #expect(try decodeOne("Tests/Fixtures/se_prefix/spec.json")
                == SqueezeExcite("se_prefix", input: .nchw(1, 32, 6, 6), weights: "weights.safetensors", weightsPrefix: "layer3.0.se."))
            #expect(try decodeOne("Tests/Fixtures/cbam_timm_c64_k7/spec.json")
                == CBAM("cbam_timm_c64_k7", input: .nchw(2, 64, 9, 7), reducedChannels: 4, spatialKernelSize: 7, bias: false,
                        weights: "weights.safetensors"))
            #expect(try decodeOne("Tests/Fixtures/eca_timm_c2048/spec.json")
                == EfficientChannelAttention("eca_timm_c2048", input: .nchw(1, 2048, 3, 3), weights: "weights.safetensors"))
        }

        @Test func theDSLBuilderCollectsOptionalAndLoopedLayers() {
            let withGate = true
            let spec = Block("b", input: .nchw(1, 8, 2, 2)) {
                GlobalPool(.mean)
                for i in 0..<2 { Linear(8, param: "fc\(i)") }
                if withGate { Sigmoid() } else { HardSigmoid() }
                Multiply("x")
            }
            guard case .graph(let layers) = spec.body else {
                Issue.record("not a graph")
                return
            }
            #expect(layers.map(\.op.jsonName) == ["global_pool", "linear", "linear", "sigmoid", "mul"])
        }
    }

    @Suite("resolve() defaults")
    struct ResolveDefaults {
        /// SE: rd = C / r, floor, r defaulting to 16.
        @Test(arguments: [
            (256, nil as Int?, 16), (256, 16, 16), (256, 8, 32), (100, 16, 6), (64, nil, 4), (48, 16, 3), (17, 16, 1), (7, 7, 1),
        ])
        func seReducedChannels(_ c: (channels: Int, reduction: Int?, rd: Int)) throws {
            let layers = try SqueezeExcite("se", input: .nchw(1, c.channels, 4, 4), reduction: c.reduction).resolve()
            #expect(linearWidths(layers) == [c.rd, c.channels])
        }

        @Test func reducedChannelsWinsOverReduction() throws {
            let layers = try SqueezeExcite("se", input: .nchw(1, 256, 4, 4), reduction: 4, reducedChannels: 10).resolve()
            #expect(linearWidths(layers) == [10, 256])
            // Even over a reduction that would be invalid on its own.
            let odd = try SqueezeExcite("se", input: .nchw(1, 8, 4, 4), reduction: 0, reducedChannels: 3).resolve()
            #expect(linearWidths(odd) == [3, 8])
        }

        @Test func seBiasDefaultsToTrue() throws {
            #expect(linearBiases(try SqueezeExcite("se", input: .nchw(1, 64, 4, 4)).resolve()) == [true, true])
            #expect(linearBiases(try SqueezeExcite("se", input: .nchw(1, 64, 4, 4), bias: false).resolve()) == [false, false])
        }

        @Test func seLowersToTimmNames() throws {
            let program = try Lowering.lower(SqueezeExcite("se", input: .nchw(1, 64, 4, 4))).program
            #expect(program.params.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
            #expect(program.params.map(\.dims) == [[4, 64], [4], [64, 4], [64]])
        }

        /// The paper's formula: t = int(|(log2 C + 1) / 2|), then the odd number at or above t; no clamp.
        @Test(arguments: [
            (1, 1), (2, 1), (4, 1), (8, 3), (16, 3), (32, 3), (64, 3), (100, 3), (128, 5), (256, 5), (512, 5), (1024, 5),
            (2048, 7), (4096, 7), (8192, 7),
        ])
        func ecaKernelFormula(_ c: (channels: Int, kernel: Int)) throws {
            #expect(ecaKernelSize(channels: c.channels) == c.kernel)
            let t = Int(abs((log2(Double(c.channels)) + 1) / 2))
            #expect(c.kernel == (t % 2 == 1 ? t : t + 1))
        }

        @Test(arguments: [(64, 3), (256, 5), (2048, 7)])
        func ecaResolveUsesTheFormulaWhenKernelIsOmitted(_ c: (channels: Int, kernel: Int)) throws {
            let layers = try EfficientChannelAttention("eca", input: .nchw(1, c.channels, 2, 2)).resolve()
            #expect(layers.contains { $0.op == .channelConv1d(kernelSize: c.kernel, param: "conv") })
            let explicit = try EfficientChannelAttention("eca", input: .nchw(1, c.channels, 2, 2), kernelSize: 9).resolve()
            #expect(explicit.contains { $0.op == .channelConv1d(kernelSize: 9, param: "conv") })
        }

        @Test func cbamDefaultsSpatialKernel7AndNoBias() throws {
            let layers = try CBAM("cbam", input: .nchw(1, 64, 9, 9)).resolve()
            #expect(layers.contains {
                $0.op == .conv2d(Conv2DLayer(outChannels: 1, kernelSize: 7, padding: 3, bias: false, param: "spatial.conv.conv"))
            })
            #expect(linearBiases(layers) == [false, false, false, false])
            // rd: default r 16, shared between the avg and max paths.
            #expect(linearWidths(layers) == [4, 64, 4, 64])
            let program = try Lowering.lower(CBAM("cbam", input: .nchw(1, 64, 9, 9))).program
            #expect(program.params.map(\.name) == [
                "channel.fc1.weight", "channel.fc2.weight", "spatial.conv.conv.weight", "spatial.conv.bn.scale",
                "spatial.conv.bn.shift",
            ])
        }

        @Test func cbamHonoursItsOptions() throws {
            let layers = try CBAM("cbam", input: .nchw(1, 64, 9, 9), reduction: 8, spatialKernelSize: 3, bias: true).resolve()
            #expect(linearWidths(layers) == [8, 64, 8, 64])
            #expect(linearBiases(layers) == [true, true, true, true])
            #expect(layers.contains {
                $0.op == .conv2d(Conv2DLayer(outChannels: 1, kernelSize: 3, padding: 1, bias: false, param: "spatial.conv.conv"))
            })
            let rd = try CBAM("cbam", input: .nchw(1, 64, 9, 9), reduction: 8, reducedChannels: 5).resolve()
            #expect(linearWidths(rd) == [5, 64, 5, 64])
        }

        @Test func aGraphResolvesToItself() throws {
            let spec = Block("g", input: .nchw(1, 8, 2, 2)) { GlobalPool(.max); Sigmoid(); Multiply("x") }
            guard case .graph(let layers) = spec.body else { return }
            #expect(try spec.resolve() == layers)
        }

        @Test(arguments: ["a", "_", "se_layer3", "SE3", "_9", String(repeating: "a", count: 63)])
        func validNames(name: String) {
            #expect(isCIdentifier(name))
        }
    }
}
