import Synchronization

/// The one process-wide lock that serialises every libtcc call.
///
/// libtcc keeps compiler state in globals (the current `TCCState`, the token
/// tables, the section being written), so two compilations, or a compilation
/// and a `tcc_delete`, must never overlap — even on different `TCCState`s.
/// Every call into CTCC in this module goes through `TCCLock.run`.
/// Calling already-relocated JIT code does *not* need the lock.
enum TCCLock {
    private static let mutex = Mutex(())

    /// Runs `body` while holding the libtcc lock. Not reentrant: `body` must
    /// not call `run` again (nothing in this module does).
    static func run<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        // Mutex.withLock wants a `sending` result; the values we return
        // (pointers freshly produced by libtcc) are not shared with anyone
        // else while the lock is held, so hand them out as-is.
        let boxed: Outcome<Result, Failure> = mutex.withLock { _ in
            do throws(Failure) {
                return Outcome(value: .success(try body()))
            } catch {
                return Outcome(value: .failure(error))
            }
        }
        return try boxed.value.get()
    }
}

/// Carries a closure's outcome out of `Mutex.withLock`, whose result must be
/// `sending`; the wrapped value is only ever touched by the calling thread.
private struct Outcome<Value, Failure: Error>: @unchecked Sendable {
    let value: Swift.Result<Value, Failure>
}
