// torch.save checkpoints (scripts/make_pth_fixtures.py): a block read from a .pth gets exactly the
// parameters and C it gets from the matching safetensors file, whatever the dtype, layout or
// nesting; what the reader refuses, it refuses by rule, naming the file and the reason.

import AttnGen
@testable import AttnWeights
import Foundation
import Testing

@Suite struct TorchCheckpointTests {
    static let pth = Paths.fixtures.appendingPathComponent("pth")

    /// The spec of fixture `name`, generated with `weights` (absolute) in place of its own file.
    private func generate(_ fixture: String, weights: URL, prefix: String? = nil) throws -> Generated {
        var spec = try Pipeline.loadSpecs(path: Paths.fixtures.appendingPathComponent("\(fixture)/spec.json").path)[0]
        spec.weights = weights.path
        spec.weightsPrefix = prefix
        return try Pipeline.generate(spec)
    }

    /// Same parameters, bit for bit, and the same C but for the weights file's name.
    private func expectSame(_ a: Generated, _ b: Generated, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let pa = (a.params ?? []).map(\.bitPattern), pb = (b.params ?? []).map(\.bitPattern)
        #expect(!pa.isEmpty && pa == pb, "\(what): parameters differ", sourceLocation: sourceLocation)
        let strip = { (g: Generated) in g.source.source.replacingOccurrences(of: g.spec.weights ?? "", with: "W") }
        #expect(strip(a) == strip(b), "\(what): C differs", sourceLocation: sourceLocation)
        #expect(a.spec.body == b.spec.body, "\(what): hyperparameters completed differently", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["se_timm_c64", "eca_timm_k3_c32", "cbam_timm_c64_k7"])
    func sameBlockAsSafetensors(_ fixture: String) throws {
        let fromSafetensors = try generate(fixture, weights: Paths.fixtures.appendingPathComponent("\(fixture)/weights.safetensors"))
        let fromPth = try generate(fixture, weights: Self.pth.appendingPathComponent("\(fixture).pth"))
        expectSame(fromPth, fromSafetensors, fixture)
    }

    /// float16, bfloat16 and float64 storages convert as the same dtype does in safetensors.
    @Test(arguments: ["f16", "bf16", "f64"])
    func dtypes(_ tag: String) throws {
        let st = try generate("se_timm_c64", weights: Self.pth.appendingPathComponent("se_\(tag).safetensors"))
        let pth = try generate("se_timm_c64", weights: Self.pth.appendingPathComponent("se_\(tag).pth"))
        expectSame(pth, st, tag)
        // And the file really holds that dtype (not float32 again).
        let file = try TensorFile.load(path: Self.pth.appendingPathComponent("se_\(tag).pth").path)
        #expect(file.dtype("fc1.weight")?.rawValue == ["f16": "F16", "bf16": "BF16", "f64": "F64"][tag])
    }

    /// A transposed view, two views of one storage, and a training checkpoint with the state dict
    /// under "state_dict" and DataParallel's "module." prefix, all read as the plain tensors.
    @Test(arguments: [("se_transposed", "se_timm_c64"), ("se_shared", "se_timm_c64"), ("cbam_nested", "cbam_timm_c64_k7")])
    func layouts(_ file: String, _ fixture: String) throws {
        let st = try generate(fixture, weights: Paths.fixtures.appendingPathComponent("\(fixture)/weights.safetensors"))
        let pth = try generate(fixture, weights: Self.pth.appendingPathComponent("\(file).pth"))
        expectSame(pth, st, file)
    }

    @Test func transposedViewIsNotContiguous() throws {
        guard case .torch(let file) = try TensorFile.load(path: Self.pth.appendingPathComponent("se_transposed.pth").path) else {
            Issue.record("not read as a torch checkpoint")
            return
        }
        #expect(file.tensors["fc1.weight"]?.shape == [8, 64, 1, 1])
        let st = try SafeTensorsFile.load(path: Paths.fixtures.appendingPathComponent("se_timm_c64/weights.safetensors").path)
        #expect(try file.tensor("fc1.weight").bytes == st.tensor("fc1.weight").bytes)
    }

    /// Every refused file: the rule, and the words that say why.
    @Test(arguments: [
        ("pth_names_os_system", WeightsError.Rule.refusedGlobal, "os.system"),
        ("pth_whole_module", .refusedGlobal, "torch.nn.modules.conv.Conv1d"),
        ("pth_legacy_format", .unsupportedCheckpoint, "legacy format"),
        ("pth_big_endian", .unsupportedCheckpoint, "byte order \"big\""),
        ("pth_compressed_member", .invalidArchive, "compressed"),
        ("pth_storage_too_short", .invalidTensorView, "not 3 elements"),
        ("pth_view_past_storage", .invalidTensorView, "reads element 4 of a 3-element storage"),
        ("pth_missing_storage", .invalidTensorView, "not in the archive"),
    ])
    func refused(_ name: String, _ rule: WeightsError.Rule, _ fragment: String) throws {
        let path = Self.pth.appendingPathComponent("\(name).pth").path
        do {
            _ = try TensorFile.load(path: path)
            Issue.record("\(name) was read")
        } catch {
            #expect(error.rule == rule, "\(error)")
            #expect(error.description.hasPrefix(path + ": ") && error.description.contains(fragment), "\(error)")
        }
    }

    /// Opcodes past the allow-list in any position, truncations and memo misuse: refused, not run.
    @Test func pickleMachineRefusesMalformedPickles() throws {
        let cases: [([UInt8], WeightsError.Rule, String)] = [
            ([0x80, 0x02] + Array("cposix\nsystem\nq\u{00}.".utf8), .refusedGlobal, "posix.system"),
            ([0x80, 0x02, 0x7D, 0x68, 0x05, 0x2E], .invalidPickle, "memo entry 5"),  // BINGET of nothing
            ([0x80, 0x02, 0x73, 0x2E], .invalidPickle, "stack is empty"),  // SETITEM on nothing
            ([0x80, 0x02, 0x7D, 0x7D, 0x2E], .invalidPickle, "STOP with 2 values"),
            ([0x80, 0x02, 0x7D], .invalidPickle, "without STOP"),
            ([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F], .invalidPickle, "runs past the pickle"),
            ([0x80, 0x02, 0x81, 0x2E], .invalidPickle, "opcode 0x81"),  // NEWOBJ
            ([0x80, 0x02, 0x28, 0x75, 0x2E], .invalidPickle, "stack is empty"),  // SETITEMS with only a mark
        ]
        for (bytes, rule, fragment) in cases {
            var machine = PickleMachineProbe(bytes)
            let error = machine.run()
            #expect(error?.rule == rule && error?.description.contains(fragment) == true, "\(bytes): \(String(describing: error))")
        }
    }

    /// Deeply nested tuples are refused before they could exhaust the stack when freed.
    @Test func deepTuplesRefused() {
        var bytes: [UInt8] = [0x80, 0x02, 0x29]
        bytes += [UInt8](repeating: 0x85, count: 100_000)  // TUPLE1, over and over
        bytes.append(0x2E)
        var machine = PickleMachineProbe(bytes)
        #expect(machine.run()?.description.contains("nested more than") == true)
    }

    /// The zip64 forms torch writes past 4 GiB (saturated sizes, offsets and counts, with the real
    /// values in the zip64 extra field and end record) read as the plain archive does.
    @Test func zip64ArchiveReadsTheSame() throws {
        let plain = try Data(contentsOf: Self.pth.appendingPathComponent("eca_timm_k3_c32.pth"))
        let original = try TensorFile(bytes: Array(plain), source: "plain.pth")
        let members = try unzipStored(Array(plain))
        let file = try TensorFile(bytes: storedZip(members, zip64: true), source: "zip64.pth")
        #expect(file.names() == original.names())
        #expect(try file.tensor("conv.weight") == original.tensor("conv.weight"))
        // A zip64 end record pointing outside the file is refused, not followed.
        var broken = storedZip(members, zip64: true)
        let locator = broken.count - 22 - 20
        for i in 0..<8 { broken[locator + 8 + i] = 0xFF }
        #expect(throws: WeightsError.self) { try TensorFile(bytes: broken, source: "broken.pth") }
    }

    /// A pickle of millions of one-byte pushes is stopped at the cap, not run to exhaustion.
    @Test func operationCountIsCapped() {
        var bytes: [UInt8] = [0x80, 0x02]
        bytes += [UInt8](repeating: 0x4E, count: 8_000_001)  // NONE
        bytes.append(0x2E)
        var machine = PickleMachineProbe(bytes)
        #expect(machine.run()?.description.contains("more than 8000000 operations") == true)
    }

    /// Load once: a file opened through a run's cache is not opened again — the second block
    /// still reads it after the path is gone.
    @Test func cacheOpensEachFileOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-pth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("w.pth")
        try FileManager.default.copyItem(at: Self.pth.appendingPathComponent("se_timm_c64.pth"), to: copy)
        var spec = try Pipeline.loadSpecs(path: Paths.fixtures.appendingPathComponent("se_timm_c64/spec.json").path)[0]
        spec.weights = "w.pth"
        let files = WeightsFileCache()
        let first = try Pipeline.generate(spec, baseDirectory: dir, files: files)
        try FileManager.default.removeItem(at: copy)
        let second = try Pipeline.generate(spec, baseDirectory: dir, files: files)
        #expect(first.params == second.params)
        #expect(throws: SpecError.self) { try Pipeline.generate(spec, baseDirectory: dir) }
    }

    /// The Swift API: one loaded file handed to several kernels, with and without a prefix.
    @Test func oneFileManyKernels() throws {
        let file = try WeightsFile(path: Self.pth.appendingPathComponent("se_timm_c64.pth").path)
        #expect(file.tensorNames == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"])
        let dir = Paths.fixtures.appendingPathComponent("se_timm_c64")
        let spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[0]
        let reference = try Kernel(spec, weights: .spec(baseDirectory: dir))
        for _ in 0..<3 {
            let kernel = try Kernel(spec, weights: .file(file))
            #expect(kernel.params == reference.params)
        }
        let viaPath = try Kernel(spec, weights: .safetensors(path: Self.pth.appendingPathComponent("se_timm_c64.pth").path))
        #expect(viaPath.params == reference.params)
    }
}

/// Runs the pickle machine on bytes and returns its error, if any.
private struct PickleMachineProbe {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func run() -> WeightsError? {
        // A one-member archive around the pickle, so the machine runs as it does on a real file.
        do {
            _ = try TensorFile(bytes: storedZip([("archive/data.pkl", bytes)]), source: "probe.pth")
            return nil
        } catch {
            return error
        }
    }
}

/// A zip archive of stored members, written by hand (local headers, directory, end record); with
/// `zip64`, every size, offset and count saturated and given in zip64 fields instead.
func storedZip(_ members: [(String, [UInt8])], zip64: Bool = false) -> [UInt8] {
    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
    func le64(_ v: Int) -> [UInt8] { le32(v & 0xFFFF_FFFF) + le32(v >> 32) }
    let full = 0xFFFF_FFFF
    var out: [UInt8] = []
    var directory: [UInt8] = []
    for (name, data) in members {
        let n = Array(name.utf8)
        let offset = out.count
        out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(data.count) + le32(data.count) + le16(n.count) + le16(0) + n + data
        let extra = zip64 ? le16(1) + le16(24) + le64(data.count) + le64(data.count) + le64(offset) : []
        directory += le32(0x0201_4B50) + le16(45) + le16(45) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(zip64 ? full : data.count) + le32(zip64 ? full : data.count) + le16(n.count) + le16(extra.count)
            + le16(0) + le16(0) + le16(0) + le32(0) + le32(zip64 ? full : offset) + n + extra
    }
    let start = out.count
    out += directory
    if zip64 {
        let record = out.count
        out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0) + le64(members.count)
            + le64(members.count) + le64(directory.count) + le64(start)
        out += le32(0x0706_4B50) + le32(0) + le64(record) + le32(1)
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF) + le32(full) + le32(full) + le16(0)
    } else {
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(directory.count) + le32(start) + le16(0)
    }
    return out
}

/// The members of a stored zip, by the reader under test (plain archives are what every fixture
/// checks it on), in name order.
func unzipStored(_ bytes: [UInt8]) throws -> [(String, [UInt8])] {
    let zip = try StoredZip.open(.memory(bytes), source: "plain.pth")
    return try zip.members.values.sorted { $0.name < $1.name }.map { ($0.name, try zip.read($0)) }
}
