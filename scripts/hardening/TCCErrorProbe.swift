// Feeds libtcc, through AttnJIT's TCCModule, C it refuses at every stage (syntax and type errors,
// undefined symbols at relocation, a missing include, #error, a symbol that is not there, options
// libtcc would exit on), plus valid modules compiled and freed, for `rounds` rounds. Built and run
// under valgrind by scripts/hardening/tcc-valgrind.sh; any definite leak fails that script.

import Foundation

let invalidSources: [String] = [
    "void f(void) { int x = ; }",
    "struct s { int a; }; int f(struct s v) { return v.b; }",
    "int missing_function(int); int f(int x) { return missing_function(x); }",
    "extern float missing_table[]; float f(int i) { return missing_table[i]; }",
    "int unused(void) { return 1; }\nint f(void) { return }",
    "#include <no_such_header_attn.h>\nint f(void) { return 0; }",
    "int f(void) { return " + String(repeating: "(", count: 2000) + "1" + String(repeating: ")", count: 1999) + "; }",
    "#error attn-gen hardening probe",
    "float f(float x) { return x +* 2; }",
    String(repeating: "x", count: 100_000),
]

@main
struct TCCErrorProbe {
    static func main() throws {
        let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10
        var failures = 0
        var compiled = 0
        for _ in 0..<rounds {
            for source in invalidSources {
                do { _ = try TCCModule(source: source) } catch { failures += 1 }
            }
            let module = try TCCModule(source: "float expf(float); float f(float x) { return 1.0f / (1.0f + expf(-x)); }")
            let f = try module.function("f", as: (@convention(c) (Float) -> Float).self)
            if withExtendedLifetime(module, { f(1e30) }) == 1 { compiled += 1 }
            do { _ = try module.symbol("no_such_symbol") } catch { failures += 1 }
            do { _ = try TCCModule(source: "int f(void) { return 1; }", options: "-Wl,--oops") } catch { failures += 1 }
        }
        let expected = rounds * (invalidSources.count + 2)
        print("tcc error paths: \(rounds) rounds, \(failures) of \(expected) refusals, \(compiled) valid modules compiled, run and freed")
        guard failures == expected, compiled == rounds else { exit(1) }
    }
}
