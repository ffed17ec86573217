// The output folder as an open descriptor: every operation is relative to it (a folder renamed or
// swapped for a symlink mid-run cannot redirect a write), never follows a symlink at a name in
// it, never opens anything but a regular file, and creates its own files exclusively under fresh
// random names, so it only ever removes a name it made in this run.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A step of `OutputWriter.write`, named so a test can make that step fail with an errno.
package enum OutputStep: Hashable, Sendable {
    /// Creating one missing folder of the output path (its absolute path).
    case createFolder(String)
    /// Taking the folder's lock.
    case lock
    /// Writing the temporary file that will become this name.
    case writeTemporary(String)
    /// Keeping the previous file at this name under a second name until the commit is done.
    case keepPrevious(String)
    /// Renaming the new file onto this name.
    case rename(String)
    /// Flushing the folder's entries to disk after the renames.
    case syncFolder
}

/// One entry of the folder: which inode a name held when attn-gen looked or created it.
struct EntryID: Equatable {
    let device: UInt64
    let inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// The text of an errno.
func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

/// "a FIFO", "a folder", ... for messages about what is in the way.
func kindText(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a file"
    case S_IFDIR: return "a folder"
    case S_IFLNK: return "a symlink"
    case S_IFIFO: return "a FIFO"
    case S_IFSOCK: return "a socket"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    default: return "an unknown kind of file"
    }
}

struct OutputFolder {
    let fd: Int32
    /// For messages.
    let path: String
    let faults: [OutputStep: Int32]

    /// Opens `path`, which must be a folder (a symlink to one is followed: it is the user's path).
    static func open(_ path: String, faults: [OutputStep: Int32]) throws(SpecError) -> OutputFolder {
        let fd = openPath(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SpecError("", "cannot open output folder \(path): \(errnoText(errno))") }
        return OutputFolder(fd: fd, path: path, faults: faults)
    }

    func close() { _ = closeDescriptor(fd) }

    func shown(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// The injected errno for `step`, if a test asked for one.
    func injected(_ step: OutputStep) -> Int32? { faults[step] }

    /// What is at `name`, not following a symlink; nil when nothing is.
    func entry(_ name: String) throws(SpecError) -> stat? {
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 { return st }
        guard errno == ENOENT else { throw SpecError("", "cannot look at \(shown(name)): \(errnoText(errno))") }
        return nil
    }

    /// Whether the regular file `id` at `name` starts with `prefix`. Opened without following a
    /// symlink and without blocking (a FIFO swapped in after the look reads as not ours).
    func startsWith(_ prefix: [UInt8], name: String, id: EntryID) -> Bool {
        let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else { return false }
        defer { _ = closeDescriptor(file) }
        var st = stat()
        guard fstat(file, &st) == 0, st.st_mode & S_IFMT == S_IFREG, EntryID(st) == id else { return false }
        return readAll(file, limit: prefix.count).map { $0 == prefix } ?? false
    }

    /// Creates a fresh file under a random name (O_EXCL, so an existing file, symlink or FIFO of
    /// that name is never opened), records it in `created` before writing, then writes `bytes`
    /// and flushes them to disk.
    func writeTemporary(_ bytes: [UInt8], for target: String, created: inout [String: EntryID]) throws(SpecError) -> String {
        let fail = { (code: Int32) -> SpecError in SpecError("", "cannot write \(shown(target)): \(errnoText(code))") }
        for _ in 0..<64 {
            let name = OutputFolder.freshName("tmp")
            let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if file < 0 {
                if errno == EEXIST { continue }
                throw fail(errno)
            }
            var st = stat()
            guard fstat(file, &st) == 0 else {
                let code = errno
                _ = closeDescriptor(file)
                _ = unlinkat(fd, name, 0)
                throw fail(code)
            }
            created[name] = EntryID(st)
            if let code = injected(.writeTemporary(target)) {
                _ = closeDescriptor(file)
                throw fail(code)
            }
            if let code = writeAll(file, bytes) ?? (fsync(file) == 0 ? nil : errno) {
                _ = closeDescriptor(file)
                throw fail(code)
            }
            // close can report a deferred write error (NFS); the file is not trusted then.
            guard closeDescriptor(file) == 0 else { throw fail(errno) }
            return name
        }
        throw SpecError("", "cannot write \(shown(target)): no free temporary name after 64 tries")
    }

    /// A second name for the entry `id` at `name` (a hard link, never a copy and never through a
    /// symlink), so a failed commit can put it back. The link is checked to be that entry: one
    /// swapped in after the look is not kept, and the commit stops.
    func keep(_ name: String, id: EntryID, created: inout [String: EntryID]) throws(SpecError) -> String {
        let fail = { (code: Int32) -> SpecError in
            SpecError("", "cannot keep the previous \(shown(name)) while replacing it: \(errnoText(code))")
        }
        if let code = injected(.keepPrevious(name)) { throw fail(code) }
        for _ in 0..<64 {
            let backup = OutputFolder.freshName("old")
            guard linkat(fd, name, fd, backup, 0) == 0 else {
                if errno == EEXIST { continue }
                throw fail(errno)
            }
            var st = stat()
            guard fstatat(fd, backup, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw fail(errno) }
            created[backup] = EntryID(st)
            guard EntryID(st) == id else {
                throw SpecError("", "\(shown(name)) changed while attn-gen was replacing it; nothing was written")
            }
            return backup
        }
        throw fail(EEXIST)
    }

    func rename(_ from: String, to name: String) throws(SpecError) {
        let code = injected(.rename(name)) ?? (renameat(fd, from, fd, name) == 0 ? nil : errno)
        if let code { throw SpecError("", "cannot write \(shown(name)): \(errnoText(code))") }
    }

    /// Makes the renames durable. A file system that cannot sync a folder has nothing to do.
    func sync() throws(SpecError) {
        let code = injected(.syncFolder) ?? (fsync(fd) == 0 ? nil : errno)
        if let code, code != EINVAL, code != ENOTSUP {
            throw SpecError("", "cannot flush output folder \(path): \(errnoText(code))")
        }
    }

    /// Removes `name` only while it is still the entry `id` this run created or renamed there.
    @discardableResult
    func remove(_ name: String, ifStill id: EntryID) -> Bool {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, EntryID(st) == id else { return false }
        return unlinkat(fd, name, 0) == 0
    }

    /// `.attn-gen-<16 hex digits>.<suffix>`: hidden, never a generated name (those are C
    /// identifiers), and unguessable, so nothing can be planted at it in advance.
    static func freshName(_ suffix: String) -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return ".attn-gen-" + String(repeating: "0", count: 16 - hex.count) + hex + "." + suffix
    }
}

/// Writes all of `bytes`, retrying short writes and EINTR; the errno on failure.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return nil
}

/// Up to `limit` bytes (all when nil) from `fd`; nil on a read error.
func readAll(_ fd: Int32, limit: Int? = nil) -> [UInt8]? {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while limit.map({ out.count < $0 }) ?? true {
        let want = min(buffer.count, (limit ?? Int.max) - out.count)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, want) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        out += buffer[0..<n]
    }
    return out
}

/// open(2) and close(2) under names that do not clash with OutputFolder's own methods.
func openPath(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
