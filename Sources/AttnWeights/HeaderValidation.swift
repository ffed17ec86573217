/// One tensor's header entry after every rule has been checked.
struct TensorEntry {
    let name: String
    let dtype: SafeTensorsFile.DType
    let shape: [Int]
    /// Byte range inside the data section (after the header).
    let begin: Int
    let end: Int
}

/// The header's meaning, checked against the size of the data section.
struct ValidatedHeader {
    var entries: [TensorEntry] = []
    var metadata: [String: String] = [:]
}

/// Turns the parsed header JSON into checked tensor entries.
///
/// Checks run entry by entry in header order, so the first bad entry is the one reported;
/// every size computation is overflow-checked so that no header can trap the reader.
struct HeaderValidator {
    static let metadataKey = "__metadata__"

    let source: String
    let dataLength: Int

    func validate(_ json: HeaderJSON) throws(WeightsError) -> ValidatedHeader {
        guard case .object(let members) = json else {
            throw WeightsError(source: source, rule: .invalidHeader,
                               detail: "the header is \(json.kindName), not a JSON object")
        }
        var result = ValidatedHeader()
        var seen = Set<String>()
        for (key, value) in members {
            guard seen.insert(key).inserted else {
                if key == Self.metadataKey {
                    throw WeightsError(source: source, rule: .duplicateName,
                                       detail: "\"__metadata__\" appears twice in the header")
                }
                throw WeightsError(source: source, tensor: key, rule: .duplicateName,
                                   detail: "the name appears twice in the header")
            }
            if key == Self.metadataKey {
                result.metadata = try metadata(value)
            } else {
                result.entries.append(try entry(named: key, value))
            }
        }
        try checkNoOverlap(result.entries)
        try checkCovered(result.entries)
        return result
    }

    // MARK: - Metadata

    private func metadata(_ value: HeaderJSON) throws(WeightsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw WeightsError(source: source, rule: .malformedMetadata,
                               detail: "__metadata__ is \(value.kindName), expected an object of strings")
        }
        var out: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw WeightsError(source: source, rule: .malformedMetadata,
                                   detail: "__metadata__ key \(JSONText.quoted(key)) is \(item.kindName), expected a string")
            }
            guard out.updateValue(text, forKey: key) == nil else {
                throw WeightsError(source: source, rule: .malformedMetadata,
                                   detail: "__metadata__ key \(JSONText.quoted(key)) appears twice")
            }
        }
        return out
    }

    // MARK: - Tensor entries

    private func fail(_ name: String, _ rule: WeightsError.Rule, _ detail: String) -> WeightsError {
        WeightsError(source: source, tensor: name, rule: rule, detail: detail)
    }

    private func entry(named name: String, _ value: HeaderJSON) throws(WeightsError) -> TensorEntry {
        guard case .object(let fields) = value else {
            throw fail(name, .malformedEntry,
                       "the entry is \(value.kindName), expected an object with dtype, shape and data_offsets")
        }
        // Unknown extra keys are ignored, as the reference implementation does.
        let dtypeValue = try field("dtype", in: fields, of: name)
        let shapeValue = try field("shape", in: fields, of: name)
        let offsetsValue = try field("data_offsets", in: fields, of: name)

        guard case .string(let dtypeName) = dtypeValue else {
            throw fail(name, .malformedEntry, "\"dtype\" is \(dtypeValue.kindName), expected a string")
        }
        guard let dtype = SafeTensorsFile.DType(rawValue: dtypeName) else {
            let known = SafeTensorsFile.DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(name, .unknownDType, "unknown dtype \(JSONText.quoted(dtypeName)) (known: \(known))")
        }

        guard case .array(let dims) = shapeValue else {
            throw fail(name, .malformedEntry, "\"shape\" is \(shapeValue.kindName), expected an array")
        }
        let shape = try shape(dims, of: name)
        let byteCount = try byteCount(shape, dtype, of: name)

        guard case .array(let offsets) = offsetsValue else {
            throw fail(name, .malformedEntry, "\"data_offsets\" is \(offsetsValue.kindName), expected an array")
        }
        let (begin, end) = try offsetPair(offsets, of: name)
        guard end <= dataLength else {
            throw fail(name, .offsetsPastEnd,
                       "data_offsets [\(begin), \(end)] run past the end of the data (\(dataLength) bytes)")
        }
        guard end - begin == byteCount else {
            throw fail(name, .byteLengthMismatch,
                       "data_offsets [\(begin), \(end)] hold \(end - begin) bytes but \(dtype.rawValue) shape \(shape) needs \(byteCount)")
        }
        return TensorEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The one value of a required key; missing or repeated keys are malformed entries.
    private func field(_ key: String, in fields: [(key: String, value: HeaderJSON)],
                       of name: String) throws(WeightsError) -> HeaderJSON {
        var found: HeaderJSON?
        for (k, v) in fields where k == key {
            guard found == nil else { throw fail(name, .malformedEntry, "\"\(key)\" appears twice in the entry") }
            found = v
        }
        guard let found else { throw fail(name, .malformedEntry, "the entry has no \"\(key)\"") }
        return found
    }

    private func shape(_ dims: [HeaderJSON], of name: String) throws(WeightsError) -> [Int] {
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for (i, dim) in dims.enumerated() {
            switch dim {
            case .number(.integer(let n)) where n >= 0:
                shape.append(n)
            case .number(.integer(let n)):
                throw fail(name, .invalidShape, "shape[\(i)] is \(n); dimensions must be non-negative")
            case .number(.outOfRange(let literal)) where literal.hasPrefix("-"):
                throw fail(name, .invalidShape, "shape[\(i)] is \(literal); dimensions must be non-negative")
            case .number(.outOfRange(let literal)):
                throw fail(name, .shapeOverflow, "shape[\(i)] is \(literal), which does not fit in a 64-bit integer")
            case .number(.fractional(let literal)):
                throw fail(name, .invalidShape, "shape[\(i)] is \(literal); dimensions must be plain integers")
            default:
                throw fail(name, .invalidShape, "shape[\(i)] is \(dim.kindName), expected a non-negative integer")
            }
        }
        return shape
    }

    private func byteCount(_ shape: [Int], _ dtype: SafeTensorsFile.DType,
                           of name: String) throws(WeightsError) -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw fail(name, .shapeOverflow, "the element count of shape \(shape) overflows a 64-bit integer")
            }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw fail(name, .shapeOverflow,
                       "the byte count of \(dtype.rawValue) shape \(shape) overflows a 64-bit integer")
        }
        return bytes
    }

    private func offsetPair(_ offsets: [HeaderJSON], of name: String) throws(WeightsError) -> (Int, Int) {
        func describe(_ v: HeaderJSON) -> String {
            switch v {
            case .number(.integer(let n)): return String(n)
            case .number(.outOfRange(let s)), .number(.fractional(let s)): return s
            case .string(let s): return JSONText.quoted(s)
            default: return v.kindName
            }
        }
        let written = "[" + offsets.map(describe).joined(separator: ", ") + "]"
        guard offsets.count == 2,
              case .number(.integer(let begin)) = offsets[0],
              case .number(.integer(let end)) = offsets[1],
              begin >= 0, end >= 0 else {
            throw fail(name, .invalidOffsets, "data_offsets \(written) must be two non-negative integers [begin, end]")
        }
        guard begin <= end else {
            throw fail(name, .invalidOffsets, "data_offsets \(written) end before they begin")
        }
        return (begin, end)
    }

    // MARK: - Overlap

    /// Empty tensors own no bytes, so they may sit anywhere; every other pair of ranges
    /// must be disjoint, or writing one tensor's weights would silently change another's.
    private func checkNoOverlap(_ entries: [TensorEntry]) throws(WeightsError) {
        let ranged = entries.filter { $0.begin < $0.end }.sorted {
            ($0.begin, $0.end) != ($1.begin, $1.end)
                ? ($0.begin, $0.end) < ($1.begin, $1.end)
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var furthest: TensorEntry?
        for entry in ranged {
            if let previous = furthest, entry.begin < previous.end {
                throw fail(entry.name, .overlappingData,
                           "bytes [\(entry.begin), \(entry.end)) overlap tensor \(JSONText.quoted(previous.name)) at [\(previous.begin), \(previous.end))")
            }
            if furthest.map({ entry.end > $0.end }) ?? true { furthest = entry }
        }
    }

    // MARK: - Coverage

    /// The tensors must cover the data section exactly. Bytes no tensor owns are read by
    /// nobody, so a file with them was not written as its header says: a truncated or
    /// spliced header, or a tensor dropped from it. Runs after the overlap check, so the
    /// ranges here are disjoint.
    private func checkCovered(_ entries: [TensorEntry]) throws(WeightsError) {
        let ranged = entries.filter { $0.begin < $0.end }.sorted { $0.begin < $1.begin }
        var covered = 0
        var previous: TensorEntry?
        for entry in ranged {
            if entry.begin > covered {
                let after = previous.map { "tensor \(JSONText.quoted($0.name))" } ?? "the start of the data section"
                throw WeightsError(source: source, rule: .uncoveredData,
                                   detail: "data bytes [\(covered), \(entry.begin)) between \(after) and tensor \(JSONText.quoted(entry.name)) belong to no tensor; the tensors must cover the data section exactly")
            }
            covered = entry.end
            previous = entry
        }
        if covered < dataLength {
            let after = previous.map { "the last tensor, \(JSONText.quoted($0.name))," } ?? "the header, which names no tensor with data,"
            throw WeightsError(source: source, rule: .uncoveredData,
                               detail: "data bytes [\(covered), \(dataLength)) after \(after) belong to no tensor; the tensors must cover the data section exactly")
        }
    }
}
