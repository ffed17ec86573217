// The output folder's advisory lock: `.attn-gen.lock`, an empty file locked with flock(2) while a
// run checks, writes and renames its files, so two runs into one folder commit one after the
// other and each block's .h and .c always come from the same run. The file is removed when the
// lock is released; a run that opened it before the removal sees, once it holds the lock, that
// the name no longer points at its file and locks the new one instead (the usual
// lock-then-recheck, so removing the file never lets two runs hold the lock at once). A reader
// that wants a matching pair while writers run takes the same lock (`OutputWriter.withLock`).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct OutputLock {
    static let name = ".attn-gen.lock"

    let fd: Int32
    let id: EntryID

    /// Waits until this run holds the folder's lock, at most `timeout`. Refuses a lock name that
    /// is not an empty regular file (a symlink is never followed, a FIFO never waited on).
    static func acquire(in folder: OutputFolder, timeout: Duration = OutputWriter.defaultLockTimeout) throws(SpecError) -> OutputLock {
        let shown = folder.shown(name)
        // The lock file is the first thing a run creates in the folder, so its failure is the
        // folder's: said as such, with the file named after.
        let cannot = { (code: Int32) in SpecError("", "cannot write in \(folder.path): \(errnoText(code)) (creating \(name))") }
        if let code = folder.injected(.lock) { throw cannot(code) }
        let deadline = ContinuousClock.now + timeout
        while true {
            let fd = openat(folder.fd, name, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                if code == ELOOP { throw SpecError("", "refusing to use \(shown): it is a symlink, not attn-gen's lock file") }
                if code == EISDIR { throw SpecError("", "refusing to use \(shown): it is a folder, not attn-gen's lock file") }
                throw cannot(code)
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let code = errno
                _ = closeDescriptor(fd)
                throw cannot(code)
            }
            guard st.st_mode & S_IFMT == S_IFREG, st.st_size == 0 else {
                _ = closeDescriptor(fd)
                let what = st.st_mode & S_IFMT == S_IFREG ? "a file with \(st.st_size) bytes" : kindText(st.st_mode)
                throw SpecError("", "refusing to use \(shown): it is \(what), not attn-gen's empty lock file")
            }
            // Polled, not a blocking flock: a lock held forever (a stopped run) must not hang this one.
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                guard code == EWOULDBLOCK || code == EINTR else {
                    _ = closeDescriptor(fd)
                    throw SpecError("", "cannot lock \(shown): \(errnoText(code))")
                }
                guard ContinuousClock.now < deadline else {
                    _ = closeDescriptor(fd)
                    throw SpecError("", "another attn-gen run has held \(shown) for \(timeout); nothing was written")
                }
                usleep(5_000)
            }
            // The run that held the lock may have removed the file after we opened it: then our
            // lock is on an orphan and the next run could lock a new file. Go again.
            if let now = try? folder.entry(name), EntryID(now) == EntryID(st) {
                return OutputLock(fd: fd, id: EntryID(st))
            }
            _ = closeDescriptor(fd)
            guard ContinuousClock.now < deadline else {
                throw SpecError("", "cannot lock \(shown): it kept being replaced for \(timeout); nothing was written")
            }
        }
    }

    /// Removes the lock file (while still holding it, so no other run can be holding it too)
    /// and releases the lock.
    func release(in folder: OutputFolder) {
        folder.remove(OutputLock.name, ifStill: id)
        _ = closeDescriptor(fd)
    }
}
