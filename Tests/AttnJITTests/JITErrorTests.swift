import Testing
import AttnJIT

@Suite struct JITErrorTests {
    @Test func syntaxErrorReportsTccMessageAndLine() throws {
        let source = """
            int f(int a) {
                int b = a
            }
            """
        let error = try #require(throws: JITError.self) { try TCCModule(source: source) }
        #expect(error.kind == .compileFailed)
        #expect(error.text.contains("<string>:3:"))
        #expect(error.text.contains("';' expected"))
        #expect(error.description == #"tcc: <string>:3: error: ';' expected (got "}")"#)
    }

    @Test func allMessagesAreCollected() throws {
        // A warning on line 1, then the error on line 2: both are kept.
        let source = "int f(void) { return g(); }\nint h(void) { return undeclared_var; }\n"
        let error = try #require(throws: JITError.self) { try TCCModule(source: source) }
        #expect(error.kind == .compileFailed)
        #expect(error.messages.count == 2)
        #expect(error.messages.first?.contains("<string>:1:") == true)
        #expect(error.messages.last?.contains("<string>:2: error: 'undeclared_var' undeclared") == true)
    }

    @Test func missingSymbolNamesIt() throws {
        let module = try TCCModule(source: CKernels.add)
        let error = try #require(throws: JITError.self) { try module.symbol("subtract") }
        #expect(error.kind == .symbolNotFound)
        #expect(error.symbol == "subtract")
        #expect(error.description.contains("'subtract'"))
    }

    @Test func undefinedFunctionFailsAtRelocationNamingIt() throws {
        let source = """
            int attn_missing_helper(int);
            int f(int x) { return attn_missing_helper(x); }
            """
        let error = try #require(throws: JITError.self) { try TCCModule(source: source) }
        #expect(error.kind == .relocationFailed)
        #expect(error.text.contains("undefined symbol 'attn_missing_helper'"))
        #expect(error.description.hasPrefix("tcc: "))
    }

    @Test(arguments: ["-bogus", "-I", "-DX=1 -D", "-Wl,-z,now", "main.c", "-run"])
    func optionsThatWouldKillTheProcessAreRefused(options: String) throws {
        let error = try #require(throws: JITError.self) {
            try TCCModule(source: CKernels.add, options: options)
        }
        #expect(error.kind == .invalidOptions)
        #expect(error.description.hasPrefix("tcc: invalid options"))
    }

    @Test func errorsAreIndependentPerModule() throws {
        // Messages from one failed compile must not leak into the next one.
        _ = try? TCCModule(source: "int f( {")
        let module = try TCCModule(source: CKernels.add)
        #expect(module.diagnostics.isEmpty)
    }
}
