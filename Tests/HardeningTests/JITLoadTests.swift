// The JIT under load: eight threads compiling and running different and identical specs at once
// give exactly the single-threaded outputs; compile-and-free cycles and libtcc's error paths keep
// resident memory flat; valgrind finds no leak on the error paths.
//
// Memory is measured in a child process (this test binary, filtered to one probe, with
// ATTN_PROBE set) so that tests running in parallel here cannot move the numbers. The long
// measurement is scripts/hardening/jit-rss.sh (10,000 cycles).

import AttnGen
import AttnJIT
import Foundation
import Synchronization
import Testing

/// Small specs of every kind, for compiling many times.
let loadSpecs: [BlockSpec] = [
    SqueezeExcite("se_a", input: .nchw(1, 32, 7, 7), reduction: 4),
    SqueezeExcite("se_b", input: .nchw(2, 16, 5, 3), reducedChannels: 3, bias: false),
    EfficientChannelAttention("eca_a", input: .nchw(1, 64, 4, 4)),
    EfficientChannelAttention("eca_b", input: .nchw(3, 9, 2, 5), kernelSize: 7),
    CBAM("cbam_a", input: .nchw(1, 16, 6, 6), reduction: 4, spatialKernelSize: 3),
    CBAM("cbam_b", input: .nchw(2, 24, 5, 7), reducedChannels: 5, spatialKernelSize: 7, bias: true),
    Block("max_eca", input: .nchw(1, 12, 3, 3)) {
        GlobalPool(.max); ChannelConv1D(kernelSize: 5); Sigmoid(); Multiply("x")
    },
    Block("hsig", input: .nchw(2, 8, 4, 4)) {
        GlobalPool(.mean); Linear(2, param: "fc1"); ReLU(); Linear(8, param: "fc2"); HardSigmoid(); Multiply("x")
    },
]

/// C that libtcc refuses, each a different error path: syntax, types, undefined symbols at
/// relocation, an error after many warnings, a missing include, a very long line.
let invalidSources: [String] = [
    "void f(void) { int x = ; }",
    "struct s { int a; }; int f(struct s v) { return v.b; }",
    "int missing_function(int); int f(int x) { return missing_function(x); }",
    "extern float missing_table[]; float f(int i) { return missing_table[i]; }",
    String(repeating: "int unused(void) { return 1; }\n", count: 1) + "int f(void) { return }",
    "#include <no_such_header_attn.h>\nint f(void) { return 0; }",
    "int f(void) { return " + String(repeating: "(", count: 2000) + "1" + String(repeating: ")", count: 1999) + "; }",
    "#error attn-gen hardening probe",
    "float f(float x) { return x +* 2; }",
    String(repeating: "x", count: 100_000),
]

enum Probe {
    static var isChild: Bool { ProcessInfo.processInfo.environment["ATTN_PROBE"] == "1" }

    /// Runs one probe test of this binary in a child process and returns the `key=value`
    /// figures of the `PROBE` line it prints.
    static func runChild(_ test: String, environment: [String: String] = [:]) -> (ProcessResult, [String: Int]) {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let args = ["--testing-library", "swift-testing", "--filter", "HardeningTests.JITProbes/\(test)"]
        let r = runProcess(exe, args, environment: environment.merging(["ATTN_PROBE": "1"]) { $1 })
        var values: [String: Int] = [:]
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("PROBE ") {
            for field in line.dropFirst(6).split(separator: " ") {
                let kv = field.split(separator: "=")
                if kv.count == 2, let v = Int(kv[1]) { values[String(kv[0])] = v }
            }
        }
        return (r, values)
    }
}

@Suite("JIT under load")
struct JITLoadTests {
    @Test func eightThreadsGiveTheSingleThreadedOutputs() throws {
        // Single-threaded reference: each spec compiled once, outside the cache.
        var firstInputs: [[Float]] = []
        var firstOutputs: [[Float]] = []
        for (i, spec) in loadSpecs.enumerated() {
            let kernel = try Kernel(spec, weights: .random(seed: UInt64(i)), useCache: false)
            firstInputs.append(kernel.program.randomInput(seed: UInt64(100 + i)))
            firstOutputs.append(try kernel(firstInputs[i]))
        }
        let (inputs, reference) = (firstInputs, firstOutputs)
        let threads = 8
        let rounds = 12
        let failures = Mutex<[String]>([])
        let runs = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for r in 0..<rounds {
                // Threads 0-3 all hammer the same spec; 4-7 walk through different ones.
                let i = t < 4 ? 0 : (t + r) % loadSpecs.count
                do {
                    let kernel = try Kernel(loadSpecs[i], weights: .random(seed: UInt64(i)), useCache: r % 2 == 0)
                    for _ in 0..<3 {
                        let y = try kernel(inputs[i])
                        runs.add(1, ordering: .relaxed)
                        if y != reference[i] {
                            failures.withLock { $0.append("thread \(t) round \(r) \(loadSpecs[i].name): output differs") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("thread \(t) round \(r) \(loadSpecs[i].name): \(error)") }
                }
            }
        }
        let found = failures.withLock { $0 }
        #expect(found.isEmpty, "\(found.prefix(5))")
        #expect(runs.load(ordering: .relaxed) == threads * rounds * 3)
        print("JIT under load: \(threads) threads × \(rounds) compiles × 3 runs, \(loadSpecs.count) specs, all equal to single-threaded")
    }

    @Test func compileAndFreeCyclesKeepResidentMemoryFlat() throws {
        let cycles = environmentInt("ATTN_JIT_CYCLES", default: 500)
        let (r, v) = Probe.runChild("compileAndFreeCycles", environment: ["ATTN_JIT_CYCLES": "\(cycles)"])
        let growth = try #require(v["growth_kb"], "probe gave no figure: \(r.stdout) \(r.stderr)")
        print("JIT compile-and-free: \(cycles) cycles, RSS \(v["before_kb"] ?? 0) kB → \(v["after_kb"] ?? 0) kB, growth \(growth) kB")
        // A leaked TCCState (its sections and code pages) costs tens of kB a cycle; allocator
        // noise is a few hundred kB in all.
        #expect(growth < 2_048 + cycles / 4, "resident memory grew \(growth) kB over \(cycles) cycles")
    }

    @Test func tccErrorPathsKeepResidentMemoryFlat() throws {
        let cycles = environmentInt("ATTN_TCC_ERROR_CYCLES", default: 300)
        let (r, v) = Probe.runChild("tccErrorPaths", environment: ["ATTN_TCC_ERROR_CYCLES": "\(cycles)"])
        let growth = try #require(v["growth_kb"], "probe gave no figure: \(r.stdout) \(r.stderr)")
        print("tcc error paths: \(cycles) rounds of \(invalidSources.count + 2) failures, growth \(growth) kB")
        #expect(growth < 2_048 + cycles, "resident memory grew \(growth) kB over \(cycles) rounds")
    }

    /// valgrind cannot run this swift-testing binary, so the script builds a small program around
    /// AttnJIT's TCCModule and runs that under memcheck.
    @Test func valgrindFindsNoLeakOnTccErrorPaths() throws {
        let r = runProcess("/bin/bash", [Repo.script("hardening/tcc-valgrind.sh"), "25"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("definitely lost: 0 bytes") || r.stdout.contains("no leaks are possible"), "\(r.stdout)")
        print(r.stdout.split(separator: "\n").joined(separator: "; "))
    }
}

/// The bodies the tests above run in a child process. Outside one they are skipped (the
/// trait says why): they measure the whole process, so they must run alone.
@Suite("JIT probes (child process only)", .enabled(if: Probe.isChild, "runs only as a child of JITLoadTests"))
struct JITProbes {
    @Test func compileAndFreeCycles() throws {
        let cycles = environmentInt("ATTN_JIT_CYCLES", default: 500)
        func cycle(_ i: Int) throws {
            let spec = loadSpecs[i % loadSpecs.count]
            let kernel = try Kernel(spec, weights: .random(seed: UInt64(i)), useCache: false)
            _ = try kernel(kernel.program.randomInput(seed: 1))
        }
        // Warm up until the allocator's pools and the runtime's caches are in place.
        for i in 0..<200 { try cycle(i) }
        let before = residentKB()
        for i in 0..<cycles { try cycle(i) }
        let after = residentKB()
        print("PROBE cycles=\(cycles) before_kb=\(before) after_kb=\(after) growth_kb=\(after - before)")
    }

    @Test func tccErrorPaths() throws {
        let rounds = environmentInt("ATTN_TCC_ERROR_CYCLES", default: 300)
        var failures = 0
        func round() {
            for source in invalidSources {
                do {
                    _ = try TCCModule(source: source)
                } catch {
                    failures += 1
                }
            }
            // A good module asked for a symbol it lacks, and options libtcc would exit on.
            if let module = try? TCCModule(source: "int f(void) { return 1; }") {
                if (try? module.symbol("no_such_symbol")) == nil { failures += 1 }
            }
            if (try? TCCModule(source: "int f(void) { return 1; }", options: "-Wl,--oops")) == nil { failures += 1 }
        }
        for _ in 0..<min(rounds, 20) { round() }
        let before = residentKB()
        failures = 0
        for _ in 0..<rounds { round() }
        let after = residentKB()
        #expect(failures == rounds * (invalidSources.count + 2))
        print("PROBE rounds=\(rounds) failures=\(failures) before_kb=\(before) after_kb=\(after) growth_kb=\(after - before)")
    }
}
