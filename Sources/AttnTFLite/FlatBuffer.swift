// A small reader for the FlatBuffers binary format, as much of it as a .tflite model uses:
// tables through their vtables, scalars with defaults, strings, vectors of scalars and of tables,
// unions (a type byte beside a table offset). Every read is checked against the buffer's bounds
// and every offset against the direction the format allows, so a hostile or truncated file gives
// a `TFLiteError` naming the field, never a trap or a read outside the bytes. It holds no
// schema: the model reader (TFLiteReader) says which field index means what.

/// The bytes of one FlatBuffer, read little-endian with bounds checks.
package struct FlatBuffer: Sendable {
    /// The whole file.
    package let bytes: [UInt8]

    /// Wraps `bytes`; nothing is read until asked.
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// `count` bytes at `offset`, or an error at `path` when they are not all inside the buffer.
    func checkRange(_ offset: Int, _ count: Int, _ path: String) throws(TFLiteError) {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw TFLiteError(.outOfBounds, path, "\(count) byte(s) at offset \(offset) run past the end of the \(bytes.count)-byte file")
        }
    }

    /// The unsigned little-endian integer of `width` bytes at `offset`.
    func unsigned(_ offset: Int, _ width: Int, _ path: String) throws(TFLiteError) -> UInt64 {
        try checkRange(offset, width, path)
        var value: UInt64 = 0
        for i in (0..<width).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    func u8(_ offset: Int, _ path: String) throws(TFLiteError) -> UInt8 { UInt8(try unsigned(offset, 1, path)) }
    func u16(_ offset: Int, _ path: String) throws(TFLiteError) -> Int { Int(try unsigned(offset, 2, path)) }
    func u32(_ offset: Int, _ path: String) throws(TFLiteError) -> Int { Int(try unsigned(offset, 4, path)) }
    func i32(_ offset: Int, _ path: String) throws(TFLiteError) -> Int32 {
        Int32(truncatingIfNeeded: try unsigned(offset, 4, path))
    }
    func i64(_ offset: Int, _ path: String) throws(TFLiteError) -> Int64 {
        Int64(bitPattern: try unsigned(offset, 8, path))
    }
    func f32(_ offset: Int, _ path: String) throws(TFLiteError) -> Float {
        Float(bitPattern: UInt32(try unsigned(offset, 4, path)))
    }

    /// The target of the forward (unsigned) offset stored at `offset`.
    func follow(_ offset: Int, _ path: String) throws(TFLiteError) -> Int {
        let target = offset + (try u32(offset, path))
        guard target < bytes.count else {
            throw TFLiteError(.outOfBounds, path, "offset at \(offset) points to \(target), past the end of the \(bytes.count)-byte file")
        }
        return target
    }

    /// The root table, after checking the 4-byte file identifier at bytes 4..<8.
    package func root(identifier: String, path: String) throws(TFLiteError) -> FlatTable {
        try checkRange(0, 8, path)
        let found = Array(bytes[4..<8])
        guard found == Array(identifier.utf8) else {
            let shown = found.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw TFLiteError(.notTFLite, path, "file identifier is \"\(shown)\", not \"\(identifier)\": not a TensorFlow Lite model")
        }
        return try FlatTable(self, at: try follow(0, path), path: path)
    }
}

/// One table: its position and its vtable, with typed field accessors by field index.
package struct FlatTable: Sendable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int
    /// Where the table sits in the schema (`subgraphs[0].tensors[3]`), for messages.
    package let path: String

    init(_ buffer: FlatBuffer, at position: Int, path: String) throws(TFLiteError) {
        self.buffer = buffer
        self.position = position
        self.path = path
        // The vtable sits at position - soffset (the signed offset stored at position).
        let soffset = Int(try buffer.i32(position, path))
        let vtable = position - soffset
        try buffer.checkRange(vtable, 4, path)
        vtableSize = try buffer.u16(vtable, path)
        tableSize = try buffer.u16(vtable + 2, path)
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw TFLiteError(.malformed, path, "vtable size \(vtableSize) is not an even number of at least 4 bytes")
        }
        try buffer.checkRange(vtable, vtableSize, path)
        guard tableSize >= 4 else {
            throw TFLiteError(.malformed, path, "table size \(tableSize) is smaller than its own vtable offset")
        }
        try buffer.checkRange(position, tableSize, path)
        self.vtable = vtable
    }

    /// The absolute position of field `index` (of `width` bytes), or nil when it is absent.
    func field(_ index: Int, width: Int, _ name: String) throws(TFLiteError) -> Int? {
        let entry = 4 + 2 * index
        guard entry + 2 <= vtableSize else { return nil }
        let relative = try buffer.u16(vtable + entry, "\(path).\(name)")
        guard relative != 0 else { return nil }
        guard relative >= 4, relative + width <= tableSize else {
            throw TFLiteError(.malformed, "\(path).\(name)", "field at \(relative) of a \(tableSize)-byte table")
        }
        return position + relative
    }

    /// An integer scalar field of `width` bytes, sign-extended when `signed`; `default` when absent.
    package func int(_ index: Int, _ name: String, width: Int = 4, signed: Bool = true, default value: Int64 = 0)
        throws(TFLiteError) -> Int64
    {
        guard let at = try field(index, width: width, name) else { return value }
        let raw = try buffer.unsigned(at, width, "\(path).\(name)")
        guard signed, width < 8 else { return Int64(bitPattern: raw) }
        let shift = UInt64(64 - 8 * width)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    /// A bool field (one byte; any non-zero byte is true).
    package func bool(_ index: Int, _ name: String, default value: Bool = false) throws(TFLiteError) -> Bool {
        guard let at = try field(index, width: 1, name) else { return value }
        return try buffer.u8(at, "\(path).\(name)") != 0
    }

    /// A sub-table field, nil when absent.
    package func table(_ index: Int, _ name: String) throws(TFLiteError) -> FlatTable? {
        guard let at = try field(index, width: 4, name) else { return nil }
        return try FlatTable(buffer, at: try buffer.follow(at, "\(path).\(name)"), path: "\(path).\(name)")
    }

    /// A vector field: where its elements start and how many there are, checked to fit the file.
    func vector(_ index: Int, _ name: String, elementSize: Int) throws(TFLiteError) -> (start: Int, count: Int)? {
        guard let at = try field(index, width: 4, name) else { return nil }
        let shown = "\(path).\(name)"
        let header = try buffer.follow(at, shown)
        let count = try buffer.u32(header, shown)
        let start = header + 4
        guard count <= (buffer.bytes.count - min(start, buffer.bytes.count)) / elementSize else {
            throw TFLiteError(.outOfBounds, shown, "\(count) element(s) of \(elementSize) byte(s) at \(start) run past the end of the \(buffer.bytes.count)-byte file")
        }
        return (start, count)
    }

    /// A string field (UTF-8, invalid sequences repaired), nil when absent.
    package func string(_ index: Int, _ name: String) throws(TFLiteError) -> String? {
        guard let (start, count) = try vector(index, name, elementSize: 1) else { return nil }
        return String(decoding: buffer.bytes[start..<(start + count)], as: UTF8.self)
    }

    /// A vector of 32-bit signed integers ([] when absent).
    package func int32s(_ index: Int, _ name: String) throws(TFLiteError) -> [Int32] {
        guard let (start, count) = try vector(index, name, elementSize: 4) else { return [] }
        var out: [Int32] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try buffer.i32(start + 4 * i, "\(path).\(name)[\(i)]")) }
        return out
    }

    /// A vector of 64-bit signed integers ([] when absent).
    package func int64s(_ index: Int, _ name: String) throws(TFLiteError) -> [Int64] {
        guard let (start, count) = try vector(index, name, elementSize: 8) else { return [] }
        var out: [Int64] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try buffer.i64(start + 8 * i, "\(path).\(name)[\(i)]")) }
        return out
    }

    /// A vector of 32-bit floats ([] when absent).
    package func floats(_ index: Int, _ name: String) throws(TFLiteError) -> [Float] {
        guard let (start, count) = try vector(index, name, elementSize: 4) else { return [] }
        var out: [Float] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try buffer.f32(start + 4 * i, "\(path).\(name)[\(i)]")) }
        return out
    }

    /// A vector of bytes ([] when absent).
    package func bytes(_ index: Int, _ name: String) throws(TFLiteError) -> ArraySlice<UInt8> {
        guard let (start, count) = try vector(index, name, elementSize: 1) else { return [] }
        return buffer.bytes[start..<(start + count)]
    }

    /// A vector of tables ([] when absent), each read with its index in its path.
    package func tables(_ index: Int, _ name: String) throws(TFLiteError) -> [FlatTable] {
        guard let (start, count) = try vector(index, name, elementSize: 4) else { return [] }
        var out: [FlatTable] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let shown = "\(path).\(name)[\(i)]"
            out.append(try FlatTable(buffer, at: try buffer.follow(start + 4 * i, shown), path: shown))
        }
        return out
    }
}
