// `attn-gen size`: the table from the spec alone, and budgets that turn an overrun into exit 1
// with a message naming the budget and the excess.

import AttnGen
import AttnFootprint
import Foundation
import Testing

@Suite struct SizeCommandTests {
    static let se = EmbeddedPaths.generated.appendingPathComponent("se_resnet50_layer1.spec.json").path

    func sizeCommand(_ args: [String]) throws -> ToolResult {
        guard let binary = CLI.binary else { throw ToolError("the attn-gen binary is not next to the test binary") }
        return Tool.run(binary, ["size"] + args)
    }

    @Test func printsRAMAndFlashPerBlock() throws {
        let r = try sizeCommand([Self.se, "--compare"])
        #expect(r.status == 0, "\(r.text)")
        let f = try Footprint.of(try Pipeline.loadSpecs(path: Self.se)[0])
        for needle in ["se_resnet50_layer1", "RAM", "flash", ByteCount.grouped(f.ramBytes), ByteCount.grouped(f.flashBytes),
            "weights \(ByteCount.grouped(f.weightBytes))", "TFLM arena", "onnx2c"]
        {
            #expect(r.stdout.contains(needle), "no \"\(needle)\" in:\n\(r.stdout)")
        }
    }

    @Test func budgetOverrunIsAnError() throws {
        let r = try sizeCommand([Self.se, "--max-ram", "64K", "--max-flash", "1M"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("RAM"), "\(r.stderr)")
        #expect(r.stderr.contains("--max-ram 64K (65,536 B)"), "\(r.stderr)")
        let f = try Footprint.of(try Pipeline.loadSpecs(path: Self.se)[0])
        #expect(r.stderr.contains("by \(ByteCount.grouped(f.ramBytes - 65536)) B"), "\(r.stderr)")
        #expect(!r.stderr.contains("flash"), "flash is within 1M: \(r.stderr)")
    }

    @Test func flashBudget() throws {
        let r = try sizeCommand([Self.se, "--max-flash", "16K"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("flash") && r.stderr.contains("--max-flash 16K (16,384 B)"), "\(r.stderr)")
    }

    @Test func withinBudgetSucceeds() throws {
        let r = try sizeCommand([Self.se, "--max-ram", "4M", "--max-flash", "64K"])
        #expect(r.status == 0, "\(r.text)")
        #expect(r.stderr.isEmpty)
    }

    @Test(arguments: ["12x", "-5", "K"])
    func badByteCountIsRejected(_ text: String) throws {
        let r = try sizeCommand([Self.se, "--max-ram=\(text)"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a byte count"), "\(r.stderr)")
    }

    @Test func unknownCoreIsRejected() throws {
        let r = try sizeCommand([Self.se, "--cpu", "cortex-a53"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown core"), "\(r.stderr)")
    }
}
