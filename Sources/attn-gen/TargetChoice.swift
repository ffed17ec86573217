// `--target`: the compilers a user may write a file for. The JIT's own target is not one: it is
// what the in-process tcc compiles, chosen by the JIT.

import ArgumentParser
import AttnGen

enum TargetChoice: String, CaseIterable, ExpressibleByArgument {
    case portable, host, mcu

    var emitTarget: EmitTarget {
        switch self {
        case .portable: return .portable
        case .host: return .host
        case .mcu: return .mcu
        }
    }
}
