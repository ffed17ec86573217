/// Why a .tflite file was refused: the broken rule, where in the model (a schema path such as
/// `model.subgraphs[0].tensors[3].quantization.scale`) and what was found there.
public struct TFLiteError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Each distinct way a model can be refused.
    public enum Rule: String, Sendable, Equatable, CaseIterable {
        /// The file could not be read.
        case fileUnreadable
        /// The file identifier (bytes 4..<8) is not `TFL3`.
        case notTFLite
        /// An offset, a vector or a field reaches outside the file.
        case outOfBounds
        /// A vtable or table is inconsistent with the FlatBuffers format.
        case malformed
        /// A value is out of the range the schema allows (a tensor or buffer index past its list,
        /// a negative dimension, a quantisation vector of the wrong length).
        case invalidValue
        /// Valid TFLite that this reader does not take (several subgraphs are fine, but data in
        /// buffers stored outside the flatbuffer, or more entries than its limits, are not).
        case unsupported
    }

    /// The broken rule; tests match on it.
    public let rule: Rule
    /// Where in the model, as a schema path.
    public let path: String
    /// What was found there, in plain words.
    public let detail: String

    /// An error of `rule` at `path`.
    public init(_ rule: Rule, _ path: String, _ detail: String) {
        self.rule = rule
        self.path = path
        self.detail = detail
    }

    /// `path: detail`, as the command line prints it.
    public var description: String { path.isEmpty ? detail : "\(path): \(detail)" }
}
