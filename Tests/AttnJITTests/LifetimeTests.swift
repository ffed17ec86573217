import Testing
import AttnJIT

@Suite struct LifetimeTests {
    @Test func compileCallAndDeinitThousandTimes() throws {
        for i in 0..<1000 {
            let module = try TCCModule(source: "int f(int x) { return x * \(i % 97) + 1; }")
            let f = try module.function("f", as: (@convention(c) (Int32) -> Int32).self)
            #expect(f(3) == Int32(3 * (i % 97) + 1))
            withExtendedLifetime(module) {}
        }
    }

    @Test func failedCompilesDoNotLeakOrCrash() {
        for _ in 0..<200 {
            #expect(throws: JITError.self) { try TCCModule(source: "int f( {") }
            #expect(throws: JITError.self) { try TCCModule(source: "int m(void); int f(void){return m();}") }
        }
    }
}
