// The peer columns: scripts/bench/peers.py times the same blocks in PyTorch eager and ONNX
// Runtime (one thread each) in a subprocess, so all numbers come from one run of attn-bench.

import AttnGen
import Foundation

struct PeerTiming {
    let torch: Double?
    let ort: Double?
    let error: String?
}

struct PeerResults {
    var versions = "n/a"
    var byID: [String: PeerTiming] = [:]
    /// Why there are no peer numbers at all (no Python, script failed), for the report.
    var unavailable: String?
}

enum Peers {
    /// `--python`, else `$ATTN_BENCH_PYTHON`, else `.venv/bin/python` (what scripts/bench/setup-venv.sh
    /// makes) in the working directory or the nearest folder above it that has one.
    static func python(_ options: Options) -> String? {
        if let p = options.python { return p }
        if let p = ProcessInfo.processInfo.environment["ATTN_BENCH_PYTHON"], !p.isEmpty { return p }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while true {
            let venv = dir.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: venv) { return venv }
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { return nil }
            dir = up
        }
    }

    static func jobID(_ example: Example, _ shape: InputShape) -> String { "\(example.name) \(shape.label)" }

    /// Runs every (example, shape) job through peers.py in one process.
    static func measure(_ jobs: [(Example, InputShape, Program)], options: Options) -> PeerResults {
        guard options.peers else { return PeerResults(unavailable: "skipped (--no-peers)") }
        guard let python = python(options) else {
            return PeerResults(
                unavailable: "no Python environment (run scripts/bench/setup-venv.sh, or set ATTN_BENCH_PYTHON)")
        }
        let list: [[String: Any]] = jobs.map { example, shape, program in
            let spec = try! JSONSerialization.jsonObject(with: Data(example.spec(at: shape).canonicalJSON.utf8))
            return [
                "id": jobID(example, shape), "spec": spec, "resolved": program.peerHyperparameters,
                "seconds": options.seconds, "clock": options.clock.rawValue,
            ]
        }
        let jobsFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "attn-bench-jobs-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: jobsFile) }
        do {
            try JSONSerialization.data(withJSONObject: list).write(to: jobsFile)
        } catch {
            return PeerResults(unavailable: "cannot write the job list: \(error)")
        }

        let script = options.root.appendingPathComponent("scripts/bench/peers.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, jobsFile.path]
        let pipe = Pipe()
        process.standardOutput = pipe  // stderr stays ours: the script's progress shows as it runs
        do {
            try process.run()
        } catch {
            return PeerResults(unavailable: "cannot run \(python): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let results = object["results"] as? [[String: Any]]
        else {
            return PeerResults(unavailable: "\(script) failed (exit \(process.terminationStatus))")
        }
        var out = PeerResults()
        out.versions = "PyTorch \(object["torch"] ?? "?"), ONNX Runtime \(object["onnxruntime"] ?? "?")"
        for r in results {
            guard let id = r["id"] as? String else { continue }
            out.byID[id] = PeerTiming(
                torch: r["torch_s"] as? Double, ort: r["ort_s"] as? Double, error: r["error"] as? String)
        }
        return out
    }
}
