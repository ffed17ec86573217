// A process-wide table whose values are made on first use, from any thread.

import Synchronization

/// Values by key, each made by `make` the first time it is asked for and kept for the process: a
/// process pays for the templates and helper forms its kernels use, not for all of them.
/// Thread-safe: `make` runs outside the lock (it may read other tables); two threads that miss
/// the same key at once both make it, and both get the first one stored.
package final class LazyTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])
    private let make: @Sendable (Key) -> Value

    package init(_ make: @escaping @Sendable (Key) -> Value) { self.make = make }

    package subscript(key: Key) -> Value {
        if let hit = values.withLock({ $0[key] }) { return hit }
        let made = make(key)
        return values.withLock { table in
            if let stored = table[key] { return stored }
            table[key] = made
            return made
        }
    }

    /// Number of values made so far.
    package var count: Int { values.withLock { $0.count } }
}
