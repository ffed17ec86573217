// Reading a spec file from disk: only a regular file, and only as many bytes as a spec document
// may hold, so that a FIFO cannot block the reader and a huge file cannot exhaust memory before
// the parser sees its first byte.

import Foundation

enum SpecFile {
    /// The bytes of the spec file at `path`; a `SpecError` at the document root otherwise.
    static func read(path: String) throws(SpecError) -> Data {
        func refuse(_ why: String) -> SpecError { SpecError("", "cannot read spec file \(path): \(why)") }
        // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw refuse(code == ENOENT || code == ENOTDIR ? "no such file" : String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw refuse(String(cString: strerror(errno))) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw refuse("is a directory, not a file")
        default: throw refuse("is not a regular file (a FIFO, socket or device)")
        }
        let limit = JSONValue.maxDocumentBytes
        guard Int(info.st_size) <= limit else {
            throw refuse("it is \(info.st_size) bytes; a spec document may be at most \(limit) bytes")
        }
        // Read until end of file, one byte past the limit at most: the file may grow meanwhile.
        // The buffer starts at the file's size (zeroing the whole limit cost more than parsing a
        // spec) and doubles while it keeps growing.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < limit + 1 {
            if count == bytes.count { bytes += repeatElement(0, count: min(bytes.count, limit + 1 - bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n > 0 {
                count += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw refuse(String(cString: strerror(errno)))
            }
        }
        guard count <= limit else { throw refuse("it grew past \(limit) bytes while being read") }
        return Data(bytes[0..<count])
    }
}
