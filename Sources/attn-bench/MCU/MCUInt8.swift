// `attn-bench --mcu --tflite DIR`: the int8 kernels `attn-gen import-tflite` writes for each .tflite
// model in DIR (with its committed samples, NAME.input.bin and NAME.output.bin, as in
// Tests/TFLiteFixtures), counted under QEMU -icount on the Cortex-M4F and M7 against the same
// blocks as TFLM's reference op chain (TFLMChainEmitter), and the fused kernel built without its
// DSP path (-DATTN_INT8_NO_DSP) to show what SMLAD gives. Every run also checks the device's
// outputs against TFLM's; RAM is scratch or arena plus the stack a call writes, flash the kernel
// object's code and constants, and TFLM's own arena comes from its Python interpreter
// (scripts/bench/tflm_arena.py) when one is there.

import AttnTFLite
import Foundation

/// One model of the folder, imported, with its samples.
struct Int8Model {
    let name: String
    let path: URL
    let imported: TFLiteImport
    let inputs: [[Int8]]
    let expected: [[Int8]]
}

/// The three builds of a model's kernels.
enum Int8Build: String, CaseIterable {
    case chain = "TFLM chain"
    case portable = "fused, portable C"
    case dsp = "fused, DSP"

    var variant: Int8DeviceVariant { self == .chain ? .tflmChain : .fused }
    var defines: [String] { self == .portable ? ["-DATTN_INT8_NO_DSP"] : [] }
}

/// What one build and run gave: the device's run, and each kernel object's flash bytes.
struct Int8Outcome: Sendable {
    let run: Int8DeviceRun?
    let flash: [Int]
    let error: String?
    /// Why the build was not made (a block with no TFLM chain); not a failure.
    var excluded: String? = nil
}

enum MCUInt8 {
    static func run(_ options: Options, folder: String) -> Never {
        let wanted = options.cores.isEmpty ? ["m4f", "m7"] : options.cores
        let cores = Core.all.filter { wanted.contains($0.name) }
        if cores.isEmpty { fail("--cores: none of \(wanted) is one of \(Core.all.map(\.name))") }
        let version = (try? Command.run("arm-none-eabi-gcc", ["-dumpfullversion"], timeout: 30).output) ?? ""
        if version.isEmpty { fail("arm-none-eabi-gcc not found: run scripts/embedded/install-arm-tools.sh") }
        let (models, skipped) = load(URL(fileURLWithPath: folder), only: options.blocks)
        if models.isEmpty { fail("--tflite \(folder): no model with recognised blocks and samples\n\(skipped.joined(separator: "\n"))") }
        let jobs = models.indices.flatMap { m in cores.indices.flatMap { k in Int8Build.allCases.map { (m, k, $0) } } }
        let box = Int8Outcomes(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { j in
            let (m, k, build) = jobs[j]
            let o = count(models[m], core: cores[k], build: build, root: options.root)
            box.set(j, o)
            progress("\(models[m].name) \(cores[k].label) \(build.rawValue): \(o.run.map { "\($0.instructions), \($0.differing) differ" } ?? o.error ?? "")")
        }
        let outcomes = box.all
        func outcome(_ m: Int, _ k: Int, _ b: Int8Build) -> Int8Outcome {
            outcomes[jobs.firstIndex { $0 == (m, k, b) }!]!
        }
        let arenas = tflmArenas(models, options)
        print(
            Int8Report.markdown(
                models: models, cores: cores, outcome: outcome, arenas: arenas, skipped: skipped,
                command: (["swift run -c release attn-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                compiler: "arm-none-eabi-gcc \(version.trimmingCharacters(in: .whitespacesAndNewlines))"), terminator: "")
        let failed = outcomes.contains { $0?.excluded == nil && ($0?.run == nil || $0?.run?.differing != 0) }
        exit(failed ? 1 : 0)
    }

    /// The folder's .tflite models that import to at least one kernel and have their samples.
    static func load(_ folder: URL, only: [String]) -> ([Int8Model], [String]) {
        var models: [Int8Model] = []
        var skipped: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".tflite") }.sorted()
        for file in names {
            let name = String(file.dropLast(".tflite".count))
            guard only.isEmpty || only.contains(name) else { continue }
            do {
                let path = folder.appendingPathComponent(file)
                let imported = try TFLiteImport(bytes: Array(try Data(contentsOf: path)), modelName: file)
                guard let first = imported.kernels.first?.recognised.block else {
                    skipped.append("\(name): no recognised block")
                    continue
                }
                let size = first.batch * first.height * first.width * first.channels
                func samples(_ suffix: String) throws -> [[Int8]] {
                    let all = try Data(contentsOf: folder.appendingPathComponent("\(name).\(suffix)")).map { Int8(bitPattern: $0) }
                    return stride(from: 0, to: all.count - size + 1, by: size).map { Array(all[$0..<($0 + size)]) }
                }
                let inputs = try samples("input.bin")
                let expected = try samples("output.bin")
                guard !inputs.isEmpty, inputs.count == expected.count else {
                    skipped.append("\(name): \(inputs.count) input and \(expected.count) output samples")
                    continue
                }
                models.append(Int8Model(name: name, path: path, imported: imported, inputs: inputs, expected: expected))
            } catch {
                skipped.append("\(name): \(error)")
            }
        }
        return (models, skipped)
    }

    /// Builds `model`'s kernels as `build` says for `core`, runs the harness, and sizes the objects.
    static func count(_ model: Int8Model, core: Core, build: Int8Build, root: URL) -> Int8Outcome {
        if let why = Int8DeviceCase.exclusion(model.imported, build.variant) {
            return Int8Outcome(run: nil, flash: [], error: nil, excluded: why)
        }
        let scripts = root.appendingPathComponent("scripts/embedded")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-int8-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let files = Int8DeviceCase.files(model.imported, build.variant, inputs: model.inputs, expected: model.expected)
            for f in files { try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8) }
            let flags = ["-mthumb"] + core.cflags + ["-std=c99"] + build.defines
            var objects: [String] = []
            var flash: [Int] = []
            for f in files where f.name.hasSuffix(".c") {
                let obj = dir.appendingPathComponent(f.name + ".o").path
                let r = try Command.run("arm-none-eabi-gcc", flags + ["-c", dir.appendingPathComponent(f.name).path, "-o", obj], timeout: 120)
                guard r.status == 0 else { return Int8Outcome(run: nil, flash: [], error: "build \(f.name): \(r.output.prefix(400))") }
                objects.append(obj)
                // Berkeley format: text data bss dec hex filename; the kernel's flash is text + data.
                let size = try Command.run("arm-none-eabi-size", [obj], timeout: 30).output.split(separator: "\n").dropFirst().first?
                    .split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) } ?? []
                flash.append(size.count >= 2 ? size[0] + size[1] : -1)
            }
            let elf = dir.appendingPathComponent("int8.elf").path
            let link = try Command.run(
                "arm-none-eabi-gcc",
                flags + [
                    "--specs=rdimon.specs", "-T", scripts.appendingPathComponent(core.linkerScript).path, "-I", dir.path,
                    "-DINT8_CASE=\"int8_case.h\"", scripts.appendingPathComponent("int8_check.c").path,
                    scripts.appendingPathComponent("startup.c").path,
                ] + objects + ["-o", elf], timeout: 300)
            guard link.status == 0 else { return Int8Outcome(run: nil, flash: flash, error: "link: \(link.output.prefix(400))") }
            let qemu = try Command.run(
                "qemu-system-arm",
                ["-M", core.machine, "-nographic", "-monitor", "none", "-semihosting",
                 "-icount", "shift=\(MCUBench.icountShift),align=off,sleep=off", "-kernel", elf], timeout: 600)
            guard let run = Int8DeviceRun(output: qemu.output, kernels: model.imported.kernels.count) else {
                return Int8Outcome(run: nil, flash: flash, error: qemu.timedOut ? "QEMU timed out" : "QEMU (\(qemu.status)): \(qemu.output.suffix(300))")
            }
            return Int8Outcome(run: run, flash: flash, error: nil)
        } catch {
            return Int8Outcome(run: nil, flash: [], error: "\(error)")
        }
    }

    /// TFLM's arena per model from its Python interpreter, or why not.
    static func tflmArenas(_ models: [Int8Model], _ options: Options) -> Result<[[String: Int]], Int8ArenaUnavailable> {
        guard let python = Peers.python(options) else { return .failure(Int8ArenaUnavailable(why: "no Python environment")) }
        let script = options.root.appendingPathComponent("scripts/bench/tflm_arena.py").path
        guard let r = try? Command.run(python, [script] + models.map(\.path.path), timeout: 600), r.status == 0 else {
            return .failure(Int8ArenaUnavailable(why: "scripts/bench/tflm_arena.py failed (is tflite-micro installed?)"))
        }
        let lines = r.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let parsed = lines.compactMap { try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) }
        guard parsed.count == models.count else { return .failure(Int8ArenaUnavailable(why: "tflm_arena.py printed \(parsed.count) of \(models.count) reports")) }
        return .success(parsed)
    }
}

struct Int8ArenaUnavailable: Error {
    let why: String
}

/// Outcomes filled from concurrent jobs.
private final class Int8Outcomes: @unchecked Sendable {
    private var values: [Int8Outcome?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Int8Outcome) { lock.withLock { values[i] = v } }
    var all: [Int8Outcome?] { lock.withLock { values } }
}
