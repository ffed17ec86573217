import Foundation

/// A parsed safetensors file: tensor names mapped to raw, validated tensors.
///
/// Layout: 8 bytes little-endian header length L, L bytes of UTF-8 JSON mapping each name to
/// `{"dtype", "shape", "data_offsets"}` (offsets relative to the first byte after the header)
/// plus an optional `"__metadata__"` object of strings, then the little-endian data.
///
/// Every rule is checked when the file is parsed, so a value of this type always holds
/// tensors whose byte count matches their shape; the float accessors can then convert
/// without re-checking. No input bytes can make parsing trap: all offsets and sizes are
/// overflow- and bounds-checked before use.
public struct SafeTensorsFile: Sendable {
    /// One tensor's element type, shape and raw little-endian bytes.
    public struct Tensor: Sendable, Equatable {
        public let dtype: DType
        /// Dimensions, outermost first; `[]` is a scalar holding one element.
        public let shape: [Int]
        /// The tensor's bytes, copied out of the file so that one small tensor does not keep
        /// a multi-megabyte file alive. Always `product(shape) * dtype.byteSize` long.
        public let bytes: [UInt8]

        /// Number of elements (the product of `shape`).
        public var elementCount: Int { bytes.count / dtype.byteSize }
    }

    /// Header entries larger than this are refused before anything is allocated for them;
    /// it is the limit the reference implementation uses.
    public static let maxHeaderLength = 100_000_000

    /// Tensors by name.
    public let tensors: [String: Tensor]
    /// The `__metadata__` strings, empty when the file has none.
    public let metadata: [String: String]
    /// The file name used in error messages.
    public let source: String

    /// Parses a whole file held in memory.
    /// - Parameter source: the file name to put in error messages.
    public init(bytes: [UInt8], source: String) throws(WeightsError) {
        let result = bytes.withUnsafeBytes { raw in Self.decode(raw, source: source) }
        self = try result.get()
    }

    /// Reads and parses the file at `path`; `path` is the `source` in error messages.
    public static func load(path: String) throws(WeightsError) -> SafeTensorsFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WeightsError(source: path, rule: .fileNotFound, detail: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw WeightsError(source: path, rule: .fileUnreadable, detail: "is a directory, not a file")
        }
        let data: Data
        do {
            // Read, not memory-map: a mapped file truncated by another process while we
            // parse would kill us with SIGBUS, which no bounds check can prevent.
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WeightsError(source: path, rule: .fileUnreadable,
                               detail: "cannot be read: \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { raw in decode(raw, source: path) }.get()
    }

    private init(tensors: [String: Tensor], metadata: [String: String], source: String) {
        self.tensors = tensors
        self.metadata = metadata
        self.source = source
    }

    /// Tensor names in byte-wise (UTF-8) order, the order the writer lays them out in.
    public func names() -> [String] {
        tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The tensor called `name`; an unknown name throws `unknownTensor` listing the
    /// nearest names the file does have.
    public func tensor(_ name: String) throws(WeightsError) -> Tensor {
        guard let tensor = tensors[name] else {
            throw WeightsError(source: source, tensor: name, rule: .unknownTensor,
                               detail: NameSuggestions.message(for: name, among: names()))
        }
        return tensor
    }

    // MARK: - Decoding

    /// The single parsing path shared by `init(bytes:)` and `load(path:)`, working on raw
    /// memory so that a loaded `Data` is not copied into an array first.
    private static func decode(_ raw: UnsafeRawBufferPointer, source: String) -> Result<SafeTensorsFile, WeightsError> {
        do {
            return .success(try decodeThrowing(raw, source: source))
        } catch {
            return .failure(error)
        }
    }

    private static func decodeThrowing(_ raw: UnsafeRawBufferPointer,
                                       source: String) throws(WeightsError) -> SafeTensorsFile {
        guard raw.count >= 8 else {
            throw WeightsError(source: source, rule: .fileTooShort,
                               detail: "the file is \(raw.count) bytes; it must start with an 8-byte header length")
        }
        let declared = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        // Compare as UInt64 first: converting a huge value to Int would trap.
        guard declared <= UInt64(maxHeaderLength) else {
            throw WeightsError(source: source, rule: .headerLengthOutOfRange,
                               detail: "header length \(declared) exceeds the \(maxHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= raw.count - 8 else {
            throw WeightsError(source: source, rule: .headerLengthOutOfRange,
                               detail: "header length \(headerLength) runs past the end of the file (\(raw.count - 8) bytes follow the length)")
        }
        let header = [UInt8](UnsafeRawBufferPointer(rebasing: raw[8..<(8 + headerLength)]))
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
        let validated = try HeaderValidator(source: source, dataLength: raw.count - dataStart).validate(json)

        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(validated.entries.count)
        for entry in validated.entries {
            // In bounds: the validator checked 0 <= begin <= end <= data length.
            let slice = raw[(dataStart + entry.begin)..<(dataStart + entry.end)]
            tensors[entry.name] = Tensor(dtype: entry.dtype, shape: entry.shape,
                                         bytes: [UInt8](UnsafeRawBufferPointer(rebasing: slice)))
        }
        return SafeTensorsFile(tensors: tensors, metadata: validated.metadata, source: source)
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
