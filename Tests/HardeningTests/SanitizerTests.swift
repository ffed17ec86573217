// A short run of scripts/sanitize.sh: the Generated/ examples, two weight-baking fixtures and a
// dozen random SE/ECA/CBAM blocks compiled with clang -fsanitize=address,undefined and run on
// every special input class. The full run (150 random blocks, every fixture) is the script alone.

import Foundation
import Testing

@Suite("Emitted C under ASan and UBSan")
struct SanitizerTests {
    @Test func quickSanitizerRun() throws {
        let r = runProcess("/bin/bash", [Repo.script("sanitize.sh"), "--quick"], environment: ["ATTN_GEN": attnGenBinary])
        #expect(r.status == 0, "scripts/sanitize.sh --quick failed:\n\(r.stdout.suffix(3000))\n\(r.stderr.suffix(6000))")
        let summary = r.stdout.split(separator: "\n").last { $0.hasPrefix("sanitize:") }
        #expect(summary?.contains("no report") == true, "\(r.stdout.suffix(2000))")
        print(summary ?? "")
    }
}
