// `attn-bench --mcu`, the instruction count under QEMU -icount, on two blocks and two cores: the
// harness (scripts/embedded/count.c) calibrates and counts, and the fused kernels execute fewer
// instructions than the same blocks op by op where fusing is meant to pay — the memory-bound
// blocks on the Cortex-M4F and the Helium core. Counts are exact for a given compiler, so this is
// not a timed test.

import Foundation
import Testing

@Suite struct InstructionCountTests {
    @Test func fusedBlocksCountFewerInstructions() throws {
        _ = try ARMTools.get()
        let gen = try #require(CLI.binary, "attn-gen is not next to the test binary")
        let bench = URL(fileURLWithPath: gen).deletingLastPathComponent().appendingPathComponent("attn-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: bench), "attn-bench is not built next to attn-gen")
        let run = Tool.run(bench, ["--mcu", "--blocks", "se_resnet50_layer1,cbam_resnet50_layer3", "--cores", "m4f,m55"], timeout: 900)
        #expect(run.status == 0, "\(run.text.suffix(2000))")
        // | block | shape | MACs | M4F | M55 |, each core's cell "fused / op-by-op (ratio)".
        var ratios: [String: [Double]] = [:]
        // The first table only: the second has the same rows per MAC and per element.
        for line in run.stdout.split(separator: "\n") where line.hasPrefix("| se_") || line.hasPrefix("| cbam_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if ratios[cells[0]] != nil { continue }
            ratios[cells[0]] = cells.dropFirst(3).map { cell in
                Double(cell.split(separator: "(").last?.dropLast() ?? "") ?? .nan
            }
        }
        let se = try #require(ratios["se_resnet50_layer1"], "no SE row in:\n\(run.stdout)")
        let cbam = try #require(ratios["cbam_resnet50_layer3"], "no CBAM row in:\n\(run.stdout)")
        #expect(se.count == 2 && se.allSatisfy { $0 > 1.05 }, "SE op-by-op ÷ fused on M4F, M55: \(se)")
        #expect(cbam.count == 2 && cbam[0] > 1.05, "CBAM op-by-op ÷ fused on M4F: \(cbam)")
    }
}
