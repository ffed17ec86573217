// The int8 kernels of every fixture model with recognised blocks (Tests/TFLiteFixtures, made by
// scripts/make_tflite_fixtures.py with TFLite Micro) on the Cortex-M4F under QEMU: every committed
// sample through the model's kernels on the device, 0 outputs differing from TFLM's. Both the
// fused kernels import-tflite writes (built with the DSP extension the M4F has, so the SMLAD path
// is the one checked) and the TFLM reference op chain the benchmark counts them against.

import AttnTFLite
import Foundation
import Testing

@Suite struct Int8QEMUTests {
    static let fixtures = EmbeddedPaths.root.appendingPathComponent("Tests/TFLiteFixtures")

    /// Model names from index.json that hold recognised blocks.
    static let models: [String] = {
        struct Model: Decodable {
            let name: String
            let blocks: [String]
        }
        struct Index: Decodable { let models: [Model] }
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent("index.json")),
            let index = try? JSONDecoder().decode(Index.self, from: data)
        else { return [] }
        return index.models.filter { !$0.blocks.isEmpty }.map(\.name)
    }()

    static let toolsMissing: String? = {
        if case .failure(let e) = ARMTools.shared { return e.description }
        return nil
    }()

    @Test func theFixturesAreFound() { #expect(Self.models.count >= 7 && Self.models.contains("two_se_c16_4x4")) }

    @Test(
        .enabled(if: toolsMissing == nil, "arm-none-eabi-gcc or qemu-system-arm is missing: \(toolsMissing ?? "")"),
        arguments: models, Int8DeviceVariant.allCases)
    func bitExactWithTFLMOnCortexM4F(_ model: String, _ variant: Int8DeviceVariant) throws {
        let dir = Workspace.shared.root.appendingPathComponent("int8-\(model)-\(variant.rawValue)")
        let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("\(model).tflite")))
        // Every recognised kind has a TFLM chain, CBAM's included, so both variants run on every model.
        #expect(Int8DeviceCase.exclusion(try TFLiteImport(bytes: bytes, modelName: model), variant) == nil, "\(model) [\(variant.rawValue)]")
        let run = try Int8Device.run(model: model, variant: variant, in: dir)
        #expect(run.compared > 0)
        #expect(run.differing == 0, "\(model) [\(variant.rawValue)]: \(run.differing) of \(run.compared) outputs differ from TFLM on the M4F")
        #expect(run.instructions.allSatisfy { $0 > 0 }, "\(run.instructions)")
        print("qemu int8 \(model) [\(variant.rawValue)]: \(run.differing) of \(run.compared) differ; instructions \(run.instructions); stack \(run.stackBytes)")
    }
}

extension Int8QEMUTests {
    /// Planes past 255 rows (the DSP channel sums flush their int16 lanes every 255 rows) and, for
    /// ECA and CBAM, channel counts that leave a tail after the groups of four (CBAM: and fewer
    /// than four, the portable first pass; maps smaller than the 7×7 filter, the clipped taps):
    /// sizes no fixture model has. The fixture blocks' arithmetic at those sizes, on the M4F, against
    /// the Swift model of the kernel, which Int8BitExactTests pins to TFLM on the fixtures; seeded
    /// inputs over the full int8 range.
    @Test(.enabled(if: toolsMissing == nil, "arm-none-eabi-gcc or qemu-system-arm is missing: \(toolsMissing ?? "")"))
    func longPlanesAndChannelTailsOnCortexM4F() throws {
        func block(_ model: String) throws -> Int8Block {
            let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("\(model).tflite")))
            return try #require(try TFLiteImport(bytes: bytes, modelName: model).kernels.first).recognised.block
        }
        func se(_ model: String) throws -> Int8SE {
            guard case .se(let se) = try block(model) else { throw ToolError("\(model) is not an SE block") }
            return se
        }
        guard case .cbam(let cbam) = try block("cbam_c16_6x6"), case .cbam(let cbam3) = try block("cbam_c24_5x7") else {
            throw ToolError("the CBAM fixtures are not CBAM blocks")
        }
        let (se, hsig, eca) = (try se("se_c16_5x5"), try se("hsig_se_c32_4x4"), try se("eca_c16_5x5"))
        let cases: [(String, Int8Block?)] = [
            ("se_long", se.resized(height: 17, width: 17).map(Int8Block.se)), ("hsig_long", hsig.resized(height: 23, width: 24).map(Int8Block.se)),
            ("eca_tail", eca.resized(height: 23, width: 23, channels: 19).map(Int8Block.se)),
            ("eca_small", eca.resized(height: 2, width: 3, channels: 3).map(Int8Block.se)),
            ("cbam_long", .cbam(cbam.resized(height: 17, width: 16))), ("cbam_tail", .cbam(cbam.resized(height: 5, width: 3, channels: 19))),
            ("cbam_narrow", .cbam(cbam3.resized(height: 4, width: 9, channels: 3))),
        ]
        var state: UInt64 = 15
        for (name, resized) in cases {
            let b = try #require(resized, "\(name)")
            let size = b.height * b.width * b.channels
            let inputs: [[Int8]] = (0..<2).map { _ in
                (0..<size).map { _ in
                    state &+= 0x9E37_79B9_7F4A_7C15
                    return Int8(truncatingIfNeeded: (state ^ (state >> 29)) >> 21)
                }
            }
            let kernel = Int8DeviceCase.Kernel(
                files: Int8Emitter.files(b, name: name, origin: "a fixture block resized"), forward: "\(name)_forward",
                workBytes: Int8Emitter.scratchBytes(b))
            let files = Int8DeviceCase.files([kernel], label: name, inputs: inputs, expected: inputs.map { b($0) })
            let run = try Int8Device.run(files, kernels: 1, label: name, in: Workspace.shared.root.appendingPathComponent("int8-\(name)"))
            #expect(run.compared == 2 * size)
            #expect(run.differing == 0, "\(name) (\(b.height)×\(b.width)×\(b.channels)): \(run.differing) of \(run.compared) differ from the model")
        }
    }
}

/// Imports a fixture model, builds the int8 harness for the Cortex-M4F with strict flags on the
/// generated files, and runs it under QEMU with -icount.
enum Int8Device {
    static func run(model: String, variant: Int8DeviceVariant, in dir: URL) throws -> Int8DeviceRun {
        let tools = try ARMTools.get()
        let folder = Int8QEMUTests.fixtures
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("\(model).tflite")))
        let imported = try TFLiteImport(bytes: bytes, modelName: "\(model).tflite")
        func samples(_ file: String) throws -> [[Int8]] {
            let all = try Data(contentsOf: folder.appendingPathComponent(file)).map { Int8(bitPattern: $0) }
            let b = imported.kernels[0].recognised.block
            let size = b.batch * b.height * b.width * b.channels
            return stride(from: 0, to: all.count, by: size).map { Array(all[$0..<($0 + size)]) }
        }
        let files = Int8DeviceCase.files(
            imported, variant, inputs: try samples("\(model).input.bin"), expected: try samples("\(model).output.bin"))
        return try run(files, kernels: imported.kernels.count, label: "\(model) [\(variant.rawValue)]", in: dir)
    }

    /// Builds the harness around `files` (Int8DeviceCase's) and runs it.
    static func run(_ files: [(name: String, contents: String)], kernels: Int, label: String, in dir: URL) throws -> Int8DeviceRun {
        let tools = try ARMTools.get()
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files { try Data(f.contents.utf8).write(to: dir.appendingPathComponent(f.name)) }
        let core = CortexM.m4f
        var objects: [String] = []
        for f in files where f.name.hasSuffix(".c") {
            let obj = dir.appendingPathComponent(f.name + ".o").path
            let r = Tool.run(tools.gcc, core.flags + CortexM.strict + ["-c", dir.appendingPathComponent(f.name).path, "-o", obj])
            guard r.status == 0 else { throw ToolError("arm-none-eabi-gcc \(f.name): \(String(r.text.prefix(4000)))") }
            objects.append(obj)
        }
        for src in [EmbeddedPaths.scripts.appendingPathComponent("int8_check.c"), EmbeddedPaths.startup] {
            let obj = dir.appendingPathComponent(src.lastPathComponent + ".o").path
            let r = Tool.run(
                tools.gcc,
                core.flags + ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-I", dir.path, "-DINT8_CASE=\"int8_case.h\"", "-c", src.path, "-o", obj])
            guard r.status == 0 else { throw ToolError("harness \(src.lastPathComponent): \(String(r.text.prefix(4000)))") }
            objects.append(obj)
        }
        let elf = dir.appendingPathComponent("int8.elf").path
        let link = Tool.run(tools.gcc, core.flags + ["--specs=rdimon.specs", "-T", EmbeddedPaths.linkerScript.path] + objects + ["-o", elf])
        guard link.status == 0 else { throw ToolError("link: \(String(link.text.prefix(4000)))") }
        let r = Tool.run(
            tools.qemu,
            ["-M", "mps2-an386", "-nographic", "-monitor", "none", "-semihosting", "-icount", "shift=6,align=off,sleep=off", "-kernel", elf],
            timeout: 600)
        guard r.status == 0, let run = Int8DeviceRun(output: r.text, kernels: kernels) else {
            throw ToolError("QEMU run of \(label) exited \(r.status): \(String(r.text.suffix(2000)))")
        }
        return run
    }
}
