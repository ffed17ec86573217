// A weights file of either format the pipeline reads, told apart by its first bytes: a zip
// archive is a `torch.save` checkpoint, a pickle is torch's legacy format (refused), anything
// else is read as safetensors.

/// A checkpoint's tensors by name, from a safetensors file or a `torch.save` checkpoint.
package enum TensorFile: Sendable {
    case safetensors(SafeTensorsFile)
    case torch(TorchCheckpoint)

    /// Opens the file at `path`, reading its header or directory only; `path` is the source in
    /// error messages. Tensor bytes are read when asked for.
    package static func load(path: String) throws(WeightsError) -> TensorFile {
        try decode(.file(try OpenFile.open(path: path)), source: path)
    }

    /// Parses a whole file held in memory.
    package init(bytes: [UInt8], source: String) throws(WeightsError) {
        self = try Self.decode(.memory(bytes), source: source)
    }

    private static func decode(_ storage: Storage, source: String) throws(WeightsError) -> TensorFile {
        let head = try storage.read(at: 0, count: min(storage.size, 4), source: source)
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .torch(try TorchCheckpoint.decode(storage, source: source))
        }
        // The legacy format is a bare pickle stream (protocol 2), starting with a magic number.
        if head.starts(with: [0x80, 0x02]) {
            throw WeightsError(
                source: source, rule: .unsupportedCheckpoint,
                detail: "a torch checkpoint in the legacy format (torch before 1.6, or _use_new_zipfile_serialization=False), which is not read; load it in torch and save it again with torch.save(state_dict, path)")
        }
        return .safetensors(try SafeTensorsFile.decode(storage, source: source))
    }

    /// The file name used in error messages.
    package var source: String {
        switch self {
        case .safetensors(let f): return f.source
        case .torch(let f): return f.source
        }
    }

    /// Tensor names in byte-wise (UTF-8) order.
    package func names() -> [String] {
        switch self {
        case .safetensors(let f): return f.names()
        case .torch(let f): return f.names()
        }
    }

    /// The dims of tensor `name`, or nil when the file has no such tensor.
    package func shape(_ name: String) -> [Int]? {
        switch self {
        case .safetensors(let f): return f.tensors[name]?.shape
        case .torch(let f): return f.tensors[name]?.shape
        }
    }

    /// The element type of tensor `name`, or nil when the file has no such tensor.
    package func dtype(_ name: String) -> SafeTensorsFile.DType? {
        switch self {
        case .safetensors(let f): return f.tensors[name]?.dtype
        case .torch(let f): return f.tensors[name]?.dtype
        }
    }

    /// The tensor called `name` (row-major), its bytes read now.
    package func tensor(_ name: String) throws(WeightsError) -> SafeTensorsFile.Tensor {
        switch self {
        case .safetensors(let f): return try f.tensor(name)
        case .torch(let f): return try f.tensor(name)
        }
    }

    /// The values of tensor `name` as Float, as `SafeTensorsFile.floats` converts them.
    package func floats(_ name: String) throws(WeightsError) -> [Float] {
        let tensor = try tensor(name)
        guard let values = tensor.decodedFloats() else {
            throw SafeTensorsFile.notFloat(tensor.dtype, name: name, source: source)
        }
        return values
    }
}
