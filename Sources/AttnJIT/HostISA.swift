// The tcc forms this CPU runs, for compiling helpers that run on it only.

import CTCC

package enum HostISA {
    /// 2 where the CPU runs the tcc forms' AVX2/FMA code (the check `attn_tcc_isa` makes at run
    /// time), else 1; read once.
    package static let tcc: Int = Int(attn_host_tcc_isa())
}
