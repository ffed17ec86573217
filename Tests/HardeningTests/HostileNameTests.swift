// Names users give that reach the C: tensor (`param`), value (`as`) and block names equal to the
// emitter's loop variables and pointers, its helpers and macros, libc's functions, macros and
// types, C++ words, and the mangled forms themselves (`p0_x`, `v1_mul`). Each accepted one is
// generated, compiled by libtcc, by gcc at -std=c99 -pedantic -Werror (where <math.h> hides
// M_PI) and by clang in its default GNU mode (where <math.h> defines M_PI, M_PI_2, y0, j1, ...),
// and both machine-code versions are compared with the interpreter.

import AttnGen
import AttnCEmit
import AttnInterp
import AttnTemplates
import Foundation
import Testing

@Suite("Hostile names that are accepted")
struct HostileNameTests {
    /// Identifiers the emitted function, its helpers and the headers it includes declare, and
    /// ones shaped like the emitter's own mangled names.
    static let names = [
        // loop variables and locals of the emitted C
        "h", "w", "c", "n", "i", "j", "k", "o", "t", "s", "e", "g", "d", "m", "p", "v", "y", "t0", "x0", "x1", "i0",
        "kh", "kw", "hw", "lo", "hi", "acc", "sum", "mean", "max", "inv", "var", "dst", "group", "out_row", "w_row",
        // the function's parameters and the block's own symbols and macros
        "input", "output", "params", "scratch", "blk_forward", "blk_params", "BLK_INPUT_SIZE", "BLK_H", "BLK_OUTPUT_H",
        // helpers and macros of the generated .c
        "attn_expf", "attn_expf_host", "attn_row_dot", "attn_row_axpy", "attn_gemm_nn", "attn_v", "ATTN_LANES",
        "ATTN_V_LANES", "ATTN_GEMM_ROWS",
        // libc: <math.h>, <stdint.h>, and names other headers reserve
        "expf", "sqrtf", "fabsf", "isnan", "signbit", "y0", "j1", "M_PI", "M_PI_2", "M_E", "HUGE_VAL", "NAN", "INFINITY",
        "FP_NAN", "math_errhandling", "float_t", "int8_t", "uint32_t", "int32_t", "INT8_C", "SIZE_MAX", "memset",
        "memcpy", "strlen", "isdigit", "tolower", "NULL", "EOF", "errno", "EDOM", "E2BIG", "assert", "offsetof", "size_t",
        // C99 / C++ words that are not C89 keywords
        "bool", "true", "false", "class", "new", "this", "template", "alignas", "nullptr", "Bool",
        // the mangled namespace itself
        "p0_x", "v1_mul", "v2_sigmoid", "p1", "v3",
    ]

    /// A block using `name` everywhere a name reaches C: as the block name, an exact tensor, a
    /// conv's and a linear's `param` (and so the values' roles), and `as` names.
    static func spec(_ name: String, index: Int) throws -> BlockSpec {
        let blockName = reservedCNameProblem(name) == nil ? name : "blk"
        let pi = name == "M_PI" ? "M_PI_4" : "M_PI"
        let graph: [[String: Any]] = [
            ["op": "parameter", "param": name, "shape": [1, 4, 1, 5], "as": name],
            ["op": "sigmoid", "inputs": ["x"]],
            ["op": "mul", "inputs": ["_", name], "as": pi],
            ["op": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "param": name, "bias": true],
            ["op": "batch_norm", "param": "bn.\(name)"],
            ["op": "relu", "as": "rr_\(name)"],
            ["op": "global_pool", "mode": "max"],
            ["op": "linear", "out_features": 2, "param": "fc.\(name)", "bias": true],
            ["op": "relu"],
            ["op": "linear", "out_features": 4, "param": "\(name).fc2"],
            ["op": "sigmoid"],
            ["op": "mul", "inputs": ["rr_\(name)"]],
            ["op": "softmax", "axis": index % 2 == 0 ? "w" : "c"],
            ["op": "add", "inputs": ["_", pi]],
        ]
        var object: [String: Any] = ["name": blockName, "input": ["c": 4, "h": 3, "w": 5], "graph": graph]
        if index % 3 == 1 { object["libm"] = false }
        if index % 4 == 2 { object["layout"] = "nhwc" }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try #require(try BlockSpec.decodeFile(data).first)
    }

    static let strictGCC = NativeCompiler(
        command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
    static let gnuClang = NativeCompiler(command: ["clang"], flags: ["-Wall", "-Wextra", "-Werror", "-O2"], cacheDirectory: nil)

    @Test(arguments: Array(names.enumerated()))
    func acceptedNameCompilesEverywhereAndMatches(_ index: Int, _ name: String) throws {
        let spec = try Self.spec(name, index: index)
        let kernel = try Kernel(spec, weights: .random(seed: UInt64(index) + 1), useCache: false)
        let input = kernel.program.randomInput(seed: UInt64(index) + 7)
        let jit = try CrossCheck.check(kernel, input: input)
        #expect(jit.passed, "tcc, \(name): \(jit)")
        let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
        // Each native compile costs a few hundred ms: names alternate between the two, and the
        // ones GNU-mode <math.h> defines (or that collide with its macros once mangled) get both.
        let both = name.hasPrefix("M_") || ["y0", "j1", "p0_x", "v1_mul", "h", "w", "c", "expf", "INFINITY"].contains(name)
        let compilers = both ? [Self.strictGCC, Self.gnuClang] : [index % 2 == 0 ? Self.strictGCC : Self.gnuClang]
        for compiler in compilers {
            let native: NativeKernel
            do {
                native = try NativeKernel(sameAs: kernel, compiler: compiler, useCache: false)
            } catch {
                Issue.record("\(compiler.command) refused the C for \(name): \(error)")
                continue
            }
            let layout = kernel.layout
            let y = try layout.toNCHW(try native(try layout.fromNCHW(input, kernel.program.input)), kernel.program.outputShape)
            let comparison = try Comparison(y, reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(compiler.command), \(name): \(comparison)")
        }
    }

    /// The argument that no user name meets libc, on this machine's glibc: no name that the
    /// standard headers declare or define, in strict or GNU mode, lives in the mangled
    /// `p<N>_`/`v<N>_` namespace, nor has the shape of a block's global names (`X_<suffix>` for
    /// a `BlockGlobals` suffix, `X_Y_OFFSET`) without starting with `_`, which block names may not.
    @Test func libcHasNoNameInTheMangledOrBlockNamespaces() throws {
        let dir = try makeTempDir("libc-names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("h.c")
        let headers = [
            "math", "stdint", "errno", "string", "ctype", "signal", "locale", "fenv", "inttypes", "stdio", "stdlib",
            "stddef", "float", "limits", "complex", "time", "stdbool", "assert",
        ]
        try headers.map { "#include <\($0).h>\n" }.joined().write(to: source, atomically: true, encoding: .utf8)
        let word = try Regex(#"[A-Za-z_][A-Za-z0-9_]*"#)
        let mangled = try Regex(#"^[pv][0-9]+_"#)
        let suffixes = (BlockGlobals.macroSuffixes + BlockGlobals.symbolSuffixes).map { "_" + $0.lowercased() }
        let offset = try Regex(#"^[a-z0-9][a-z0-9_]*_[a-z0-9_]+_offset$"#)
        for mode in [["-std=c99"], ["-std=gnu17", "-D_GNU_SOURCE"]] {
            var names = Set<String>()
            for flags in [["-E", "-dM"], ["-E"]] {
                let r = runProcess("/usr/bin/env", ["gcc"] + mode + flags + [source.path])
                #expect(r.status == 0, "\(r.stderr)")
                for m in r.stdout.matches(of: word) { names.insert(String(r.stdout[m.range])) }
            }
            #expect(names.count > 1000, "\(mode): \(names.count)")
            for name in names where !name.hasPrefix("_") {
                let folded = name.lowercased()
                #expect(name.firstMatch(of: mangled) == nil, "\(mode): \(name)")
                #expect(!suffixes.contains { folded.hasSuffix($0) && folded.count > $0.count }, "\(mode): \(name)")
                #expect(folded.wholeMatch(of: offset) == nil, "\(mode): \(name)")
            }
        }
    }

    /// The argument for block names: every global name of a block ends in one of attn-gen's
    /// suffixes (`BlockGlobals`); no identifier of the fixed C (Templates/c: helpers, their
    /// macros and locals) does, nor lives in the mangled `p<N>_`/`v<N>_` namespace, so a block
    /// name can meet neither. A template added with such a name fails here.
    @Test func templatesStayOutOfTheBlockAndMangledNamespaces() throws {
        let dir = Repo.root.appendingPathComponent("Templates/c")
        let suffixes = BlockGlobals.macroSuffixes.map { "_" + $0 } + BlockGlobals.symbolSuffixes.map { "_" + $0 } + ["_OFFSET"]
        let identifier = try Regex(#"[A-Za-z_][A-Za-z0-9_]*"#)
        let mangled = try Regex(#"^[pv][0-9]+_"#)
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".c.tmpl") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            // Placeholders ({{NAME}}) are where the block's own names go.
            for m in text.matches(of: identifier) {
                let word = String(text[m.range])
                checked += 1
                #expect(!suffixes.contains { word.uppercased().hasSuffix($0.uppercased()) }, "\(file): \(word)")
                #expect(word.firstMatch(of: mangled) == nil, "\(file): \(word)")
            }
        }
        #expect(checked > 1000)
        // Nor does any C text the emitter writes itself (CNames builds the mangled names).
        let emitter = Repo.root.appendingPathComponent("Sources/AttnCEmit")
        let anywhere = try Regex(#"\b[pv][0-9]+_"#)
        for file in try FileManager.default.contentsOfDirectory(atPath: emitter.path) where file != "CNames.swift" {
            let text = try String(contentsOf: emitter.appendingPathComponent(file), encoding: .utf8)
            #expect(text.firstMatch(of: anywhere) == nil, "\(file) writes a name in the mangled namespace")
        }
    }

    /// Names of the longest kinds accepted (a 63-character `as`, a 90-character dotted `param`
    /// that differ only at the end) still give locals that differ within C99's 63 significant
    /// characters: the mangled part is cut to its last 40.
    @Test func longNamesKeepLocalsWithin63Characters() throws {
        let long = String(repeating: "a", count: 60)
        let param = (0..<8).map { _ in "abcdefghij" }.joined(separator: ".") + ".k"
        let spec = BlockSpec(
            name: "blk", input: .nchw(1, 4, 3, 5),
            body: .graph([
                Layer(.parameter(param: param + "1", shape: [1, 4, 3, 5]), name: long + "001"),
                Layer(.parameter(param: param + "2", shape: [1, 4, 3, 5]), name: long + "002"),
                Layer(.conv2d(Conv2DLayer(outChannels: 4, kernelSize: 3, padding: 1, bias: true, param: param + "3")), inputs: ["x"]),
                Layer(.add, inputs: ["_", long + "001"]), Layer(.mul, inputs: ["_", long + "002"]),
            ]))
        let kernel = try Kernel(spec, weights: .random(seed: 3), useCache: false)
        let body = try #require(kernel.generated.source.source.split(separator: "blk_forward(").last)
        let identifier = try Regex(#"\b[pv][0-9]+_\w*"#)
        let locals = Set(body.matches(of: identifier).map { String(body[$0.range]) })
        #expect(locals.count >= 5)
        for local in locals { #expect(local.count <= 63, "\(local)") }
        let prefixes = locals.map { $0.prefix(63) }
        #expect(Set(prefixes).count == locals.count)
        #expect(try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 4)).passed)
    }
}
