// The MCU forms of the GEMM and convolution helpers (Templates/c/gemm_nn.mcu.c, gemm_nt.mcu.c,
// conv_rows.c) fork by the core's float unit: a soft-float loop nest, register tiles for a scalar
// FPU, Helium vectors. The Generated/ examples run under QEMU on the M4F only, so this builds
// scripts/embedded/helpers_check.c (each helper against a double sum of the same terms, on
// random shapes, strides, biases and scales) for every board and runs it there: each branch is
// held to the same bound on the core that takes it.

import Foundation
import Testing

@Suite struct MCUHelperTests {
    /// `-mcpu` flags, QEMU board and linker script per core (as attn-bench --mcu builds them).
    static let boards: [(name: String, flags: [String], machine: String, script: String)] = [
        ("m0", ["-mcpu=cortex-m0", "-mfloat-abi=soft", "-O2"], "microbit", "microbit.ld"),
        ("m4f", ["-mcpu=cortex-m4", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2"], "mps2-an386", "mps2-an386.ld"),
        ("m7", ["-mcpu=cortex-m7", "-mfloat-abi=hard", "-mfpu=fpv5-d16", "-O2"], "mps2-an500", "mps2-an386.ld"),
        ("m55", ["-mcpu=cortex-m55", "-mfloat-abi=hard", "-O3"], "mps3-an547", "mps3-an547.ld"),
    ]

    @Test(arguments: boards.map(\.name))
    func helpersMatchADoubleSumOnTheDevice(_ core: String) throws {
        let tools = try ARMTools.get()
        let board = Self.boards.first { $0.name == core }!
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-helpers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = EmbeddedPaths.root.appendingPathComponent("Templates/c").path
        let object = dir.appendingPathComponent("check.o").path
        let elf = dir.appendingPathComponent("check.elf").path
        // The helpers as the generated files hold them: strict C99.
        let compile = Tool.run(
            tools.gcc, ["-mthumb"] + board.flags + CortexM.strict.filter { $0 != "-O2" } + ["-I", templates, "-c",
                EmbeddedPaths.scripts.appendingPathComponent("helpers_check.c").path, "-o", object], timeout: 300)
        try #require(compile.status == 0, "\(core): \(compile.text.prefix(3000))")
        let link = Tool.run(
            tools.gcc, ["-mthumb"] + board.flags + ["-std=c99", "--specs=rdimon.specs", "-T",
                EmbeddedPaths.scripts.appendingPathComponent(board.script).path, object, EmbeddedPaths.startup.path, "-o", elf],
            timeout: 300)
        try #require(link.status == 0, "\(core): \(link.text.prefix(3000))")
        let run = Tool.run(tools.qemu, ["-M", board.machine, "-nographic", "-monitor", "none", "-semihosting", "-kernel", elf], timeout: 600)
        let line = run.text.split(separator: "\n").first { $0.hasPrefix("HELPERS-CHECK ") }  // semihosting output comes on either stream
        let fields = line.map { $0.split(separator: " ").dropFirst().compactMap { Int($0) } } ?? []
        try #require(fields.count == 2, "\(core): no HELPERS-CHECK line (status \(run.status)): \(run.text.suffix(2000))")
        #expect(fields[0] > 600, "\(core): only \(fields[0]) cases ran")
        #expect(fields[1] == 0, "\(core): \(fields[1]) elements off a double sum of the same terms by more than 1e-5 of their magnitudes")
        print("helpers on \(core): \(fields[0]) cases, \(fields[1]) failing")
    }
}
