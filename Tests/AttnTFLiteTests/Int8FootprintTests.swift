import AttnFootprint
import Foundation
import Testing
@testable import AttnTFLite

/// `attn-gen size` on int8 kernels, against what arm-none-eabi-gcc builds for a Cortex-M4F: the
/// constant tables exactly (text = code + tables, no data or bss), the code within the model's
/// tolerance, the stack within the stated bound, for every fixture kernel and a few random ones.
@Suite struct Int8FootprintTests {
    struct Measured {
        let text: Int, data: Int, bss: Int, stack: Int
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: out, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: text]) }
        return text
    }

    /// Builds the kernel for the Cortex-M4F with the code-size model's flags.
    static func measure(_ kernel: TFLiteImport.Kernel, gcc: String, size: String) throws -> Measured {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("int8-size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in kernel.files { try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8) }
        let c = dir.appendingPathComponent("\(kernel.name).c").path, o = dir.appendingPathComponent("\(kernel.name).o").path
        let flags = CodeSizeModel.cortexM4F.flags.split(separator: " ").map(String.init)
        _ = try run(gcc, flags + ["-std=c99", "-fstack-usage", "-c", c, "-o", o, "-I", dir.path])
        let row = try run(size, [o]).split(separator: "\n")[1].split(whereSeparator: { $0 == " " || $0 == "\t" })
        let su = try String(contentsOf: dir.appendingPathComponent("\(kernel.name).su"), encoding: .utf8)
        // The deepest chain: the forward plus a helper it calls (each line: place, bytes, kind).
        let frames = su.split(separator: "\n").compactMap { line in line.split(separator: "\t").dropFirst().first.flatMap { Int($0) } }
        return Measured(text: Int(row[0])!, data: Int(row[1])!, bss: Int(row[2])!, stack: frames.reduce(0, +))
    }

    @Test func constantsExactCodeWithinToleranceStackWithinBound() throws {
        let gcc = try #require(Self.which("arm-none-eabi-gcc"), "arm-none-eabi-gcc is needed (scripts/install-deps.sh)")
        let size = try #require(Self.which("arm-none-eabi-size"))
        var kernels: [TFLiteImport.Kernel] = []
        for m in try Fixtures.models() {
            kernels += try TFLiteImport(bytes: try Fixtures.bytes("\(m.name).tflite"), modelName: m.name).kernels
        }
        var r = BlockRandom(rng: SplitMix64(state: 0x512E))
        for i in 0..<8 {
            let model = [r.se(hardSigmoid: i % 2 == 0, hardSwish: i % 3 == 0), r.eca(), r.cbam()][i % 3]
            kernels += TFLiteImport(model: model, modelName: "random \(i)").kernels
        }
        #expect(kernels.count > 20)
        for k in kernels {
            let f = try #require(Int8Footprint(name: k.name, header: k.files[0].contents, source: k.files[1].contents))
            let m = try Self.measure(k, gcc: gcc, size: size)
            #expect(m.data == 0 && m.bss == 0, "\(k.name): data \(m.data), bss \(m.bss)")
            #expect(f.scratchBytes == Int8Emitter.scratchBytes(k.recognised.block))
            let b = k.recognised.block
            #expect(f.inputBytes == b.batch * b.height * b.width * b.channels && f.outputMayAliasInput)
            let code = m.text - f.constantBytes
            #expect(code > 0, "\(k.name): text \(m.text) B is not more than the tables \(f.constantBytes) B")
            #expect(
                CodeSizeModel.withinTolerance(estimate: f.codeBytes, measured: code),
                "\(k.name) (\(k.recognised.kind)): code estimate \(f.codeBytes) B, arm-none-eabi-size says \(code) B")
            #expect(m.stack <= Int8Footprint.stackBytes, "\(k.name): stack \(m.stack) B over the bound")
            print("int8 size \(k.recognised.kind) \(k.name): constants \(f.constantBytes), code est \(f.codeBytes) vs \(code), stack \(m.stack)")
        }
    }
}
