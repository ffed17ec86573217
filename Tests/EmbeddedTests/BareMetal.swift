// Building a prepared block for a Cortex-M and running it under QEMU: the generated .c with the
// strict flags, the harness (scripts/embedded/main.c, startup.c, mps2-an386.ld) around it for
// the run, and the parsing of what the harness prints over semihosting.

import AttnGen
import Foundation

/// What a block is generated with: the options the lead's emitter takes per spec.
struct Variant: Hashable, Sendable, CustomStringConvertible {
    var layout: TensorLayout = .nchw
    var libm = true
    var selftest = false
    /// The file the CLI writes: the portable one, or only what an MCU compiler reads.
    var target: EmitTarget = .portable

    /// The spec as written (NCHW, libm's expf, no self-test), the portable file.
    static let plain = Variant()
    /// What a device build would use: NHWC, no libm, the self-test compiled in, `--target mcu`.
    static let device = Variant(layout: .nhwc, libm: false, selftest: true, target: .mcu)

    static let all = [plain, device]

    var description: String {
        ([layout.rawValue, libm ? "libm" : "nolibm"] + (selftest ? ["selftest"] : []) + (target == .portable ? [] : [target.rawValue]))
            .joined(separator: "-")
    }

    func apply(_ spec: BlockSpec) -> BlockSpec {
        var s = spec
        s.layout = layout == .nchw ? nil : layout
        s.libm = libm ? nil : false
        s.selftest = selftest ? true : nil
        return s
    }
}

/// Memoised work shared by tests running in parallel (one compile per object, one link per ELF).
final class Memo<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [String: Result<Value, Error>] = [:]
    private var inFlight: Set<String> = []

    func get(_ key: String, _ make: () throws -> Value) throws -> Value {
        condition.lock()
        while inFlight.contains(key) { condition.wait() }
        if let v = values[key] {
            condition.unlock()
            return try v.get()
        }
        inFlight.insert(key)
        condition.unlock()
        let result = Result { try make() }
        condition.lock()
        values[key] = result
        inFlight.remove(key)
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }
}

/// The device's printout.
struct DeviceRun {
    let bits: [UInt32]
    let selftest: Int?
    let seconds: Double
    var floats: [Float] { bits.map(Float.init(bitPattern:)) }
}

extension DeviceRun {
    /// Parses scripts/embedded/main.c's printout (ATTN-OUTPUT, the hex bits, ATTN-END, ATTN-DONE).
    init(printout: String, seconds: Double) throws {
        var lines = printout.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        }[...]
        guard let start = lines.firstIndex(where: { $0.hasPrefix("ATTN-OUTPUT ") }), let count = Int(lines[start].dropFirst(12))
        else { throw ToolError("no ATTN-OUTPUT line in the device's output: \(String(printout.prefix(2000)))") }
        lines = lines[(start + 1)...]
        var bits: [UInt32] = []
        bits.reserveCapacity(count)
        for line in lines.prefix(count) {
            guard let v = UInt32(line, radix: 16) else { throw ToolError("bad output line \"\(line)\"") }
            bits.append(v)
        }
        guard bits.count == count, lines.dropFirst(count).first == "ATTN-END" else {
            throw ToolError("device printed \(bits.count) of \(count) values")
        }
        var selftest: Int? = nil
        if let line = lines.first(where: { $0.hasPrefix("ATTN-SELFTEST ") }) { selftest = Int(line.dropFirst(14)) }
        guard lines.contains("ATTN-DONE") else { throw ToolError("device did not print ATTN-DONE") }
        self.init(bits: bits, selftest: selftest, seconds: seconds)
    }
}

enum BareMetal {
    private static let objects = Memo<URL>()
    private static let elves = Memo<URL>()

    /// `<name>.<core>.o`: the generated .c compiled with the flags (-std=c99 -Wall -Wextra
    /// -Werror, plus -pedantic), at -O2.
    static func object(_ b: PreparedBlock, _ core: CortexM) throws -> URL {
        let out = b.directory.appendingPathComponent("\(b.name).\(core).o")
        return try objects.get(out.path) {
            let tools = try ARMTools.get()
            let r = Tool.run(tools.gcc, core.flags + CortexM.strict + ["-c", b.sourceURL.path, "-o", out.path])
            guard r.status == 0 else {
                throw ToolError("arm-none-eabi-gcc \(core) \(b.name).c failed:\n\(String(r.text.prefix(4000)))")
            }
            return out
        }
    }

    /// The Cortex-M4F image for QEMU: harness + startup + the block's object, linked with newlib's
    /// rdimon (semihosting) and the mps2-an386 linker script.
    static func image(_ b: PreparedBlock, probe: Bool = false) throws -> URL {
        let elf = b.directory.appendingPathComponent(probe ? "expf-probe.elf" : "\(b.name).elf")
        return try elves.get(elf.path) {
            let tools = try ARMTools.get()
            let core = CortexM.m4f
            var defines = [
                "-DATTN_HEADER=\"\(b.name).h\"", "-DATTN_NAME=\(b.name)", "-DATTN_MACRO=\(b.macro)",
                "-DATTN_SEED=\(b.inputSeed)", "-I", b.directory.path,
            ]
            var objects: [String] = []
            if probe {
                defines += ["-DATTN_EXPF_PROBE=1", "-DATTN_SOURCE=\"\(b.name).c\""]
            } else {
                if b.outputMayAliasInput { defines.append("-DATTN_IN_PLACE=1") }
                if b.hasSelftest { defines.append("-DATTN_SELFTEST=1") }
                objects.append(try object(b, core).path)
            }
            let harness = [
                (EmbeddedPaths.harnessMain, b.directory.appendingPathComponent(probe ? "probe.o" : "main.o")),
                (EmbeddedPaths.startup, b.directory.appendingPathComponent("startup.o")),
            ]
            for (src, obj) in harness {
                let r = Tool.run(
                    tools.gcc,
                    core.flags + ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"] + defines + ["-c", src.path, "-o", obj.path])
                guard r.status == 0 else { throw ToolError("harness \(src.lastPathComponent): \(String(r.text.prefix(4000)))") }
                objects.append(obj.path)
            }
            let link = Tool.run(
                tools.gcc,
                core.flags + ["--specs=rdimon.specs", "-T", EmbeddedPaths.linkerScript.path] + objects
                    + ["-lm", "-o", elf.path])
            guard link.status == 0 else { throw ToolError("link \(b.name): \(String(link.text.prefix(4000)))") }
            return elf
        }
    }

    /// Runs an image on QEMU's mps2-an386 with semihosting and parses its printout.
    static func run(_ elf: URL, timeout: Int = 600) throws -> DeviceRun {
        let tools = try ARMTools.get()
        let r = Tool.run(
            tools.qemu, ["-M", "mps2-an386", "-nographic", "-semihosting", "-kernel", elf.path], timeout: timeout)
        if r.timedOut { throw ToolError("QEMU run of \(elf.lastPathComponent) timed out after \(timeout) s") }
        guard r.status == 0 else {
            throw ToolError("QEMU run of \(elf.lastPathComponent) exited \(r.status) (1 = fault): \(String(r.text.suffix(2000)))")
        }
        return try DeviceRun(printout: r.stdout, seconds: r.seconds)
    }
}
