// libFuzzer entry over safetensors bytes: the reader, every accessor, then each block the tensor
// names suggest through the whole pipeline (import, BatchNorm folding, C with baked weights).
// Built by scripts/fuzz/build.sh together with the package's modules.

import AttnGen
import Foundation

/// One scratch folder per process for the file the pipeline reads.
let scratch: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: base + "/attn-fuzz-weights-\(getpid())", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/attn-fuzz-weights-\(getpid())") }
    return url
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["ATTN_FUZZ_SEEDS"] {
        let url = URL(fileURLWithPath: dir)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, bytes) in FuzzSeeds.weights { try? Data(bytes).write(to: url.appendingPathComponent("seed-\(name).safetensors")) }
        try? Data(FuzzSeeds.dictionary(FuzzSeeds.weightTokens).utf8).write(to: url.appendingPathComponent("../weights.dict"))
        exit(0)
    }
    return 0
}

/// `ATTN_FUZZ_VERBOSE=1` prints what became of each input (to replay one: `./fuzz-X FILE`).
let verbose = ProcessInfo.processInfo.environment["ATTN_FUZZ_VERBOSE"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWeights(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tally = FuzzOracle.Tally()
    tally.keepMessages = verbose
    var violations: [String] = []
    FuzzOracle.checkWeights(bytes, in: scratch, &tally, violations: &violations)
    if verbose { print(tally, tally.messages, separator: "\n") }
    if !violations.isEmpty { fatalError("property violated: \(violations)") }
    return 0
}
