import Dispatch
import Synchronization
import Testing
import AttnJIT

@Suite struct ConcurrencyTests {
    @Test func eightThreadsCompileAndCallConcurrently() throws {
        let threads = 8, perThread = 40
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for j in 0..<perThread {
                let factor = t * 1000 + j
                let source = """
                    #include <math.h>
                    int f(int x) { return x * \(factor); }
                    float g(float x) { return fmaxf(x, \(factor).0f); }
                    """
                do {
                    let module = try TCCModule(source: source)
                    let f = try module.function("f", as: (@convention(c) (Int32) -> Int32).self)
                    let g = try module.function("g", as: (@convention(c) (Float) -> Float).self)
                    let got = (f(2), g(-1))
                    withExtendedLifetime(module) {}
                    if got.0 != Int32(2 * factor) || got.1 != Float(factor) {
                        failures.withLock { $0.append("thread \(t) iter \(j): got \(got)") }
                    }
                } catch {
                    failures.withLock { $0.append("thread \(t) iter \(j): \(error)") }
                }
            }
        }
        let found = failures.withLock { $0 }
        #expect(found.isEmpty, "\(found.prefix(5))")
    }

    @Test func modulesCompiledOnOneThreadRunOnOthers() async throws {
        let module = try TCCModule(source: CKernels.add)
        let results = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let add = try module.function("add", as: AddFn.self)
                    var sum: Int32 = 0
                    for k in 0..<10_000 { sum &+= add(Int32(i), Int32(k & 1)) }
                    return sum
                }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        let expected: [Int32] = (0..<8).map { i in Int32(i) * 10_000 + 5_000 }
        #expect(results.sorted() == expected)
        withExtendedLifetime(module) {}
    }
}
