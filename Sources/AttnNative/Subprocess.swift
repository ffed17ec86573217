// Running the system C compiler: one child process, stdout and stderr captured together.

import Foundation

enum Subprocess {
    struct Result {
        let status: Int32
        /// stdout and stderr interleaved, as a terminal would show them.
        let output: String
    }

    /// Runs `command` (first word looked up on PATH) and waits for it.
    static func run(_ command: [String], in directory: URL? = nil) throws(NativeError) -> Result {
        let process = Process()
        // env does the PATH search, so `CC=clang` and `CC=/opt/x/bin/gcc` both work.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        if let directory { process.currentDirectoryURL = directory }
        // One pipe for both streams: reading two pipes one after the other can deadlock when the
        // unread one fills up.
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw NativeError(.compilerUnavailable, error.localizedDescription, command: command)
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationStatus
        // env exits 127 when it cannot find the program.
        if status == 127 {
            throw NativeError(.compilerUnavailable, String(decoding: data, as: UTF8.self), command: command)
        }
        return Result(status: status, output: String(decoding: data, as: UTF8.self))
    }
}
