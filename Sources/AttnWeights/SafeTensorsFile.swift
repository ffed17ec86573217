import Foundation

/// A parsed safetensors file: tensor names mapped to validated header entries, whose bytes are
/// read when a tensor is asked for.
///
/// Layout: 8 bytes little-endian header length L, L bytes of UTF-8 JSON mapping each name to
/// `{"dtype", "shape", "data_offsets"}` (offsets relative to the first byte after the header)
/// plus an optional `"__metadata__"` object of strings, then the little-endian data, which the
/// tensors must cover exactly: no gap between two tensors and nothing after the last.
///
/// Every rule is checked when the file is opened, so a value of this type always holds
/// tensors whose byte count matches their shape; the float accessors can then convert
/// without re-checking. No input bytes can make parsing trap: all offsets and sizes are
/// overflow- and bounds-checked before use.
///
/// `load(path:)` reads only the header; a tensor's bytes are read (with `pread`, not a memory
/// map, which would kill the process with SIGBUS if another one truncated the file) when
/// `tensor(_:)` or `floats(_:)` asks for them. A multi-gigabyte checkpoint of which a block uses
/// a few tensors therefore costs those tensors' bytes, not the file's.
package struct SafeTensorsFile: Sendable {
    /// One tensor's element type, shape and raw little-endian bytes.
    package struct Tensor: Sendable, Equatable {
        package let dtype: DType
        /// Dimensions, outermost first; `[]` is a scalar holding one element.
        package let shape: [Int]
        /// The tensor's bytes, copied out of the file so that one small tensor does not keep
        /// a multi-megabyte file alive. Always `product(shape) * dtype.byteSize` long.
        package let bytes: [UInt8]

        /// Number of elements (the product of `shape`).
        package var elementCount: Int { bytes.count / dtype.byteSize }
    }

    /// What the header says of one tensor, checked; its bytes stay in the file until asked for.
    package struct Entry: Sendable, Equatable {
        package let dtype: DType
        /// Dimensions, outermost first; `[]` is a scalar holding one element.
        package let shape: [Int]
        /// Byte range in the data section (which starts right after the header).
        package let dataOffsets: Range<Int>

        /// Number of elements (the product of `shape`).
        package var elementCount: Int { dataOffsets.count / dtype.byteSize }
    }

    /// Header entries larger than this are refused before anything is allocated for them;
    /// it is the limit the reference implementation uses.
    package static let maxHeaderLength = 100_000_000

    /// Tensors by name.
    package let tensors: [String: Entry]
    /// The `__metadata__` strings, empty when the file has none.
    package let metadata: [String: String]
    /// The file name used in error messages.
    package let source: String
    /// Where tensor bytes are read from, and the offset of the data section in it.
    private let storage: Storage
    private let dataStart: Int

    /// Parses a whole file held in memory.
    /// - Parameter source: the file name to put in error messages.
    package init(bytes: [UInt8], source: String) throws(WeightsError) {
        self = try Self.decode(.memory(bytes), source: source)
    }

    /// Opens and parses the file at `path`, reading its header only; `path` is the `source` in
    /// error messages. The file stays open until the value is gone.
    package static func load(path: String) throws(WeightsError) -> SafeTensorsFile {
        try decode(.file(try OpenFile.open(path: path)), source: path)
    }

    private init(tensors: [String: Entry], metadata: [String: String], source: String, storage: Storage, dataStart: Int) {
        self.tensors = tensors
        self.metadata = metadata
        self.source = source
        self.storage = storage
        self.dataStart = dataStart
    }

    /// Tensor names in byte-wise (UTF-8) order, the order the writer lays them out in.
    package func names() -> [String] {
        tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The tensor called `name`, its bytes read now; an unknown name throws `unknownTensor`
    /// listing the nearest names the file does have.
    package func tensor(_ name: String) throws(WeightsError) -> Tensor {
        guard let entry = tensors[name] else {
            throw WeightsError(source: source, tensor: name, rule: .unknownTensor,
                               detail: NameSuggestions.message(for: name, among: names()))
        }
        let bytes = try storage.read(at: dataStart + entry.dataOffsets.lowerBound, count: entry.dataOffsets.count, source: source)
        return Tensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes)
    }

    // MARK: - Decoding

    /// The single parsing path shared by `init(bytes:)` and `load(path:)`.
    static func decode(_ storage: Storage, source: String) throws(WeightsError) -> SafeTensorsFile {
        let size = storage.size
        guard size >= 8 else {
            throw WeightsError(source: source, rule: .fileTooShort,
                               detail: "the file is \(size) bytes; it must start with an 8-byte header length")
        }
        let lengthBytes = try storage.read(at: 0, count: 8, source: source)
        let declared = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        // Compare as UInt64 first: converting a huge value to Int would trap.
        guard declared <= UInt64(maxHeaderLength) else {
            throw WeightsError(source: source, rule: .headerLengthOutOfRange,
                               detail: "header length \(declared) exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= size - 8 else {
            throw WeightsError(source: source, rule: .headerLengthOutOfRange,
                               detail: "header length \(headerLength) runs past the end of the file (\(size - 8) bytes follow the length)")
        }
        let header = try storage.read(at: 8, count: headerLength, source: source)
        if let bad = firstInvalidUTF8Offset(header) {
            throw WeightsError(source: source, rule: .invalidHeader,
                               detail: "the header is not valid UTF-8 (byte \(bad) of the header)")
        }
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(header)
        } catch {
            throw WeightsError(source: source, rule: .invalidHeader,
                               detail: "the header is not valid JSON: \(error.message) (byte \(error.offset) of the header)")
        }
        let dataStart = 8 + headerLength
        let validated = try HeaderValidator(source: source, dataLength: size - dataStart).validate(json)

        var tensors: [String: Entry] = [:]
        tensors.reserveCapacity(validated.entries.count)
        for entry in validated.entries {
            // In bounds: the validator checked 0 <= begin <= end <= data length.
            tensors[entry.name] = Entry(dtype: entry.dtype, shape: entry.shape, dataOffsets: entry.begin..<entry.end)
        }
        return SafeTensorsFile(tensors: tensors, metadata: validated.metadata, source: source,
                               storage: storage, dataStart: dataStart)
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 scalar
    /// (overlong forms and surrogates included), or nil when all of it is valid.
    ///
    /// Headers are nearly always ASCII, and the stdlib's validating initializer is fast;
    /// the scalar-by-scalar walk, which is what finds the offset, runs only on bad input.
    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        if bytes.allSatisfy({ $0 < 0x80 }) || String(validating: bytes, as: UTF8.self) != nil {
            return nil
        }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
