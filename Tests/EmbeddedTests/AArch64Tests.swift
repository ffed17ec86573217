// The host target's register-tiled vector code on AArch64: every Generated/ example, generated
// with `--target host` the way a user makes it, cross-compiled for AArch64 Linux with the README's
// strict flags, linked statically with scripts/embedded/main.c, and run under qemu-aarch64
// (user mode); its output is compared with the interpreter's within the cross-check tolerance.
// The object must hold Advanced SIMD (NEON) float arithmetic where the C has vector code, so a
// change that leaves AArch64 on scalar fallbacks fails here. Instruction counts and times under
// an emulator say nothing about a real core: nothing here is timed.

import AttnGen
import Foundation
import Testing

/// The cross compiler and emulator, installed on first use by scripts/cross/install-aarch64-tools.sh.
struct AArch64Tools: Sendable {
    let gcc: String
    let objdump: String
    let qemu: String

    static let shared: Result<AArch64Tools, ToolError> = {
        let script = EmbeddedPaths.root.appendingPathComponent("scripts/cross/install-aarch64-tools.sh").path
        let install = Tool.run("/bin/bash", [script])
        guard install.status == 0 else {
            return .failure(ToolError("scripts/cross/install-aarch64-tools.sh failed (\(install.status)): \(install.text)"))
        }
        guard let gcc = Tool.which("aarch64-linux-gnu-gcc"), let objdump = Tool.which("aarch64-linux-gnu-objdump"),
            let qemu = Tool.which("qemu-aarch64")
        else { return .failure(ToolError("AArch64 tools still missing after scripts/cross/install-aarch64-tools.sh")) }
        return .success(AArch64Tools(gcc: gcc, objdump: objdump, qemu: qemu))
    }()

    static func get() throws -> AArch64Tools { try shared.get() }
}

enum AArch64 {
    /// The strict flags the README promises every example compiles under, for ARMv8-A (NEON is
    /// part of the base architecture).
    static let flags = ["-march=armv8-a", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]

    /// The block's object and a static executable of it with the check harness.
    static func build(_ b: PreparedBlock) throws -> (object: URL, executable: URL) {
        let tools = try AArch64Tools.get()
        let object = b.directory.appendingPathComponent("\(b.name).aarch64.o")
        let compile = Tool.run(tools.gcc, flags + ["-c", b.sourceURL.path, "-o", object.path])
        guard compile.status == 0 else {
            throw ToolError("aarch64-linux-gnu-gcc \(b.name).c failed:\n\(String(compile.text.prefix(4000)))")
        }
        var defines = [
            "-DATTN_HEADER=\"\(b.name).h\"", "-DATTN_NAME=\(b.name)", "-DATTN_MACRO=\(b.macro)",
            "-DATTN_SEED=\(b.inputSeed)", "-I", b.directory.path,
        ]
        if b.outputMayAliasInput { defines.append("-DATTN_IN_PLACE=1") }
        let executable = b.directory.appendingPathComponent("\(b.name).aarch64")
        let link = Tool.run(
            tools.gcc,
            ["-march=armv8-a", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-static"] + defines
                + [EmbeddedPaths.harnessMain.path, object.path, "-lm", "-o", executable.path])
        guard link.status == 0 else { throw ToolError("link \(b.name) for AArch64: \(String(link.text.prefix(4000)))") }
        return (object, executable)
    }

    /// Advanced SIMD float instructions on four-lane registers in the object's disassembly.
    static func vectorFloatInstructions(_ object: URL) throws -> Int {
        let tools = try AArch64Tools.get()
        let dump = Tool.run(tools.objdump, ["-d", "--no-show-raw-insn", object.path])
        guard dump.status == 0 else { throw ToolError("objdump \(object.lastPathComponent): \(dump.text.prefix(2000))") }
        let ops = ["fmla", "fmul", "fadd", "fsub", "fmax", "fmin", "fdiv"]
        return dump.stdout.split(separator: "\n").filter { line in
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            return fields.count >= 3 && ops.contains(String(fields[1])) && fields[2].hasSuffix(".4s,")
        }.count
    }
}

@Suite struct AArch64Tests {
    /// As written (NCHW, libm) and as an embedded Linux build would take it (NHWC, no libm).
    static let variants = [Variant(target: .host), Variant(layout: .nhwc, libm: false, target: .host)]
    static let cases: [(String, Variant)] = EmbeddedPaths.exampleSpecs().flatMap { spec in variants.map { (spec, $0) } }

    @Test(arguments: cases)
    func runsUnderQEMUUserMode(_ specFile: String, _ variant: Variant) throws {
        let tools = try AArch64Tools.get()
        for b in try Workspace.shared.blocks(specFile, variant) {
            let (object, executable) = try AArch64.build(b)
            let vector = try AArch64.vectorFloatInstructions(object)
            // The host target's register tiles and row helpers are GCC vector extensions: on
            // AArch64 they must become NEON, not scalar code.
            if b.source.contains("vector_size(") {
                #expect(vector > 0, "\(b.name) [\(variant)]: the vector code compiled to no 4-lane float instruction on AArch64")
            }
            let run = Tool.run(tools.qemu, [executable.path], timeout: 600)
            if run.timedOut { throw ToolError("qemu-aarch64 \(b.name) timed out") }
            #expect(run.status == 0, "qemu-aarch64 \(b.name) exited \(run.status): \(String(run.text.suffix(2000)))")
            guard run.status == 0 else { continue }
            let device = try DeviceRun(printout: run.stdout, seconds: run.seconds)
            let reference = try b.reference()
            #expect(device.bits.count == reference.count)
            guard device.bits.count == reference.count else { continue }
            let cmp = try Comparison(device.floats, reference: reference)
            #expect(cmp.within(CrossCheck.tolerance), "\(b.name) [\(variant)] on AArch64 vs the interpreter: \(cmp)")
            print("aarch64 \(b.name) [\(variant)]: \(cmp); \(vector) NEON float instructions")
        }
    }
}
