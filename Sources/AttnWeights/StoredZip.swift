// The zip container of a `torch.save` checkpoint: its central directory, read and checked, so that
// each member's bytes can be read in place. torch writes every member stored (uncompressed), so
// that is all this reader accepts; a compressed or encrypted member is refused by name.

/// A zip archive whose members are located by the central directory (zip64 included) and read
/// with no copy of the whole file: a member's bytes are a range of the file.
///
/// Every offset and size is checked against the file before use: a member's data range, its
/// local header and the directory itself must lie inside the file, and two members' data may not
/// overlap. Nothing here can trap on any input bytes.
struct StoredZip: Sendable {
    /// One member: where its bytes are in the file.
    struct Member: Sendable, Equatable {
        let name: String
        /// Byte range of the member's (stored) data in the file.
        let data: Range<Int>
    }

    /// Members by name (UTF-8; names that are not valid UTF-8 are refused).
    let members: [String: Member]
    let source: String
    let storage: Storage

    /// More members than any checkpoint has; bounds the work one directory can cause.
    static let maxMembers = 1_000_000

    /// The bytes of `member`; the range was checked when the directory was read.
    func read(_ member: Member) throws(WeightsError) -> [UInt8] {
        try storage.read(at: member.data.lowerBound, count: member.data.count, source: source)
    }

    /// `count` bytes from `offset` within `member`; the caller keeps the range inside the member.
    func read(_ member: Member, at offset: Int, count: Int) throws(WeightsError) -> [UInt8] {
        try storage.read(at: member.data.lowerBound + offset, count: count, source: source)
    }

    // MARK: - Reading the directory

    static func open(_ storage: Storage, source: String) throws(WeightsError) -> StoredZip {
        var reader = Reader(storage: storage, source: source)
        let directory = try reader.directoryRange()
        let bytes = try storage.read(at: directory.range.lowerBound, count: directory.range.count, source: source)
        var members: [String: Member] = [:]
        var cursor = 0
        var ranges: [Range<Int>] = []
        for index in 0..<directory.count {
            let entry = try reader.centralEntry(bytes, at: &cursor, index: index)
            guard members[entry.name] == nil else {
                throw reader.error(.invalidArchive, "member \(JSONText.quoted(entry.name)) appears twice in the zip directory")
            }
            let member = try reader.member(entry)
            members[entry.name] = member
            if !member.data.isEmpty { ranges.append(member.data) }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(ranges, ranges.dropFirst()) where a.upperBound > b.lowerBound {
            throw reader.error(.invalidArchive, "two zip members share bytes [\(b.lowerBound), \(min(a.upperBound, b.upperBound)))")
        }
        return StoredZip(members: members, source: source, storage: storage)
    }

    /// A central directory record, as read.
    struct CentralEntry {
        let name: String
        let flags: UInt16
        let method: UInt16
        let compressedSize: UInt64
        let size: UInt64
        let localHeader: UInt64
    }

    /// Little-endian field reads over the file and the directory, with the checks.
    struct Reader {
        let storage: Storage
        let source: String

        func error(_ rule: WeightsError.Rule, _ detail: String) -> WeightsError {
            WeightsError(source: source, rule: rule, detail: detail)
        }

        /// The central directory's byte range and entry count, from the end-of-directory record
        /// (and its zip64 form when a field is saturated).
        mutating func directoryRange() throws(WeightsError) -> (range: Range<Int>, count: Int) {
            let size = storage.size
            // The end record is 22 bytes plus a comment of at most 65,535 bytes.
            let tailLength = min(size, 22 + 65_535)
            let tail = try storage.read(at: size - tailLength, count: tailLength, source: source)
            var found: Int? = nil
            var i = tail.count - 22
            while i >= 0 {
                if u32(tail, i) == 0x0605_4B50 {
                    let commentLength = Int(u16(tail, i + 20))
                    if i + 22 + commentLength == tail.count {
                        found = i
                        break
                    }
                }
                i -= 1
            }
            guard let end = found else {
                throw error(.invalidArchive, "no zip end-of-directory record (the file is truncated or not a zip archive)")
            }
            let endOffset = size - tailLength + end
            guard u16(tail, end + 4) == 0, u16(tail, end + 6) == 0 else {
                throw error(.invalidArchive, "a multi-disk zip archive; a checkpoint is one file")
            }
            var count = UInt64(u16(tail, end + 10))
            var dirSize = UInt64(u32(tail, end + 12))
            var dirOffset = UInt64(u32(tail, end + 16))
            if count == 0xFFFF || dirSize == 0xFFFF_FFFF || dirOffset == 0xFFFF_FFFF {
                // zip64: a 20-byte locator right before the end record points at the zip64 end record.
                guard endOffset >= 20 else { throw error(.invalidArchive, "a zip64 directory without its locator") }
                let locator = try storage.read(at: endOffset - 20, count: 20, source: source)
                guard u32(locator, 0) == 0x0706_4B50 else { throw error(.invalidArchive, "a zip64 directory without its locator") }
                let recordOffset = u64(locator, 8)
                guard recordOffset <= UInt64(size), UInt64(size) - recordOffset >= 56 else {
                    throw error(.invalidArchive, "the zip64 end record at \(recordOffset) lies outside the \(size)-byte file")
                }
                let record = try storage.read(at: Int(recordOffset), count: 56, source: source)
                guard u32(record, 0) == 0x0606_4B50 else {
                    throw error(.invalidArchive, "no zip64 end record at \(recordOffset)")
                }
                count = u64(record, 32)
                dirSize = u64(record, 40)
                dirOffset = u64(record, 48)
            }
            guard dirOffset <= UInt64(size), dirSize <= UInt64(size) - dirOffset else {
                throw error(.invalidArchive, "the zip directory [\(dirOffset), +\(dirSize)) lies outside the \(size)-byte file")
            }
            // Each entry takes at least 46 bytes, which bounds the count by the directory's size.
            guard count <= UInt64(StoredZip.maxMembers), count * 46 <= dirSize else {
                throw error(.invalidArchive, "the zip directory claims \(count) members in \(dirSize) bytes")
            }
            return (Int(dirOffset)..<Int(dirOffset + dirSize), Int(count))
        }

        /// The directory record at `cursor`, which moves past it.
        func centralEntry(_ bytes: [UInt8], at cursor: inout Int, index: Int) throws(WeightsError) -> CentralEntry {
            guard bytes.count - cursor >= 46, u32(bytes, cursor) == 0x0201_4B50 else {
                throw error(.invalidArchive, "zip directory entry \(index) is truncated or has no signature")
            }
            let flags = u16(bytes, cursor + 8)
            let method = u16(bytes, cursor + 10)
            var compressed = UInt64(u32(bytes, cursor + 20))
            var size = UInt64(u32(bytes, cursor + 24))
            let nameLength = Int(u16(bytes, cursor + 28))
            let extraLength = Int(u16(bytes, cursor + 30))
            let commentLength = Int(u16(bytes, cursor + 32))
            var local = UInt64(u32(bytes, cursor + 42))
            let nameStart = cursor + 46
            guard bytes.count - nameStart >= nameLength + extraLength + commentLength else {
                throw error(.invalidArchive, "zip directory entry \(index) runs past the directory")
            }
            guard let name = String(validating: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self) else {
                throw error(.invalidArchive, "zip directory entry \(index) has a name that is not UTF-8")
            }
            // zip64 extra field: the saturated 32-bit values follow, in this order.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extraEnd - extra >= 4 {
                let id = u16(bytes, extra)
                let length = Int(u16(bytes, extra + 2))
                let body = extra + 4
                guard extraEnd - body >= length else {
                    throw error(.invalidArchive, "zip member \(JSONText.quoted(name)) has an extra field past its entry")
                }
                if id == 0x0001 {
                    var at = body
                    for field in 0..<3 {
                        let saturated = field == 0 ? size == 0xFFFF_FFFF : field == 1 ? compressed == 0xFFFF_FFFF : local == 0xFFFF_FFFF
                        guard saturated else { continue }
                        guard body + length - at >= 8 else {
                            throw error(.invalidArchive, "zip member \(JSONText.quoted(name)) has a short zip64 field")
                        }
                        let value = u64(bytes, at)
                        at += 8
                        switch field {
                        case 0: size = value
                        case 1: compressed = value
                        default: local = value
                        }
                    }
                }
                extra = body + length
            }
            cursor = extraEnd + commentLength
            return CentralEntry(name: name, flags: flags, method: method, compressedSize: compressed, size: size, localHeader: local)
        }

        /// The member's data range, past its local header, checked.
        func member(_ entry: CentralEntry) throws(WeightsError) -> Member {
            let name = JSONText.quoted(entry.name)
            guard entry.flags & 0x41 == 0 else {
                throw error(.invalidArchive, "zip member \(name) is encrypted")
            }
            guard entry.method == 0 else {
                throw error(.invalidArchive, "zip member \(name) is compressed (method \(entry.method)); torch.save stores members uncompressed, so this file was rewritten by another tool")
            }
            guard entry.compressedSize == entry.size else {
                throw error(.invalidArchive, "zip member \(name) is stored but its sizes differ (\(entry.compressedSize) and \(entry.size))")
            }
            let size = UInt64(storage.size)
            guard entry.localHeader <= size, size - entry.localHeader >= 30 else {
                throw error(.invalidArchive, "zip member \(name): local header at \(entry.localHeader) lies outside the file")
            }
            let local = try storage.read(at: Int(entry.localHeader), count: 30, source: source)
            guard u32(local, 0) == 0x0403_4B50 else {
                throw error(.invalidArchive, "zip member \(name): no local header at \(entry.localHeader)")
            }
            let start = entry.localHeader + 30 + UInt64(u16(local, 26)) + UInt64(u16(local, 28))
            guard start <= size, entry.size <= size - start else {
                throw error(.invalidArchive, "zip member \(name): its \(entry.size) bytes at \(start) run past the end of the \(size)-byte file")
            }
            return Member(name: entry.name, data: Int(start)..<Int(start + entry.size))
        }

        func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
        func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
        func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
    }
}
