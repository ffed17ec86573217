import CTCC

/// Gathers every message libtcc reports (errors and warnings) for one
/// `TCCState`, in the order tcc produced them.
///
/// libtcc's callback is a plain C function pointer plus an opaque pointer, so
/// the collector travels as an unretained `Unmanaged` reference; the owning
/// `TCCModule` keeps it alive for as long as the state exists. It is only
/// mutated from inside libtcc calls, i.e. under `TCCLock`.
final class DiagnosticCollector {
    private(set) var messages: [String] = []

    func append(_ message: String) { messages.append(message) }

    /// Opaque pointer to hand to `tcc_set_error_func` (not retained).
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The C callback given to `tcc_set_error_func`: recovers the collector
    /// from the opaque pointer and records the message verbatim.
    static let callback: TCCErrorFunc = { opaque, message in
        guard let opaque, let message else { return }
        Unmanaged<DiagnosticCollector>.fromOpaque(opaque)
            .takeUnretainedValue()
            .append(String(cString: message))
    }
}
