// Running the cross compiler and QEMU: output captured through files (a pipe could fill and
// stall the child), and a wall-clock limit through coreutils' `timeout`.

import Foundation

struct CommandResult {
    let status: Int32
    let output: String
    /// coreutils `timeout` exits 124 when the limit fired.
    var timedOut: Bool { status == 124 || status == 137 }
}

enum Command {
    static func run(_ tool: String, _ args: [String], timeout: Int) throws -> CommandResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["timeout", "-k", "5", "\(timeout)", tool] + args
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        return CommandResult(status: p.terminationStatus, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
