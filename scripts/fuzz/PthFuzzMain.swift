// libFuzzer entry over torch.save checkpoints: a whole file, or a pickle wrapped in an archive of
// float storages (CheckpointSeeds.asFile); the zip reader, the pickle machine, the view checks,
// every tensor, then each block the names suggest through the pipeline.
// Built by scripts/fuzz/build.sh together with the package's modules.

import AttnGen
import Foundation

/// One scratch folder per process for the file the pipeline reads.
let scratch: URL = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let url = URL(fileURLWithPath: base + "/attn-fuzz-pth-\(getpid())", isDirectory: true)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/attn-fuzz-pth-\(getpid())") }
    return url
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = ProcessInfo.processInfo.environment["ATTN_FUZZ_SEEDS"] {
        let url = URL(fileURLWithPath: dir)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, bytes) in CheckpointSeeds.files { try? Data(bytes).write(to: url.appendingPathComponent("seed-\(name)")) }
        for (name, bytes) in CheckpointSeeds.pickles { try? Data(bytes).write(to: url.appendingPathComponent("seed-\(name).pkl")) }
        try? Data(FuzzSeeds.dictionary(CheckpointSeeds.tokens).utf8).write(to: url.appendingPathComponent("../pth.dict"))
        exit(0)
    }
    return 0
}

/// `ATTN_FUZZ_VERBOSE=1` prints what became of each input (to replay one: `./fuzz-pth FILE`).
let verbose = ProcessInfo.processInfo.environment["ATTN_FUZZ_VERBOSE"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tally = FuzzOracle.Tally()
    tally.keepMessages = verbose
    var violations: [String] = []
    FuzzOracle.checkCheckpoint(bytes, in: scratch, &tally, violations: &violations)
    if verbose { print(tally, tally.messages, separator: "\n") }
    if !violations.isEmpty { fatalError("property violated: \(violations)") }
    return 0
}
