/// Writes F32 safetensors files the way the reference implementation lays them out.
///
/// Output is deterministic: tensors are sorted by name (byte-wise, as Rust sorts
/// strings), metadata keys likewise, the JSON is compact with keys in the reference order
/// (`dtype`, `shape`, `data_offsets`), and the header is padded with spaces to a multiple
/// of 8 bytes so that the data section starts aligned.
package enum SafeTensorsWriter {
    /// The bytes of a file laid out exactly as given: tensors in the caller's order with their
    /// dtype strings, shapes and raw bytes taken as they are, offsets consecutive, no header
    /// padding. Nothing is checked, so tests and fuzz seeds can build files the reader must
    /// refuse (an integer dtype, a byte count that contradicts the shape, an unknown dtype).
    package static func encodeRaw(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
        var entries: [String] = []
        var data: [UInt8] = []
        for t in tensors {
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(JSONText.quoted(t.name)):{\"dtype\":\(JSONText.quoted(t.dtype)),\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(data.count),\(data.count + t.bytes.count)]}")
            data += t.bytes
        }
        let header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        return out + header + data
    }

    /// The bytes of a safetensors file holding `tensors` as F32.
    ///
    /// Empty `metadata` writes no `__metadata__` entry. Names must be unique and not
    /// `__metadata__`, dimensions non-negative, and `values.count` equal to the product of
    /// `shape` (`[]` is a scalar with one value); anything else throws a `WeightsError` (source
    /// "SafeTensorsWriter") naming the tensor, the same rule the reader would refuse it by.
    package static func encode(_ tensors: [(name: String, shape: [Int], values: [Float])],
                              metadata: [String: String] = [:]) throws(WeightsError) -> [UInt8] {
        let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        func refuse(_ name: String, _ rule: WeightsError.Rule, _ detail: String) -> WeightsError {
            WeightsError(source: "SafeTensorsWriter", tensor: name, rule: rule, detail: detail)
        }

        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            let pairs = keys.map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        var previousName: String?
        for tensor in sorted {
            guard tensor.name != "__metadata__" else {
                throw refuse(tensor.name, .duplicateName, "the name is reserved for the header's metadata")
            }
            guard tensor.name != previousName else { throw refuse(tensor.name, .duplicateName, "given twice") }
            previousName = tensor.name
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw refuse(tensor.name, .invalidShape, "shape \(tensor.shape) has a negative dimension")
            }
            var count = 1
            for dim in tensor.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw refuse(tensor.name, .shapeOverflow, "shape \(tensor.shape) overflows") }
                count = product
            }
            guard count == tensor.values.count else {
                throw refuse(tensor.name, .byteLengthMismatch, "\(tensor.values.count) values for shape \(tensor.shape)")
            }
            let end = offset + count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONText.quoted(tensor.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"

        var headerBytes = Array(header.utf8)
        let padding = (8 - headerBytes.count % 8) % 8
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for tensor in sorted {
            #if _endian(little)
            // Host order is the file's order: copy the bit patterns in one go.
            tensor.values.withUnsafeBytes { out.append(contentsOf: $0) }
            #else
            for value in tensor.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
            #endif
        }
        return out
    }
}
