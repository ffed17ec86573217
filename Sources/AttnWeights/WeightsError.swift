/// Why a weights file, or a request made against one, was refused.
///
/// It carries the file, the tensor when one is involved, and the broken rule in plain
/// words, so that a user who sees it from the command line can go straight to the bad
/// entry instead of opening the file in a hex editor. Callers and tests match on `rule`;
/// the wording of `detail` is free to improve.
public struct WeightsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Each distinct way a file or a request can be refused.
    public enum Rule: String, Sendable, Equatable, CaseIterable {
        /// No file exists at the given path.
        case fileNotFound
        /// The path exists but could not be read (a directory, no permission, I/O error).
        case fileUnreadable
        /// Fewer than the 8 bytes that hold the header length.
        case fileTooShort
        /// The header length runs past the end of the file or exceeds the 100 MB limit.
        case headerLengthOutOfRange
        /// The header is not UTF-8, not JSON, or not a JSON object.
        case invalidHeader
        /// A tensor entry is not an object, lacks dtype/shape/data_offsets, or has one of them
        /// with the wrong JSON type (or twice).
        case malformedEntry
        /// `__metadata__` is not an object of string to string.
        case malformedMetadata
        /// The dtype string is not one this reader knows.
        case unknownDType
        /// A shape dimension is negative or not an integer.
        case invalidShape
        /// The element count or byte count of a shape does not fit in a 64-bit integer.
        case shapeOverflow
        /// `data_offsets` is not two non-negative, non-decreasing integers.
        case invalidOffsets
        /// `data_offsets` end past the end of the data section.
        case offsetsPastEnd
        /// The byte range's length differs from product(shape) × dtype size.
        case byteLengthMismatch
        /// Two tensors' byte ranges share bytes.
        case overlappingData
        /// Bytes of the data section belong to no tensor: a gap between two tensors, or bytes
        /// after the last one. The format says the tensors cover the data section exactly.
        case uncoveredData
        /// A tensor name (or `__metadata__`) appears twice in the header.
        case duplicateName
        /// A float view was asked of an integer or bool tensor.
        case wrongDType
        /// No tensor of that name exists in the file.
        case unknownTensor
        /// A `torch.save` zip container that is broken or holds what torch never writes
        /// (compressed, encrypted or overlapping members, a directory outside the file).
        case invalidArchive
        /// The checkpoint's pickle is malformed: an unknown opcode, a stack or memo misuse, a
        /// value of the wrong type where torch writes another.
        case invalidPickle
        /// The pickle names a Python global outside the allow-list (anything but an ordered dict,
        /// torch's tensor and parameter rebuilders and its storage types); it is never run.
        case refusedGlobal
        /// A checkpoint torch can write but this reader does not take: the legacy (pre-1.6)
        /// format, big-endian data, a top level that is not a state dict.
        case unsupportedCheckpoint
        /// A tensor's size, strides or storage offset reach past its storage, or its storage
        /// member is missing or of the wrong length.
        case invalidTensorView
    }

    /// The file the error is about, as the caller named it (a path or a display name).
    public let source: String
    /// The tensor the error is about, when there is one.
    public let tensor: String?
    /// Which rule was broken.
    public let rule: Rule
    /// The rule in plain words, with the offending values.
    public let detail: String

    /// An error about `source` (and `tensor`, if one), breaking `rule`.
    public init(source: String, tensor: String? = nil, rule: Rule, detail: String) {
        self.source = source
        self.tensor = tensor
        self.rule = rule
        self.detail = detail
    }

    /// `file: tensor "name": detail`, or `file: detail` when no tensor is involved. The
    /// name is JSON-quoted so that names with quotes or control characters stay readable.
    public var description: String {
        if let tensor {
            return "\(source): tensor \(JSONText.quoted(tensor)): \(detail)"
        }
        return "\(source): \(detail)"
    }
}
