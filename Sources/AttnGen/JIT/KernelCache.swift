// Process-wide cache of compiled modules, keyed by the canonical spec: each spec is compiled by
// libtcc once per process however many Kernels are made from it (weights are passed by pointer,
// so kernels with different weights share code).

import AttnCEmit
import AttnJIT
import Foundation
import Synchronization

/// Compiled modules by canonical spec text.
package final class KernelCache: Sendable {
    package static let shared = KernelCache()

    private let modules = Mutex<[String: TCCModule]>([:])

    /// The module for `key`, compiling `source` on a miss.
    func module(key: String, source: CSource) throws(JITError) -> TCCModule {
        if let hit = modules.withLock({ $0[key] }) { return hit }
        let compiled = try KernelModule.compileKernel(source)
        // Two threads may compile the same spec at once; the first stored wins, both are valid.
        return modules.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = compiled
            return compiled
        }
    }

    /// Number of cached modules.
    package var count: Int { modules.withLock { $0.count } }

    /// Drops every cached module; kernels holding one keep it alive.
    package func removeAll() { modules.withLock { $0.removeAll() } }
}
