// The fast tier's compiler: the system C compiler at -O3 -march=native, producing a shared object
// that is cached on disk by a SHA-256 of everything that decides its bytes (the sources, the
// caller's key, the compiler's identity and the flags). A second process asking for the same
// kernel loads the object instead of paying gcc's ~100 ms again.

import Foundation
import Synchronization

/// How to compile C into a shared object, and where compiled objects are kept.
public struct NativeCompiler: Hashable, Sendable {
    /// The compiler command, split on spaces (`$CC` may be `ccache gcc`).
    public var command: [String]
    /// Code generation flags; part of the cache key.
    public var flags: [String]
    /// Libraries linked into the object (`expf` and friends).
    public var libraries: [String]
    /// Where objects are cached, one `<sha256>.so` per distinct compile.
    public var cacheDirectory: URL

    /// The fast tier's flags: what the benchmark calls "gcc -O3 -march=native".
    public static let optimisingFlags = ["-O3", "-march=native"]

    /// `command` defaults to `$CC`, else `gcc`; `cacheDirectory` to `defaultCacheDirectory`.
    public init(
        command: [String]? = nil, flags: [String] = NativeCompiler.optimisingFlags, libraries: [String] = ["-lm"],
        cacheDirectory: URL? = nil
    ) {
        let cc = ProcessInfo.processInfo.environment["CC"].map { $0.split(separator: " ").map(String.init) }
        self.command = command ?? (cc?.isEmpty == false ? cc! : ["gcc"])
        self.flags = flags
        self.libraries = libraries
        self.cacheDirectory = cacheDirectory ?? Self.defaultCacheDirectory
    }

    /// `$ATTN_GEN_CACHE`, else `$XDG_CACHE_HOME/attn-gen`, else `~/.cache/attn-gen`.
    public static var defaultCacheDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["ATTN_GEN_CACHE"], !dir.isEmpty { return URL(fileURLWithPath: dir, isDirectory: true) }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("attn-gen", isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/attn-gen", isDirectory: true)
    }

    /// The full command line, with the object going to `output` and the translation unit `source`.
    func commandLine(source: String, output: String) -> [String] {
        command + flags + ["-fPIC", "-shared", "-o", output, source] + libraries
    }

    /// First line of `<compiler> --version`, e.g. `gcc (Debian 12.2.0-14+deb12u1) 12.2.0`: a
    /// compiler upgrade changes the cache key. Asked once per process per command.
    package func identity() throws(NativeError) -> String {
        if let known = identities.withLock({ $0[command] }) { return known }
        let result = try Subprocess.run(command + ["--version"])
        guard result.status == 0, let first = result.output.split(separator: "\n").first else {
            throw NativeError(.compilerUnavailable, result.output, command: command + ["--version"])
        }
        let line = String(first)
        identities.withLock { $0[command] = line }
        return line
    }

    /// The cache file name's stem for this compile.
    func cacheKey(files: [(name: String, contents: String)], key: String) throws(NativeError) -> String {
        var text = "attn-gen native tier 1\n\(try identity())\n"
        text += (command + flags + ["-fPIC", "-shared"] + libraries).joined(separator: " ") + "\n"
        text += "key \(key.utf8.count)\n\(key)\n"
        for file in files { text += "file \(file.name) \(file.contents.utf8.count)\n\(file.contents)\n" }
        return SHA256.hex(text)
    }

    /// Compiles `files` (written side by side, so `#include "x.h"` works) with `main` as the
    /// translation unit, and loads the result. `key` names what the files are for (the
    /// canonical spec); with `useCache`, an object compiled before from the same inputs is
    /// loaded instead of compiling again.
    package func library(
        files: [(name: String, contents: String)], main: String, key: String, useCache: Bool = true
    ) throws(NativeError) -> NativeLibrary {
        let fm = FileManager.default
        let stem = try cacheKey(files: files, key: key)
        let target = cacheDirectory.appendingPathComponent("\(stem).so").path
        if useCache, fm.fileExists(atPath: target) {
            // A file that no longer loads (foreign architecture, truncated by hand) is recompiled.
            if let cached = try? NativeLibrary(path: target, origin: .diskCache) { return cached }
        }
        do {
            try fm.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw NativeError(.cacheUnwritable, "\(cacheDirectory.path): \(error.localizedDescription)")
        }
        let sources = try SourceFolder(files)
        defer { sources.remove() }

        // Compile to a private name in the cache folder, then rename: rename(2) is atomic within
        // one file system, so a concurrent reader sees no file or a whole one, never a partial.
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        let temp = cacheDirectory.appendingPathComponent(".\(stem).so.tmp-\(unique)").path
        let line = commandLine(source: sources.url.appendingPathComponent(main).path, output: temp)
        let result = try Subprocess.run(line, in: sources.url)
        guard result.status == 0 else {
            try? fm.removeItem(atPath: temp)
            throw NativeError(.compileFailed, result.output, command: line)
        }
        if !useCache {
            // Loaded objects stay mapped after unlink: nothing is left on disk.
            defer { try? fm.removeItem(atPath: temp) }
            return try NativeLibrary(path: temp, origin: .uncached)
        }
        guard rename(temp, target) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: temp)
            throw NativeError(.cacheUnwritable, "rename to \(target): \(reason)")
        }
        return try NativeLibrary(path: target, origin: .compiled)
    }
}

/// `--version` first lines by compiler command, so each process asks each compiler once.
private let identities = Mutex<[[String]: String]>([:])

/// A fresh temporary folder holding the sources of one compile.
private struct SourceFolder {
    let url: URL

    init(_ files: [(name: String, contents: String)]) throws(NativeError) {
        let fm = FileManager.default
        url = fm.temporaryDirectory.appendingPathComponent("attn-gen-native-\(UUID().uuidString)", isDirectory: true)
        do {
            try fm.createDirectory(at: url, withIntermediateDirectories: true)
            for file in files {
                precondition(!file.name.contains("/"), "source file name \(file.name) is not a plain file name")
                try Data(file.contents.utf8).write(to: url.appendingPathComponent(file.name))
            }
        } catch {
            try? fm.removeItem(at: url)
            throw NativeError(.cacheUnwritable, "temporary sources in \(url.path): \(error.localizedDescription)")
        }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
