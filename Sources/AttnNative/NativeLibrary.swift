// A shared object loaded with dlopen. The machine code lives as long as this value: keep it alive
// while any function pointer taken from it can still be called (as with TCCModule).

import Foundation

/// A loaded shared object from the native tier.
package final class NativeLibrary: @unchecked Sendable {
    /// How the object came to be: observable, so tests can see the disk cache work without timing.
    package enum Origin: Equatable, Sendable {
        /// Compiled in this call and stored in the cache.
        case compiled
        /// Found in the on-disk cache; the compiler did not run.
        case diskCache
        /// Compiled with the cache bypassed; the file is gone once loaded.
        case uncached
    }

    /// The file it was loaded from.
    package let path: String
    package let origin: Origin
    // Immutable after init; dlsym is thread-safe, hence @unchecked Sendable.
    private let handle: UnsafeMutableRawPointer

    init(path: String, origin: Origin) throws(NativeError) {
        // RTLD_NOW: an unresolved symbol fails here, not in the middle of a kernel call.
        // RTLD_LOCAL: kernels of different specs never see each other's symbols.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw NativeError(.loadFailed, Self.lastError(or: "cannot load \(path)"))
        }
        self.path = path
        self.origin = origin
        self.handle = handle
    }

    /// The address of `name`.
    package func symbol(_ name: String) throws(NativeError) -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, name) else {
            throw NativeError(.symbolNotFound, "symbol '\(name)' not found in \(path)")
        }
        return address
    }

    /// `name` as the C function type `type` (a `@convention(c)` type; nothing can check the
    /// signature). Keep `self` alive while calling it.
    package func function<Function>(_ name: String, as type: Function.Type = Function.self) throws(NativeError)
        -> Function
    {
        guard MemoryLayout<Function>.size == MemoryLayout<UnsafeRawPointer>.size else {
            throw NativeError(.notAFunctionType, "\(Function.self) is not a @convention(c) function type")
        }
        return unsafeBitCast(try symbol(name), to: Function.self)
    }

    deinit { dlclose(handle) }

    private static func lastError(or fallback: String) -> String {
        guard let text = dlerror() else { return fallback }
        return String(cString: text)
    }
}
