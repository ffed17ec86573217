import CTCC

/// C source compiled in memory by libtcc, together with its machine code.
///
/// The module owns exactly one `TCCState`. Its code and data live in memory
/// belonging to that state (`tcc_relocate` with `TCC_RELOCATE_AUTO`) and are
/// freed by `tcc_delete` when the module is deinitialised. **Keep the
/// `TCCModule` alive for as long as you call any function pointer obtained
/// from it** (e.g. `withExtendedLifetime(module) { fn(...) }`, or store both
/// together); calling a pointer after the module is gone is a use-after-free.
///
/// Compiling and symbol look-up take the process-wide libtcc lock, so modules
/// may be created, used and destroyed from any thread. Calling the compiled
/// functions takes no lock: they run concurrently like any C code.
///
/// Undefined external functions in the source (e.g. `expf`) are resolved by
/// tcc with `dlsym` in the host process, or from `symbols`.
package final class TCCModule: @unchecked Sendable {
    // Both stored properties are immutable after init; the state itself is
    // only touched under TCCLock, hence @unchecked Sendable.
    private let state: OpaquePointer
    /// Target of the error callback registered on `state`; must outlive it.
    private let collector: DiagnosticCollector
    /// Modules whose code `symbols` points into, kept alive as long as this one.
    private let linked: [TCCModule]

    /// Warnings tcc printed while compiling this (successful) module.
    package let diagnostics: [String]

    /// Compiles and relocates `source` in memory.
    ///
    /// - Parameters:
    ///   - source: C source text. tcc names it `<string>` in messages.
    ///   - options: tcc command-line options (e.g. `"-Wall -DN=4"`), applied
    ///     with `tcc_set_options`. Only a safe subset is accepted (see
    ///     `JITError.Kind.invalidOptions`), because libtcc exits the process
    ///     on options it does not know.
    ///   - symbols: extra symbols the C code may reference by name, e.g.
    ///     Swift `@convention(c)` callbacks or data; added with
    ///     `tcc_add_symbol`. The pointees must outlive the module.
    ///   - linked: modules holding code or data `symbols` points to; this
    ///     module keeps them alive.
    /// - Throws: `JITError` with kind `.invalidOptions`, `.tccNewFailed`,
    ///   `.compileFailed` or `.relocationFailed`, carrying tcc's messages.
    package init(
        source: String,
        options: String = "",
        symbols: [String: UnsafeRawPointer] = [:],
        linked: [TCCModule] = []
    ) throws(JITError) {
        try TCCOptions.validate(options)
        let collector = DiagnosticCollector()
        self.collector = collector
        self.linked = linked
        self.state = try TCCLock.run { () throws(JITError) -> OpaquePointer in
            try Self.compile(source: source, options: options, symbols: symbols, collector: collector)
        }
        self.diagnostics = collector.messages
    }

    /// The address of `name` in the compiled code.
    ///
    /// - Throws: `JITError` of kind `.symbolNotFound` naming the symbol.
    package func symbol(_ name: String) throws(JITError) -> UnsafeMutableRawPointer {
        let address = TCCLock.run { tcc_get_symbol(state, name) }
        guard let address else {
            throw JITError(
                kind: .symbolNotFound,
                messages: ["symbol '\(name)' not found in compiled module"],
                symbol: name)
        }
        return address
    }

    /// The function `name`, typed as the C function type `type`, e.g.
    /// `module.function("k", as: (@convention(c) (Int32) -> Int32).self)`.
    /// `type` must be a `@convention(c)` function type matching the C
    /// signature; nothing can check that. Keep `self` alive while calling it.
    package func function<Function>(
        _ name: String, as type: Function.Type = Function.self
    ) throws(JITError) -> Function {
        precondition(
            MemoryLayout<Function>.size == MemoryLayout<UnsafeRawPointer>.size,
            "TCCModule.function(_:as:) needs a @convention(c) function type")
        return unsafeBitCast(try symbol(name), to: Function.self)
    }

    deinit {
        TCCLock.run { tcc_delete(state) }
    }

    /// The libtcc sequence; runs under TCCLock. Deletes the state on every
    /// failure path so nothing leaks.
    private static func compile(
        source: String,
        options: String,
        symbols: [String: UnsafeRawPointer],
        collector: DiagnosticCollector
    ) throws(JITError) -> OpaquePointer {
        guard let state = tcc_new() else {
            throw JITError(kind: .tccNewFailed, messages: [])
        }
        var succeeded = false
        defer { if !succeeded { tcc_delete(state) } }

        tcc_set_error_func(state, collector.opaque, DiagnosticCollector.callback)
        // Before options (so a user -B wins) and before set_output_type,
        // which is when tcc adds {B}/include to the system include paths.
        if let dir = TCCRuntimePaths.libraryDirectory {
            tcc_set_lib_path(state, dir)
        }
        if !options.isEmpty {
            tcc_set_options(state, options)
        }
        tcc_set_output_type(state, TCC_OUTPUT_MEMORY)
        for (name, address) in symbols {
            tcc_add_symbol(state, name, address)
        }
        guard tcc_compile_string(state, source) == 0 else {
            throw JITError(kind: .compileFailed, messages: collector.messages)
        }
        // TCC_RELOCATE_AUTO is the C macro `(void *)1`: tcc allocates the
        // executable memory itself and frees it in tcc_delete.
        guard tcc_relocate(state, UnsafeMutableRawPointer(bitPattern: 1)) >= 0 else {
            throw JITError(kind: .relocationFailed, messages: collector.messages)
        }
        succeeded = true
        return state
    }
}
