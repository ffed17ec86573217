// The process-wide tables the JIT fills on first use: templates and tcc forms (`LazyTable`) and
// the compiled tcc helpers (`TCCHelperModules`). Each helper's form compiles in a module of its
// own (a kernel compiles only the helpers it calls, so no form may lean on another's definitions
// beyond `tccNeeds`), a helper is compiled once however many threads JIT at once, and kernels
// linked to the shared copies compute what the interpreter does.

import AttnCEmit
import AttnGen
import AttnJIT
import AttnTemplates
import Foundation
import Synchronization
import Testing

@Suite struct HelperModulesTests {
    /// Many threads asking a fresh table for the same keys at once all get the first value stored.
    @Test func lazyTableFromManyThreads() {
        let made = Atomic<Int>(0)
        let table = LazyTable<Int, [Int]> { key in
            made.add(1, ordering: .relaxed)
            return Array(0..<key)
        }
        let agree = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            if table[i % 4] == Array(0..<(i % 4)) { agree.add(1, ordering: .relaxed) }
        }
        #expect(agree.load(ordering: .relaxed) == 64)
        #expect(table.count == 4)
        #expect((4...64).contains(made.load(ordering: .relaxed)))
    }

    /// Each helper alone in a fresh set compiles and exports itself and what its form calls.
    @Test func eachHelperCompilesAlone() {
        #if arch(x86_64)
        for isa in [nil, 1, 2] as [Int?] {
            for helper in TCCHelperLibrary.helpers {
                let modules = TCCHelperModules(tccISA: isa)
                let linked = modules.link([helper])
                let wanted = TCCHelperLibrary.closure([helper], isa: modules.isa)
                #expect(linked?.symbols.keys.sorted() == wanted.map(TCCHelperLibrary.symbol).sorted(), "\(helper.rawValue).tcc.c.tmpl alone does not compile (ISA \(String(describing: isa))): a form that calls another's functions lists it in Helper.tccNeeds")
                #expect(modules.counts.helpers == wanted.count && modules.counts.modules == 1)
            }
        }
        #endif
    }

    /// A helper whose form calls one an earlier module holds is linked to that copy (gemm_nt's
    /// short rows go through attn_gemm_nn), unless it uses that one's inner functions (attn_rows_map
    /// runs attn_row_map8's loops): then its module has its own copy. The kernel links to both.
    @Test func callsIntoAnEarlierModule() throws {
        #if arch(x86_64)
        let modules = TCCHelperModules(tccISA: nil)
        #expect(modules.link([.gemmNN])?.symbols.count == 1)
        let linked = try #require(modules.link([.gemmNT]))
        #expect(linked.symbols.keys.sorted() == ["attn_gemm_nn", "attn_gemm_nt"])
        #expect(linked.modules.count == 2)
        #expect(modules.counts.helpers == 2 && modules.counts.modules == 2)
        let maps = TCCHelperModules(tccISA: nil)
        #expect(maps.link([.rowMap])?.symbols.count == 1)
        #expect(maps.link([.rowsMap])?.symbols.keys.sorted() == ["attn_row_map", "attn_rows_map"])
        #expect(maps.counts.helpers == 3 && maps.counts.modules == 2)
        // A Gram product (gemm_nt, with short rows through gemm_nn) linked to those two modules.
        let spec = Block("helper_gram", input: .nchw(1, 9, 1, 20)) {
            Primitive(.reshape([1, 1, 9, 20]), "x").named("X")
            Primitive(.matmul(transposeA: false, transposeB: true, alpha: 0.5), "X", "X")
            Primitive(.reshape([1, 9, 1, 9]))
        }
        #expect(try Pipeline.generate(spec, target: .jit).source.jitLibraryHelpers.contains(.gemmNT))
        let kernel = try Kernel(spec, weights: .random(seed: 5), helpers: modules)
        #expect(try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: 6)).passed)
        #expect(modules.counts.helpers == 2 && modules.counts.modules == 2)
        #endif
    }

    /// A kernel calling helpers no module holds defines them in its own module (one libtcc
    /// state); a later kernel links to that module for them, and both compute what the
    /// interpreter does.
    @Test func firstKernelDefinesItsHelpers() throws {
        let modules = TCCHelperModules(tccISA: nil)
        let se = try Kernel(SqueezeExcite("helper_first_se", input: .nchw(1, 32, 9, 11), reduction: 4), weights: .random(seed: 8), helpers: modules)
        #expect(try CrossCheck.check(se, input: se.program.randomInput(seed: 9)).passed)
        let used = try Pipeline.generate(se.generated.spec, target: .jit).source.jitLibraryHelpers
        #if arch(x86_64)
        #expect(!used.isEmpty)
        #expect(modules.counts.modules == 1 && modules.counts.helpers == TCCHelperLibrary.closure(used, isa: modules.isa).count)
        let linked = try #require(modules.link(used))
        #expect(linked.modules.count == 1 && modules.counts.modules == 1)
        #endif
        let again = try Kernel(SqueezeExcite("helper_first_se2", input: .nchw(2, 16, 5, 7), reduction: 2), weights: .random(seed: 10), helpers: modules)
        #expect(try CrossCheck.check(again, input: again.program.randomInput(seed: 11)).passed)
        #if arch(x86_64)
        #expect(modules.counts.modules == 1)
        #endif
    }

    /// Threads JIT-ing SE and CBAM at once, linked to one fresh set: each helper compiled once,
    /// every kernel right.
    @Test func threadsJITingAtOnceShareEachHelper() throws {
        let specs = [
            SqueezeExcite("helper_se", input: .nchw(1, 32, 9, 11), reduction: 4),
            CBAM("helper_cbam", input: .nchw(1, 32, 9, 11), reduction: 4, spatialKernelSize: 7),
        ]
        let modules = TCCHelperModules(tccISA: nil)
        let passed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let kernel = try Kernel(specs[i % 2], weights: .random(seed: 7), helpers: modules)
                if try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: UInt64(i))).passed {
                    passed.add(1, ordering: .relaxed)
                }
            } catch {}
        }
        #expect(passed.load(ordering: .relaxed) == 8)
        let used = try specs.flatMap { try Pipeline.generate($0, target: .jit).source.jitLibraryHelpers }
        #if arch(x86_64)
        #expect(!used.isEmpty)
        #endif
        #expect(modules.counts.helpers == TCCHelperLibrary.closure(used, isa: modules.isa).count)
    }

    /// Modules compiled for AVX2 leave out the SSE fallbacks and the row helpers only they call
    /// (SE's pools and gates run on attn_pool_rows and attn_scale_rows alone); for SSE, or for
    /// the ISA chosen at run time, they keep them. The CPU's ISA is the one the modules take.
    @Test func modulesForAVX2LeaveOutTheSSEForms() {
        #expect(TCCHelperModules(tccISA: nil).isa == HostISA.tcc)
        #expect(TCCHelperLibrary.closure([.poolRows, .scaleRows], isa: 2) == [.poolRows, .scaleRows])
        #expect(TCCHelperLibrary.closure([.poolRows, .scaleRows], isa: 1) == [.rowSumMax, .rowScale, .rowScaleMul, .poolRows, .scaleRows])
        #expect(TCCHelperLibrary.closure([.poolRows, .scaleRows]) == TCCHelperLibrary.closure([.poolRows, .scaleRows], isa: 1))
        #expect(TCCHelperLibrary.closure([.rowsMap], isa: 2) == [.rowMap, .rowsMap])
        let rowMap = TCCForms.form(.rowMap).text
        #expect(rowMap.contains("#if ATTN_TCC_ISA != 2\n/* e^xmm0") && rowMap.contains("static void attn_row_map4("))
        #if arch(x86_64)
        let modules = TCCHelperModules(tccISA: 2)
        #expect(modules.link([.poolRows, .scaleRows])?.symbols.keys.sorted() == ["attn_pool_rows", "attn_scale_rows"])
        #expect(modules.counts.helpers == 2)
        #endif
    }
}
