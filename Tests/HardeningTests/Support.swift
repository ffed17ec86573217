// Paths, the built attn-gen binary, subprocesses, temporary folders and resident memory.

import AttnGen
import Foundation
import Testing

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let generated = root.appendingPathComponent("Generated")
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    static func script(_ path: String) -> String { root.appendingPathComponent("scripts/" + path).path }
}

/// The `attn-gen` executable SwiftPM built beside this test bundle (HardeningTests depends on it).
let attnGenBinary: String = {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // Inside an .xctest bundle on some platforms the runner sits deeper; walk up to the products folder.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("attn-gen").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return exe.deletingLastPathComponent().appendingPathComponent("attn-gen").path
}()

struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
    /// True when the process was killed for running past its timeout.
    var timedOut = false
    /// Non-empty lines of stderr.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Runs `tool` with `args` (in `directory` if given) and waits; stdout and stderr apart. Output
/// goes to files, not pipes, so a chatty child can never block on a full pipe.
func runProcess(
    _ tool: String, _ args: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Double? = nil
) -> ProcessResult {
    let capture = URL(fileURLWithPath: NSTemporaryDirectory() + "attn-capture-\(getpid())-\(UUID().uuidString.prefix(8))")
    let outURL = URL(fileURLWithPath: capture.path + ".out")
    let errURL = URL(fileURLWithPath: capture.path + ".err")
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    guard let out = try? FileHandle(forWritingTo: outURL), let err = try? FileHandle(forWritingTo: errURL) else {
        return ProcessResult(status: -1, stdout: "", stderr: "cannot create capture files")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    if let directory { p.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    env["ATTN_DEBUG"] = nil
    p.environment = env.merging(environment) { $1 }
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    do { try p.run() } catch { return ProcessResult(status: -1, stdout: "", stderr: "cannot run \(tool): \(error)") }
    var timedOut = false
    if let timeout {
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            timedOut = true
            kill(p.processIdentifier, SIGKILL)
        }
    }
    p.waitUntilExit()
    try? out.close()
    try? err.close()
    let text = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
    return ProcessResult(
        status: p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus,
        stdout: text(outURL), stderr: text(errURL), timedOut: timedOut)
}

/// A fresh temporary folder; the caller removes it.
func makeTempDir(_ label: String = "hard") throws -> URL {
    let url = URL(
        fileURLWithPath: NSTemporaryDirectory() + "attn-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every file below `dir`, relative paths, sorted (hidden files included).
func listing(_ dir: URL) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
    return (e.allObjects as? [String] ?? []).sorted()
}

/// Resident set size of this process in kB, from /proc/self/statm (pages × page size).
func residentKB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

/// Positive integer from the environment, for the long versions of the load tests.
func environmentInt(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
}

/// A safetensors file written byte by byte, for files the writer never produces.
func handMadeFile(header: String, data: [UInt8] = []) -> [UInt8] {
    FuzzSeeds.littleEndian([UInt64(header.utf8.count)]) + Array(header.utf8) + data
}
