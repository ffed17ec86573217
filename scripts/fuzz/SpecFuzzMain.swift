// libFuzzer entry over spec bytes. Each input is checked twice: as a spec file as it is, and as
// the decisions of the structured generator (Tests/HardeningTests/Fuzz/SpecGenerator.swift),
// so coverage guidance reaches the validation rules behind the JSON grammar too.
// Built by scripts/fuzz/build.sh together with the package's modules.

import AttnGen
import Foundation

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    // `ATTN_FUZZ_SEEDS=DIR` writes the seed corpus and the dictionary, then exits.
    if let dir = ProcessInfo.processInfo.environment["ATTN_FUZZ_SEEDS"] {
        let url = URL(fileURLWithPath: dir)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in FuzzSeeds.specs { try? Data(text.utf8).write(to: url.appendingPathComponent("seed-\(name).json")) }
        try? Data(FuzzSeeds.dictionary(FuzzSeeds.specTokens).utf8).write(to: url.appendingPathComponent("../spec.dict"))
        exit(0)
    }
    return 0
}

/// `ATTN_FUZZ_VERBOSE=1` prints what became of each input (to replay one: `./fuzz-X FILE`).
let verbose = ProcessInfo.processInfo.environment["ATTN_FUZZ_VERBOSE"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tally = FuzzOracle.Tally()
    tally.keepMessages = verbose
    var violations: [String] = []
    FuzzOracle.checkSpec(bytes, &tally, violations: &violations)
    var choices = ByteChoices(bytes)
    // The generated spec's C is also compiled by libtcc and run against the interpreter (when
    // small): its names come from a pool of loop variables, libc names and colliding variants.
    FuzzOracle.checkSpec(Array(SpecGenerator.document(&choices).utf8), &tally, violations: &violations, compile: true)
    if verbose { print(tally, tally.messages, separator: "\n") }
    if !violations.isEmpty { fatalError("property violated: \(violations)") }
    return 0
}
