// The tcc helpers' compiled code, shared by the process's JIT kernels: each helper's asm form is
// compiled once, the first time a kernel calls it (with the other helpers that kernel calls and
// no module holds yet, in one module), and every later kernel links to that copy. A kernel's own
// text then holds its loops and the helpers' prototypes only, and a process pays for the helpers
// its kernels call, not for every form (compiling them all was most of the first spec → callable
// of a block that calls three).

import AttnCEmit
import AttnJIT
import Synchronization

package final class TCCHelperModules: Sendable {
    /// The compiled helpers for the CPU's choice of forms (nil) or a forced one (`ATTN_TCC_ISA`),
    /// kept for the process.
    package static func shared(_ tccISA: Int?) -> TCCHelperModules {
        byISA.withLock { sets in
            if let known = sets.first(where: { $0.tccISA == tccISA }) { return known }
            let made = TCCHelperModules(tccISA: tccISA)
            sets.append(made)
            return made
        }
    }

    /// At most three sets (nil, 1, 2), in an array: a process's first dictionary keyed by a type
    /// looks up its Hashable conformance, a scan of every conformance record that was a
    /// noticeable part of the first JIT call (so are the modules' lists below).
    private static let byISA = Mutex<[TCCHelperModules]>([])

    /// A compiled helper: its address in the module that holds it.
    private struct Compiled: @unchecked Sendable {
        let module: TCCModule
        let address: UnsafeRawPointer
    }

    private struct State: @unchecked Sendable {
        var helpers: [Helper: Compiled] = [:]
        /// Helper definitions compiled (a helper compiled twice would count twice) and modules.
        var compiled = 0
        var modules = 0

        /// The C names and addresses of `helpers`, every one compiled already, and the modules
        /// holding them, each once.
        func linkage(_ helpers: [Helper]) -> (symbols: [String: UnsafeRawPointer], modules: [TCCModule]) {
            var symbols: [String: UnsafeRawPointer] = [:]
            var modules: [TCCModule] = []
            for h in helpers {
                guard let compiled = self.helpers[h] else { preconditionFailure("\(h) linked before it was compiled") }
                symbols[TCCHelperLibrary.symbol(h)] = compiled.address
                if !modules.contains(where: { $0 === compiled.module }) { modules.append(compiled.module) }
            }
            return (symbols, modules)
        }
    }

    /// What `link` hands out of the lock (raw pointers are not Sendable; they are only read).
    private struct Linked: @unchecked Sendable {
        let value: (symbols: [String: UnsafeRawPointer], modules: [TCCModule])?
    }

    /// The forced form (`ATTN_TCC_ISA`: 1 SSE, 2 AVX2/FMA), or nil: chosen by the CPU.
    package let tccISA: Int?
    /// The forms the modules are compiled for: the forced one, or the CPU's. The modules run in
    /// this process only, so the SSE code an AVX2 CPU never runs is left out (and so are the
    /// helpers only it calls).
    package let isa: Int
    private let state = Mutex(State())

    /// An empty set (the process's are `shared`; a test makes its own).
    package init(tccISA: Int?) {
        self.tccISA = tccISA
        isa = tccISA ?? HostISA.tcc
    }

    /// Each of `helpers` (and the helpers their tcc forms call) by C name with its address, and
    /// the modules holding them, which a kernel linked to them keeps alive; the helpers no module
    /// holds yet are compiled now, in one module. Nil if libtcc refuses them (the kernel then
    /// compiles its self-contained source: correct, slower; only a test sees it).
    package func link(_ helpers: [Helper]) -> (symbols: [String: UnsafeRawPointer], modules: [TCCModule])? {
        let wanted = TCCHelperLibrary.closure(helpers, isa: isa)
        // Compiled under this lock (libtcc's own lock serialises compiles anyway), so a helper is
        // compiled once however many threads ask for it at the same time.
        return state.withLock { state -> Linked in
            let missing = wanted.filter { state.helpers[$0] == nil }
            if !missing.isEmpty {
                // With the helpers whose inner functions their forms use, even where an earlier
                // module holds them (its own copy); what else they call, an earlier module holds
                // (`wanted` is closed under it) and the new one links to.
                let defined = TCCHelperLibrary.copies(missing)
                let linked = TCCHelperLibrary.closure(defined, isa: isa).filter { !defined.contains($0) }
                let source = "#define ATTN_TCC_ISA \(isa)\n" + TCCHelperLibrary.source(defining: defined, linking: linked)
                let (symbols, holders) = state.linkage(linked)
                guard let module = try? KernelModule.compile(source, symbols: symbols, linked: holders) else {
                    return Linked(value: nil)
                }
                var made: [Helper: Compiled] = [:]
                for h in missing {
                    guard let address = try? module.symbol(TCCHelperLibrary.symbol(h)) else { return Linked(value: nil) }
                    made[h] = Compiled(module: module, address: UnsafeRawPointer(address))
                }
                state.helpers.merge(made) { a, _ in a }
                state.compiled += defined.count
                state.modules += 1
            }
            return Linked(value: state.linkage(wanted))
        }.value
    }

    /// A kernel calling `helpers`, compiled by `compile` (given the helpers it is to define with
    /// external linkage, and the addresses and modules of the others). Helpers no module holds
    /// yet are defined in the kernel's own module (with those whose inner functions their forms
    /// use), compiled under this set's lock, and later kernels link to it: a libtcc state costs
    /// about as much to set up as a small kernel to compile. Nil when that combined compile
    /// fails (the caller then compiles the helpers apart, to tell a helper's failure from the
    /// kernel's); the kernel's own errors otherwise.
    package func compile(
        _ helpers: [Helper],
        kernel compile: (_ defining: [Helper], _ symbols: [String: UnsafeRawPointer], _ modules: [TCCModule]) throws(JITError) -> TCCModule
    ) throws(JITError) -> TCCModule? {
        let wanted = TCCHelperLibrary.closure(helpers, isa: isa)
        let outcome = state.withLock { state -> Outcome in
            let missing = wanted.filter { state.helpers[$0] == nil }
            let defined = missing.isEmpty ? [] : TCCHelperLibrary.copies(missing)
            var symbols: [String: UnsafeRawPointer] = [:]
            var modules: [TCCModule] = []
            for h in wanted where !defined.contains(h) {
                let compiled = state.helpers[h]!
                symbols[TCCHelperLibrary.symbol(h)] = compiled.address
                if !modules.contains(where: { $0 === compiled.module }) { modules.append(compiled.module) }
            }
            // Nothing to define: the kernel is compiled outside the lock.
            guard !missing.isEmpty else { return Outcome(linked: (symbols, modules), module: nil) }
            guard let module = try? compile(defined, symbols, modules) else { return Outcome(linked: nil, module: nil) }
            var made: [Helper: Compiled] = [:]
            for h in missing {
                guard let address = try? module.symbol(TCCHelperLibrary.symbol(h)) else { return Outcome(linked: nil, module: nil) }
                made[h] = Compiled(module: module, address: UnsafeRawPointer(address))
            }
            state.helpers.merge(made) { a, _ in a }
            state.compiled += defined.count
            state.modules += 1
            return Outcome(linked: nil, module: module)
        }
        if let module = outcome.module { return module }
        guard let linked = outcome.linked else { return nil }
        return try compile([], linked.symbols, linked.modules)
    }

    /// What `compile` hands out of the lock.
    private struct Outcome: @unchecked Sendable {
        let linked: (symbols: [String: UnsafeRawPointer], modules: [TCCModule])?
        let module: TCCModule?
    }

    /// Helper definitions compiled so far (one per helper, unless a later module needed its own
    /// copy of one whose inner functions a form uses), and the libtcc modules they took.
    package var counts: (helpers: Int, modules: Int) { state.withLock { ($0.compiled, $0.modules) } }
}
