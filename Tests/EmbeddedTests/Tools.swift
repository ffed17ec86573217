// The ARM toolchain and QEMU for the embedded tests: installed on first use by
// scripts/embedded/install-arm-tools.sh (apt, when missing), then run with a timeout and their
// output captured in files (a kernel's output can be megabytes; pipes would deadlock).

import Foundation

enum EmbeddedPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let generated = root.appendingPathComponent("Generated")
    static let scripts = root.appendingPathComponent("scripts/embedded")
    static let linkerScript = scripts.appendingPathComponent("mps2-an386.ld")
    static let startup = scripts.appendingPathComponent("startup.c")
    static let harnessMain = scripts.appendingPathComponent("main.c")

    /// Example spec files in Generated/, sorted by name.
    static func exampleSpecs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: generated.path)) ?? []
        return names.filter { $0.hasSuffix(".spec.json") }.sorted()
    }
}

struct ToolResult {
    let status: Int32
    let stdout: String
    let stderr: String
    let seconds: Double
    var timedOut: Bool { status == 124 || status == 137 }
    var text: String { stdout + stderr }
}

enum Tool {
    /// Runs `path args` in `directory`; with `timeout`, through coreutils' `timeout` (status 124
    /// when it fires).
    static func run(_ path: String, _ args: [String], in directory: URL? = nil, timeout: Int? = nil) -> ToolResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("attn-tool-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        if let timeout {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            p.arguments = ["-k", "5", "\(timeout)", path] + args
        } else {
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = args
        }
        if let directory { p.currentDirectoryURL = directory }
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        do {
            let out = try FileHandle(forWritingTo: outURL)
            let err = try FileHandle(forWritingTo: errURL)
            defer {
                try? out.close()
                try? err.close()
            }
            p.standardOutput = out
            p.standardError = err
            try p.run()
            p.waitUntilExit()
        } catch {
            return ToolResult(status: -1, stdout: "", stderr: "cannot run \(path): \(error)", seconds: 0)
        }
        let seconds = Date().timeIntervalSince(start)
        let read = { (u: URL) in (try? String(contentsOf: u, encoding: .utf8)) ?? "" }
        return ToolResult(status: p.terminationStatus, stdout: read(outURL), stderr: read(errURL), seconds: seconds)
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// arm-none-eabi-gcc, -nm, -size and qemu-system-arm, installed once per test process.
struct ARMTools: Sendable {
    let gcc: String
    let nm: String
    let size: String
    let qemu: String

    /// nil with a message when the tools are missing and cannot be installed.
    static let shared: Result<ARMTools, ToolError> = {
        let script = EmbeddedPaths.scripts.appendingPathComponent("install-arm-tools.sh").path
        let install = Tool.run("/bin/bash", [script])
        guard install.status == 0 else {
            return .failure(ToolError("scripts/embedded/install-arm-tools.sh failed (\(install.status)): \(install.text)"))
        }
        guard let gcc = Tool.which("arm-none-eabi-gcc"), let nm = Tool.which("arm-none-eabi-nm"),
            let size = Tool.which("arm-none-eabi-size"), let qemu = Tool.which("qemu-system-arm")
        else { return .failure(ToolError("ARM tools still missing after scripts/embedded/install-arm-tools.sh")) }
        return .success(ARMTools(gcc: gcc, nm: nm, size: size, qemu: qemu))
    }()

    static func get() throws -> ARMTools { try shared.get() }
}

struct ToolError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// The three cores of the issue, with the flags the README gives.
enum CortexM: String, CaseIterable, Sendable, CustomStringConvertible {
    case m0plus = "cortex-m0plus"
    case m4f = "cortex-m4f"
    case m7 = "cortex-m7"

    var description: String { rawValue }

    var flags: [String] {
        switch self {
        case .m0plus: return ["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"]
        case .m4f: return ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]
        case .m7: return ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]
        }
    }

    /// For the generated files: what the issue asks for, plus -pedantic as the README promises.
    static let strict = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"]
}
