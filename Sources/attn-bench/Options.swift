// attn-bench's command line. Hand-parsed: the target depends on AttnGen and AttnTFLite only.

import Foundation

struct Options {
    /// Seconds of timed calls per measurement (after warm-up).
    var seconds = 0.2
    /// Seconds of alternating kernel/triad samples per level and N = 1 cell (`Interleaved`); 0 skips them.
    var pairedSeconds = 0.5
    /// Fresh libtcc compiles per JIT measurement.
    var jitRepeats = 20
    var jsonPath: String?
    /// Block names to run (the Generated/ example's kind or name); empty = all.
    var blocks: [String] = []
    /// Indices into `Shapes.all` to run; empty = all.
    var shapes: [Int] = []
    var peers = true
    /// The later catalog kinds at one realistic shape each, instead of the SE/ECA/CBAM grid.
    var catalog = false
    /// Spec → callable by pipeline stage, no kernel run (`--jit`).
    var jitStages = false
    /// Instructions per block on the Cortex-M boards under QEMU, fused against op by op.
    var mcu = false
    /// Instructions per block on AArch64 under qemu-aarch64: NEON against plain C and op by op.
    var aarch64 = false
    /// `--mcu`'s cores (`Core.name`); empty = all.
    var cores: [String] = []
    /// `--mcu --tflite DIR`: the int8 kernels of DIR's .tflite models instead of the float examples.
    var tflite: String?
    /// `--network`'s attn-gen-torch export folders.
    var networks: [String] = []
    /// `--weights`: the checkpoint every `--network` block reads instead of its export's file.
    var networkWeights: String?
    var networkRounds = 5
    var python: String?
    /// Replaces the fast tier's `-O3 -march=native` (for experiments; the column is the default).
    var cflags: [String]?
    /// `-march` levels to build the fast tier at; nil = native and every fixed level this CPU runs.
    var levels: [String]?
    /// What each timed sample counts, here and in the peers.
    var clock = BenchClock.wall
    var root: URL = Options.defaultRoot

    static let usage = """
        usage: attn-bench [--quick] [--markdown] [--json FILE] [--blocks se,eca,...] [--shapes 0,2]
                          [--seconds S] [--paired-seconds S] [--jit-repeats K] [--no-peers] [--python PATH] [--cflags "-O2 ..."]
                          [--root DIR] [--catalog] [--jit] [--levels native,x86-64-v2,...] [--clock wall|cpu]
                          [--mcu [--cores m0,m3,m4f,m7,m55] [--tflite DIR]] [--aarch64]
                          [--network DIR ... [--weights CHECKPOINT]]

        Times the SE, ECA, CBAM and max-ECA Generated/ examples at the speed issue's shapes: libtcc
        JIT time, tcc and gcc -O3 -march=native kernel times, the STREAM-triad memory limit, ONNX
        Runtime and PyTorch eager (one thread), a 4-pass CBAM. Markdown tables go to stdout,
        progress to stderr.
          --catalog      instead: every later catalog kind at one realistic shape, and seed 000's
                         JSON examples, with FLOPs, GFLOP/s and the same peers
          --jit          instead: spec → callable through libtcc for every --catalog case and the grid's
                         examples, split by pipeline stage (lower, plan, emit, tcc); no kernel runs
          --mcu          instead: instructions of every Generated/ example at a small shape on Cortex-M0, M3,
                         M4F, M7 and M55 under QEMU -icount, fused and op by op (--blocks selects;
                         --cores m4f,m7 a subset of the boards)
          --mcu --tflite DIR  instead: the int8 kernels import-tflite writes for DIR's .tflite models (with
                         NAME.input.bin and NAME.output.bin beside them, as Tests/TFLiteFixtures) against
                         TFLM's reference op chain, on M4F and M7 (--cores), outputs checked against
                         TFLM's, with RAM and flash (--blocks: model names)
          --aarch64      instead: instructions of every Generated/ example at its own shape on AArch64,
                         counted under qemu-aarch64 by a plugin: the host target's NEON code against
                         the plain-C mcu target and op by op, outputs checked (--blocks selects)
          --network DIR  instead: every block of an attn-gen-torch export (DIR/spec.json) from one
                         checkpoint to callables, tcc and gcc (repeatable; --weights FILE: the whole
                         network's .pth or .safetensors instead of the export's own file)
          --quick        0.05 s per measurement and 5 JIT compiles (a smoke run; noisier)
          --markdown     accepted for clarity; stdout is always the markdown report
          --json FILE    also write every number as JSON
          --paired-seconds S  per level and N = 1 cell, S seconds of the kernel and the same-size
                         triad in alternating samples (minimum per-call elapsed time; default 0.5, also
                         with --quick; 0 skips): the "interleaved" tables and the per-cell floor
          --no-peers     skip the Python peers (their columns say n/a)
          --python PATH  the peers' interpreter (default: $ATTN_BENCH_PYTHON, else .venv/bin/python here or above)
          --cflags FLAGS the fast tier's flags instead of -O3 -march=native (the table says which;
                         one level only)
          --levels L,... -march levels of the fast tier, each timed (default: native, then every
                         x86-64-v2/v3/v4 this CPU executes; the report says which were skipped)
          --clock cpu    time each sample as the thread's CPU time, here and in the peers (a machine
                         shared with other work; no threaded column), instead of elapsed time
          --blocks, --shapes  a subset: kinds or example names; indices into the issue's five shapes
        """

    /// The repository: two folders above this file (Sources/attn-bench/), where Generated/ and
    /// scripts/bench/ are.
    static var defaultRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--quick":
                o.seconds = 0.05
                o.jitRepeats = 5
                o.networkRounds = 1
            case "--markdown": break
            case "--json": o.jsonPath = value()
            case "--blocks": o.blocks = value().split(separator: ",").map(String.init)
            case "--shapes": o.shapes = value().split(separator: ",").map { number(String($0), "--shapes") }
            case "--seconds": o.seconds = number(value(), "--seconds")
            case "--paired-seconds": o.pairedSeconds = number(value(), "--paired-seconds")
            case "--jit-repeats": o.jitRepeats = number(value(), "--jit-repeats")
            case "--no-peers": o.peers = false
            case "--catalog": o.catalog = true
            case "--jit": o.jitStages = true
            case "--mcu": o.mcu = true
            case "--aarch64": o.aarch64 = true
            case "--cores": o.cores = value().split(separator: ",").map(String.init)
            case "--tflite": o.tflite = value()
            case "--network": o.networks.append(value())
            case "--weights": o.networkWeights = value()
            case "--python": o.python = value()
            case "--cflags": o.cflags = value().split(separator: " ").map(String.init)
            case "--levels": o.levels = value().split(separator: ",").map(String.init)
            case "--clock":
                let text = value()
                guard let clock = BenchClock(rawValue: text) else { fail("--clock: \(text) is not wall or cpu") }
                o.clock = clock
            case "--root": o.root = URL(fileURLWithPath: value())
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument \(args[i])\n\(usage)")
            }
            i += 1
        }
        return o
    }
}

private func number<T: LosslessStringConvertible>(_ text: String, _ option: String) -> T {
    guard let v = T(text) else { fail("\(option): \(text) is not a number") }
    return v
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("attn-bench: \(message)\n".utf8))
    exit(2)
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
