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

    /// `attn-bench --mcu --tflite`: two fixture models (SE and CBAM) on the M4F, their outputs on the
    /// device equal to TFLM's in all three builds, and each fused kernel (DSP path) ahead of TFLM's
    /// reference chain and of its own portable C.
    @Test func int8FusedCountsFewerInstructionsThanTFLMChain() throws {
        _ = try ARMTools.get()
        let gen = try #require(CLI.binary, "attn-gen is not next to the test binary")
        let bench = URL(fileURLWithPath: gen).deletingLastPathComponent().appendingPathComponent("attn-bench").path
        try #require(FileManager.default.isExecutableFile(atPath: bench), "attn-bench is not built next to attn-gen")
        let fixtures = EmbeddedPaths.root.appendingPathComponent("Tests/TFLiteFixtures").path
        let run = Tool.run(bench, ["--mcu", "--tflite", fixtures, "--blocks", "se_c40_7x7,cbam_c16_6x6", "--cores", "m4f"], timeout: 900)
        #expect(run.status == 0, "\(run.text.suffix(2000))")
        // 8 samples × (7·7·40 + 6·6·16), three builds.
        #expect(run.stdout.contains("each build: 0 of 60864 outputs differ from TFLM's"), "\(run.stdout)")
        func count(_ cell: String) -> Double {
            cell.hasSuffix("k") ? (Double(cell.dropLast()) ?? .nan) * 1000 : Double(cell) ?? .nan
        }
        // | block | H×W×C | MACs | M4F chain | M4F fused C | M4F fused DSP | chain ÷ DSP |
        for block in ["se_c40_7x7/se0 (se)", "cbam_c16_6x6/cbam0 (cbam)"] {
            let row = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("| \(block)") }, "\(run.stdout)")
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let (chain, portable, dsp) = (count(cells[3]), count(cells[4]), count(cells[5]))
            #expect(chain > 1.3 * dsp, "\(block): chain \(chain) vs fused \(dsp)")
            #expect(portable > dsp, "\(block): portable C \(portable) vs DSP \(dsp)")
        }
    }
}
