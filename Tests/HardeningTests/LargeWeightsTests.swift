// A multi-gigabyte safetensors file costs only the tensors a block reads: the reader takes the
// header and then each tensor it is asked for, never the whole file. Files are sparse (made with
// ftruncate), so they take no disk; memory is measured as this process's resident set.

import AttnGen
import AttnWeights
import Foundation
import Testing

/// 3 GiB: more than the test machine could read into memory alongside everything else.
private let hugeBytes = 3 << 30

/// The SE c64 fixture's tensors, as the file names them.
private func fixtureTensors() throws -> [(name: String, shape: [Int], values: [Float])] {
    let file = try SafeTensorsFile.load(path: Repo.fixtures.appendingPathComponent("se_timm_c64/weights.safetensors").path)
    return try file.names().map { (name: $0, shape: file.tensors[$0]!.shape, values: try file.floats($0)) }
}

/// Writes `header` (JSON text) and `data`, then extends the file to `length` bytes with a hole.
private func writeSparse(_ url: URL, header: String, data: [UInt8], length: Int) throws {
    let bytes = handMadeFile(header: header, data: data)
    try Data(bytes).write(to: url)
    let fd = open(url.path, O_WRONLY)
    #expect(fd >= 0)
    defer { close(fd) }
    #expect(ftruncate(fd, off_t(length)) == 0)
}

/// The header of `tensors` laid out back to back (with `gap` zero bytes after the first), plus
/// `extra` members (JSON text).
private func header(
    _ tensors: [(name: String, shape: [Int], values: [Float])], extra: String = "", gap: Int = 0
) -> (text: String, data: [UInt8]) {
    var members: [String] = []
    var data: [UInt8] = []
    for (i, t) in tensors.enumerated() {
        if i == 1 { data += [UInt8](repeating: 0, count: gap) }
        members.append(#""\#(t.name)":{"dtype":"F32","shape":\#(t.shape),"data_offsets":[\#(data.count),\#(data.count + 4 * t.values.count)]}"#)
        for v in t.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
    }
    if !extra.isEmpty { members.append(extra) }
    return ("{" + members.joined(separator: ",") + "}", data)
}

@Suite("Large weights files", .serialized)
struct LargeWeightsTests {
    @Test func aHugeFileCostsOnlyTheTensorsUsed() throws {
        let dir = try makeTempDir("bigweights")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tensors = try fixtureTensors()
        let dataLength = tensors.reduce(0) { $0 + 4 * $1.values.count }
        // The block's tensors sit under "se." and one huge tensor of another model, which this block
        // does not read, covers the rest of the 3 GiB file, so the file is valid.
        let unused = #""other.huge":{"dtype":"U8","shape":[\#(hugeBytes)],"data_offsets":[\#(dataLength),\#(dataLength + hugeBytes)]}"#
        let (text, data) = header(tensors.map { (name: "se." + $0.name, shape: $0.shape, values: $0.values) }, extra: unused)
        let url = dir.appendingPathComponent("big.safetensors")
        try writeSparse(url, header: text, data: data, length: 8 + text.utf8.count + dataLength + hugeBytes)

        let spec = try BlockSpec.decodeFile(Data(#"{"name": "se64", "kind": "se", "input": {"c": 64, "h": 7, "w": 9}, "weights": "big.safetensors", "weights_prefix": "se."}"#.utf8))[0]
        let before = residentKB()
        let file = try SafeTensorsFile.load(path: url.path)
        #expect(file.tensors["other.huge"]?.elementCount == hugeBytes)
        let generated = try Pipeline.generate(spec, baseDirectory: dir)
        let after = residentKB()
        print("PROBE huge valid file: before_kb=\(before) after_kb=\(after) growth_kb=\(after - before)")
        // The file is 3 145 728 kB; reading it would show as gigabytes of growth.
        #expect(after - before < 256 * 1024, "resident memory grew by \(after - before) kB")
        // The tensors that were read are the fixture's, unchanged.
        let reference = try Pipeline.generate(
            try BlockSpec.decodeFile(Data(#"{"name": "se64", "kind": "se", "input": {"c": 64, "h": 7, "w": 9}, "weights": "weights.safetensors"}"#.utf8))[0],
            baseDirectory: Repo.fixtures.appendingPathComponent("se_timm_c64"))
        #expect(generated.params != nil)
        #expect(generated.params == reference.params)
        #expect(try file.floats("se.fc1.weight") == tensors.first { $0.name == "fc1.weight" }!.values)
    }

    @Test func trailingBytesAreRefusedWithoutReadingThem() throws {
        let dir = try makeTempDir("bigweights")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tensors = try fixtureTensors()
        let (text, data) = header(tensors)
        let url = dir.appendingPathComponent("tail.safetensors")
        let length = 8 + text.utf8.count + data.count + hugeBytes
        try writeSparse(url, header: text, data: data, length: length)

        let before = residentKB()
        do {
            _ = try SafeTensorsFile.load(path: url.path)
            Issue.record("a file with 3 GiB after its last tensor was accepted")
        } catch {
            #expect(error.rule == .uncoveredData)
            #expect(error.description.contains("data bytes [\(data.count), \(data.count + hugeBytes)) after the last tensor"), "\(error)")
        }
        let after = residentKB()
        print("PROBE huge trailing bytes: before_kb=\(before) after_kb=\(after) growth_kb=\(after - before)")
        #expect(after - before < 64 * 1024, "resident memory grew by \(after - before) kB")
    }

    @Test func aGapBetweenTensorsIsRefused() throws {
        let tensors = try fixtureTensors()
        let (text, data) = header(tensors, gap: 8)
        let first = 4 * tensors[0].values.count
        let bytes = handMadeFile(header: text, data: data)
        do {
            _ = try SafeTensorsFile(bytes: bytes, source: "gap.safetensors")
            Issue.record("a gap between tensors was accepted")
        } catch {
            #expect(error.rule == .uncoveredData)
            #expect(error.description.contains("data bytes [\(first), \(first + 8)) between tensor \"\(tensors[0].name)\" and tensor \"\(tensors[1].name)\""), "\(error)")
        }
    }
}
