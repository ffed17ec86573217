// Where a safetensors file's bytes come from: an array the caller handed over, or an open file
// read piece by piece, so that opening a large checkpoint reads its header and nothing else.

import Foundation

/// The bytes of a safetensors file, read by offset.
enum Storage: Sendable {
    case memory([UInt8])
    case file(OpenFile)

    /// The file's size in bytes, as it was when opened.
    var size: Int {
        switch self {
        case .memory(let bytes): return bytes.count
        case .file(let file): return file.size
        }
    }

    /// `count` bytes from `offset`; the caller has checked the range lies within `size`.
    func read(at offset: Int, count: Int, source: String) throws(WeightsError) -> [UInt8] {
        switch self {
        case .memory(let bytes): return Array(bytes[offset..<(offset + count)])
        case .file(let file): return try file.read(at: offset, count: count)
        }
    }
}

/// A regular file held open for reading; closed when the last `SafeTensorsFile` using it is gone.
///
/// Holding the descriptor, rather than reopening the path, means every tensor comes from the
/// file whose header was checked even if the path is replaced meanwhile. A file that shrinks or
/// grows after opening is refused at the next read instead of yielding short or shifted data.
final class OpenFile: Sendable {
    let path: String
    let descriptor: Int32
    let size: Int

    private init(path: String, descriptor: Int32, size: Int) {
        self.path = path
        self.descriptor = descriptor
        self.size = size
    }

    /// Opens `path`, which must name a regular file.
    static func open(path: String) throws(WeightsError) -> OpenFile {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a file.
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw WeightsError(source: path, rule: .fileNotFound, detail: "no such file")
            }
            throw WeightsError(source: path, rule: .fileUnreadable, detail: "cannot be read: \(String(cString: strerror(code)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw WeightsError(source: path, rule: .fileUnreadable, detail: "cannot be read: \(String(cString: strerror(code)))")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            throw WeightsError(source: path, rule: .fileUnreadable,
                               detail: type == S_IFDIR ? "is a directory, not a file" : "is not a regular file (a FIFO, socket or device)")
        }
        return OpenFile(path: path, descriptor: fd, size: Int(info.st_size))
    }

    deinit { close(descriptor) }

    func read(at offset: Int, count: Int) throws(WeightsError) -> [UInt8] {
        var info = stat()
        if fstat(descriptor, &info) == 0, Int(info.st_size) != size {
            throw WeightsError(source: path, rule: .fileUnreadable,
                               detail: "changed size while being read (\(size) bytes when opened, \(info.st_size) now)")
        }
        var failure: WeightsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n > 0 {
                    done += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    let why = n == 0 ? "the file ended early (it shrank while being read)" : String(cString: strerror(errno))
                    failure = WeightsError(source: path, rule: .fileUnreadable,
                                           detail: "cannot read bytes [\(offset), \(offset + count)): \(why)")
                    break
                }
            }
            initialized = failure == nil ? count : 0
        }
        if let failure { throw failure }
        return bytes
    }
}
