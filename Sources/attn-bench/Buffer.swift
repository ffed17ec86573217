// Float buffers for timing: 64-byte aligned (a cache line, an AVX-512 vector), owned by the
// caller and freed explicitly, so nothing is allocated inside a timed loop.

struct FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// nil for an empty buffer, as the kernels' scratch argument wants.
    var orNil: UnsafeMutablePointer<Float>? { count > 0 ? pointer : nil }

    func free() { UnsafeMutableRawPointer(pointer).deallocate() }
}
