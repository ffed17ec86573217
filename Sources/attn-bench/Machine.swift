// What the numbers were measured on, for the report's header.

import AttnGen
import AttnTemplates
import Foundation

struct Machine: Codable {
    var cpu: String
    var cores: Int
    /// "L1d 48 KiB, L2 1 MiB, L3 32 MiB" as the kernel reports cpu0's caches.
    var caches: String
    var compiler: String
    var flags: String
    /// 1-minute load average before and after the run: other work on the machine shows here.
    var load: String
    /// The commit measured, and whether the emitter had uncommitted changes (it is what the
    /// numbers depend on most).
    var code: String

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(
            String.init) ?? "?"
    }

    static func current(compiler: NativeCompiler, load: (String, String), root: URL) -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let field = { (key: String) in
            cpuinfo.split(separator: "\n").first { $0.hasPrefix(key) }
                .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) }
        }
        let model = field("model name") ?? "unknown CPU"
        let family = [field("cpu family").map { "family \($0)" }, field("model\t").map { "model \($0)" }].compactMap {
            $0
        }
        var caches: [String] = []
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            func read(_ f: String) -> String? {
                (try? String(contentsOfFile: dir + f, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level"), let type = read("type"), let size = read("size") else { continue }
            if type == "Instruction" { continue }
            caches.append("L\(level)\(type == "Data" ? "d" : "") \(size.replacingOccurrences(of: "K", with: " KiB"))")
        }
        return Machine(
            cpu: family.isEmpty ? model : "\(model) (\(family.joined(separator: ", ")))",
            cores: ProcessInfo.processInfo.activeProcessorCount,
            caches: caches.isEmpty ? "unknown" : caches.joined(separator: ", "),
            compiler: (try? compiler.identity()) ?? compiler.command.joined(separator: " "),
            flags: compiler.flags.joined(separator: " "), load: "\(load.0) before, \(load.1) after",
            code: code(root: root))
    }

    /// `git rev-parse --short HEAD`, plus a note when Sources/AttnCEmit differs from it. Read-only
    /// git commands; "unknown" outside a checkout.
    private static func code(root: URL) -> String {
        func git(_ args: [String]) -> String? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // --no-optional-locks: status must not refresh the index; the bench only reads.
            p.arguments = ["git", "--no-optional-locks", "-C", root.path] + args
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return nil }
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return p.terminationStatus == 0 ? out.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }
        guard let head = git(["rev-parse", "--short", "HEAD"]) else { return "unknown" }
        let dirty = git(["status", "--porcelain", "--", "Sources/AttnCEmit", "Templates"]).map { !$0.isEmpty } ?? false
        return dirty ? "\(head) + uncommitted emitter changes" : head
    }
}
