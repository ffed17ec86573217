// A checkpoint opened once and shared: by every block of a run that names it, and by every
// `Kernel` the Swift API builds from it. Opening reads the safetensors header or the torch.save
// directory and pickle; tensor bytes are read (pread) when a block asks for them.

import AttnWeights
import Foundation
import Synchronization

/// A loaded weights file: a safetensors file or a `torch.save` checkpoint (a state dict,
/// possibly under `"state_dict"` or `"model"`). Hand one to many kernels with
/// `WeightSource.file(_:prefix:)`; the file is parsed once and stays open while a value exists.
public struct WeightsFile: Sendable {
    package let file: TensorFile
    /// The path it was opened from (absolute).
    public let path: String
    /// Tensor names in byte-wise (UTF-8) order.
    public let tensorNames: [String]

    /// Opens and checks the file at `path` (relative to the working directory); errors are
    /// `SpecError`s at `weights`, naming the file and the rule it breaks.
    public init(path: String) throws(SpecError) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        do {
            file = try TensorFile.load(path: absolute)
        } catch {
            throw SpecError("weights", error.description)
        }
        self.path = absolute
        tensorNames = file.names()
    }

    /// The dims of tensor `name`, or nil when the file has none of that name.
    public func shape(of name: String) -> [Int]? { file.shape(name) }
}

/// The weights files one run has opened, by absolute path: each is opened at most once however
/// many blocks name it. Safe to share between threads.
public final class WeightsFileCache: Sendable {
    private let files = Mutex<[String: WeightsFile]>([:])

    /// An empty cache, or one holding files already opened (each under its own path).
    public init(_ preloaded: [WeightsFile] = []) {
        files.withLock { for f in preloaded { $0[f.path] = f } }
    }

    /// The file at `path`, opened now unless this cache opened it before.
    ///
    /// Two threads asking for a new path at once may both open it; one result is kept. A failed
    /// open is not remembered, so its error is reported by every block that names the file.
    public func file(at path: String) throws(SpecError) -> WeightsFile {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if let known = files.withLock({ $0[absolute] }) { return known }
        let opened = try WeightsFile(path: absolute)
        return files.withLock { files in
            if let raced = files[absolute] { return raced }
            files[absolute] = opened
            return opened
        }
    }
}
