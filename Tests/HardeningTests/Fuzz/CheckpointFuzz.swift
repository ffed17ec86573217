// The torch.save reader under fuzzing: what must hold for any bytes read as a checkpoint, and the
// inputs to start from. An input is a whole file, or (not starting with "PK") a pickle that is
// wrapped in an archive with float storages, so that mutations reach the pickle machine and the
// view checks rather than stopping at the zip directory.

import AttnGen
import AttnWeights
import Foundation

extension FuzzOracle {
    /// Bytes → zip directory → pickle → views → every tensor read → each block its names suggest
    /// through the pipeline. Every refusal is a WeightsError or SpecError naming the file.
    static func checkCheckpoint(_ input: [UInt8], in directory: URL, _ tally: inout Tally, violations: inout [String]) {
        tally.inputs += 1
        let bytes = CheckpointSeeds.asFile(input)
        let file: TensorFile
        do {
            file = try TensorFile(bytes: bytes, source: "fuzz.pth")
        } catch {
            tally.refusedByDecoder += 1
            tally.refused(error.description)
            if !error.description.hasPrefix("fuzz.pth: ") { violations.append("error without the file: \(error)") }
            return
        }
        for name in file.names() {
            guard let dtype = file.dtype(name), let shape = file.shape(name) else {
                violations.append("listed tensor \(name.debugDescription) has no entry")
                continue
            }
            let t: SafeTensorsFile.Tensor
            do {
                t = try file.tensor(name)
            } catch {
                violations.append("listed tensor \(name.debugDescription) cannot be read: \(error)")
                continue
            }
            if t.dtype != dtype || t.shape != shape || t.bytes.count != shape.reduce(1, *) * dtype.byteSize {
                violations.append("tensor \(name.debugDescription) holds \(t.bytes.count) bytes for \(dtype) \(shape)")
            }
            let floats = try? file.floats(name)
            if dtype.isFloatingPoint != (floats != nil) || (floats != nil && floats!.count != shape.reduce(1, *)) {
                violations.append("floats of \(name.debugDescription)")
            }
        }
        let path = directory.appendingPathComponent("w.pth")
        guard (try? Data(bytes).write(to: path)) != nil else {
            violations.append("cannot write \(path.path)")
            return
        }
        for spec in candidateSpecs(names: file.names(), shape: file.shape, weights: "w.pth") {
            do {
                let generated = try Pipeline.generate(spec, baseDirectory: directory)
                tally.generated += 1
                violations += checkGenerated(generated)
                if generated.params == nil { violations.append("weights given but none imported") }
            } catch {
                tally.refusedLater += 1
                tally.refused(error.description)
                if error.message.isEmpty { violations.append("an empty error at \(error.path)") }
            }
        }
    }
}

/// Starting points for the checkpoint fuzzers: the committed .pth fixtures (valid and hostile)
/// and the pickles inside the valid ones.
enum CheckpointSeeds {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pth")

    /// Every committed .pth file, by name.
    static let files: [(name: String, bytes: [UInt8])] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".pth") }.sorted()
        return names.compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, Array($0)) }
        }
    }()

    /// Pickles for `asFile` to wrap: SE, ECA and CBAM state dicts over storages "0"…"3".
    static let pickles: [(name: String, bytes: [UInt8])] = [
        ("eca", stateDict([("conv.weight", 0, [1, 1, 3], [3, 3, 1])])),
        ("eca_view", stateDict([("conv.weight", 1, [1, 1, 3], [1, 1, 2])])),
        ("se", stateDict([
            ("fc1.weight", 0, [4, 16, 1, 1], [16, 1, 1, 1]), ("fc1.bias", 1, [4], [1]),
            ("fc2.weight", 2, [16, 4, 1, 1], [1, 16, 1, 1]), ("fc2.bias", 3, [16], [1]),
        ])),
    ]

    /// Floats in each wrapped storage.
    static let storageCount = 64

    /// A whole file as is; anything else is a pickle, wrapped with four float storages.
    static func asFile(_ input: [UInt8]) -> [UInt8] {
        if input.starts(with: [0x50, 0x4B]) { return input }
        var members: [(String, [UInt8])] = [("archive/data.pkl", input), ("archive/byteorder", Array("little".utf8))]
        for key in 0..<4 {
            let values = (0..<storageCount).map { Float(($0 * 7 + key) % 11 - 5) * 0.1 }
            members.append(("archive/data/\(key)", FuzzSeeds.f32(values)))
        }
        return storedZip(members)
    }

    /// A pickle of {name: _rebuild_tensor_v2(storage key, 0, size, stride)} as torch writes it.
    static func stateDict(_ tensors: [(name: String, storage: Int, size: [Int], stride: [Int])]) -> [UInt8] {
        func text(_ s: String) -> [UInt8] { [0x58] + FuzzSeeds.littleEndian([UInt32(s.utf8.count)]) + Array(s.utf8) }
        func int(_ n: Int) -> [UInt8] { [0x4A] + FuzzSeeds.littleEndian([Int32(n)]) }
        var out: [UInt8] = [0x80, 0x02, 0x7D, 0x28]
        for t in tensors {
            out += text(t.name) + Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28] + text("storage")
                + Array("ctorch\nFloatStorage\n".utf8) + text(String(t.storage)) + text("cpu") + int(storageCount) + [0x74, 0x51]
                + int(0) + [0x28] + t.size.flatMap(int) + [0x74, 0x28] + t.stride.flatMap(int) + [0x74, 0x89]
                + Array("ccollections\nOrderedDict\n".utf8) + [0x29, 0x52, 0x74, 0x52]
        }
        return out + [0x75, 0x2E]
    }

    /// Zip tokens, pickle opcodes with their operands, and the globals (allowed and not).
    static let tokens: [String] = [
        "PK\u{03}\u{04}", "PK\u{01}\u{02}", "PK\u{05}\u{06}", "PK\u{06}\u{06}", "PK\u{06}\u{07}",
        "archive/data.pkl", "archive/data/0", "archive/byteorder", "little", "big",
        "ctorch\nFloatStorage\n", "ctorch\nHalfStorage\n", "ctorch\nBFloat16Storage\n", "ctorch\nDoubleStorage\n",
        "ctorch\nLongStorage\n", "ctorch._utils\n_rebuild_tensor_v2\n", "ctorch._utils\n_rebuild_parameter\n",
        "ccollections\nOrderedDict\n", "cos\nsystem\n", "cbuiltins\neval\n", "storage", "state_dict", "model", "module.",
        "fc1.weight", "conv.weight", "(", ")", "t", "R", "Q", "u", "s", "b", "q\u{00}", "h\u{00}", "N", ".", "K\u{00}",
        "J\u{00}\u{00}\u{00}\u{00}", "J\u{7F}\u{7F}\u{7F}\u{7F}",
    ]
    // Tokens are ASCII: a String's UTF-8 cannot hold bytes 0x80 and up, which the byte edits reach.
}

/// A zip archive of stored members, written by hand (local headers, directory, end record).
func storedZip(_ members: [(String, [UInt8])]) -> [UInt8] {
    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
    var out: [UInt8] = []
    var directory: [UInt8] = []
    for (name, data) in members {
        let n = Array(name.utf8)
        let offset = out.count
        out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(data.count) + le32(data.count) + le16(n.count) + le16(0) + n + data
        directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(data.count) + le32(data.count) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            + le32(offset) + n
    }
    let start = out.count
    out += directory
    out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
        + le32(directory.count) + le32(start) + le16(0)
    return out
}
