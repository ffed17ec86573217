// A `torch.save` checkpoint (the zip format torch writes since 1.6): `<archive>/data.pkl`, a
// pickle of the state dict whose tensors name storages `<archive>/data/<key>`, read by the
// restricted machine and checked view by view against the storages they read.

/// A state dict saved with `torch.save`: tensor names mapped to strided views of the archive's
/// storages, whose bytes are read when a tensor is asked for.
///
/// Accepted: a dict (or `OrderedDict`) of tensors, or one nested under `"state_dict"` or
/// `"model"` as training scripts and timm save it (timm's lookup order); keys all starting with
/// `module.` (a DataParallel wrapper) lose that prefix, as timm's loader strips it. Views may be
/// non-contiguous (a transpose) and may share a storage; each is gathered into row-major order.
package struct TorchCheckpoint: Sendable {
    /// One tensor: a view of `count` elements of a storage member.
    package struct Entry: Sendable, Equatable {
        package let dtype: SafeTensorsFile.DType
        package let shape: [Int]
        /// Element strides, one per dimension.
        let strides: [Int]
        /// First element's index in the storage.
        let offset: Int
        let member: StoredZip.Member

        /// Whether the view is the row-major run of its elements from `offset`.
        var isContiguous: Bool {
            var expected = 1
            for (size, stride) in zip(shape, strides).reversed() where size != 1 {
                if stride != expected { return false }
                expected *= size
            }
            return true
        }
    }

    package let tensors: [String: Entry]
    package let source: String
    private let container: StoredZip

    /// The pickle is read whole; larger than any state dict's.
    static let maxPickleBytes = 256 << 20

    /// Tensor names in byte-wise (UTF-8) order.
    package func names() -> [String] {
        tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The tensor called `name` in row-major order, its bytes read now.
    package func tensor(_ name: String) throws(WeightsError) -> SafeTensorsFile.Tensor {
        guard let entry = tensors[name] else {
            throw WeightsError(source: source, tensor: name, rule: .unknownTensor,
                               detail: NameSuggestions.message(for: name, among: names()))
        }
        let size = entry.dtype.byteSize
        let count = entry.shape.reduce(1, *)
        guard count > 0 else { return SafeTensorsFile.Tensor(dtype: entry.dtype, shape: entry.shape, bytes: []) }
        if entry.isContiguous {
            let bytes = try container.read(entry.member, at: entry.offset * size, count: count * size)
            return SafeTensorsFile.Tensor(dtype: entry.dtype, shape: entry.shape, bytes: bytes)
        }
        // The smallest run of the storage the view touches, then the elements in row-major order.
        let span = zip(entry.shape, entry.strides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        let run = try container.read(entry.member, at: entry.offset * size, count: span * size)
        var out = [UInt8](repeating: 0, count: count * size)
        var index = [Int](repeating: 0, count: entry.shape.count)
        var from = 0
        for element in 0..<count {
            for b in 0..<size { out[element * size + b] = run[from * size + b] }
            var d = entry.shape.count - 1
            while d >= 0 {
                index[d] += 1
                from += entry.strides[d]
                if index[d] < entry.shape[d] { break }
                from -= entry.strides[d] * entry.shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return SafeTensorsFile.Tensor(dtype: entry.dtype, shape: entry.shape, bytes: out)
    }

    // MARK: - Decoding

    static func decode(_ storage: Storage, source: String) throws(WeightsError) -> TorchCheckpoint {
        let container = try StoredZip.open(storage, source: source)
        func refuse(_ rule: WeightsError.Rule, _ detail: String) -> WeightsError {
            WeightsError(source: source, rule: rule, detail: detail)
        }
        let pickles = container.members.keys.filter { name in
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl"
        }
        guard pickles.count == 1, let pickleName = pickles.first else {
            throw refuse(
                .unsupportedCheckpoint,
                pickles.isEmpty
                    ? "a zip archive without <archive>/data.pkl: not a torch.save checkpoint"
                    : "a zip archive with \(pickles.count) data.pkl members; torch.save writes one")
        }
        let archive = String(pickleName.dropLast("data.pkl".count))
        if let order = container.members[archive + "byteorder"] {
            let text = String(decoding: try container.read(order), as: UTF8.self)
            guard text == "little" else {
                throw refuse(.unsupportedCheckpoint, "byte order \(JSONText.quoted(text)); only little-endian checkpoints are read")
            }
        }
        let pickleMember = container.members[pickleName]!
        guard pickleMember.data.count <= maxPickleBytes else {
            throw refuse(.unsupportedCheckpoint, "data.pkl is \(pickleMember.data.count) bytes, over the \(maxPickleBytes)-byte limit")
        }
        var machine = PickleMachine(bytes: try container.read(pickleMember), source: source)
        let top = try machine.run()
        let dict = try stateDict(top, machine, refuse)
        var tensors: [String: Entry] = [:]
        for (name, value) in dict {
            guard case .tensor(let view) = value else {
                throw WeightsError(source: source, tensor: name, rule: .unsupportedCheckpoint,
                                   detail: "is \(value.kindName), not a tensor; a state dict holds tensors only")
            }
            guard tensors[name] == nil else {
                throw WeightsError(source: source, tensor: name, rule: .unsupportedCheckpoint, detail: "appears twice in the state dict")
            }
            tensors[name] = try entry(view, name: name, archive: archive, container: container)
        }
        return TorchCheckpoint(tensors: tensors, source: source, container: container)
    }

    /// The state dict's (name, value) pairs: the top level, or the dict under "state_dict" or
    /// "model", without a `module.` prefix that every key has.
    private static func stateDict(
        _ top: PickleValue, _ machine: PickleMachine, _ refuse: (WeightsError.Rule, String) -> WeightsError
    ) throws(WeightsError) -> [(String, PickleValue)] {
        func pairs(_ value: PickleValue, _ what: String) throws(WeightsError) -> [(String, PickleValue)] {
            guard case .dict(let d) = value else {
                throw refuse(.unsupportedCheckpoint, "\(what) is \(value.kindName), not a dict of tensors")
            }
            var out: [(String, PickleValue)] = []
            for (key, value) in machine.dicts[d] {
                guard case .string(let name) = key else {
                    throw refuse(.unsupportedCheckpoint, "\(what) has a key that is \(key.kindName), not a string")
                }
                out.append((name, value))
            }
            return out
        }
        var dict = try pairs(top, "the saved object")
        let isTensor: ((String, PickleValue)) -> Bool = { if case .tensor = $0.1 { return true } else { return false } }
        if !dict.allSatisfy(isTensor) {
            guard let nested = dict.first(where: { $0.0 == "state_dict" }) ?? dict.first(where: { $0.0 == "model" }) else {
                let other = dict.first { !isTensor($0) }!
                throw refuse(
                    .unsupportedCheckpoint,
                    "the saved dict holds \(other.1.kindName) under \(JSONText.quoted(other.0)) and has no \"state_dict\" or \"model\" entry; save model.state_dict()")
            }
            dict = try pairs(nested.1, "the saved \(JSONText.quoted(nested.0))")
        }
        if !dict.isEmpty && dict.allSatisfy({ $0.0.hasPrefix("module.") }) {
            dict = dict.map { (String($0.0.dropFirst("module.".count)), $0.1) }
        }
        return dict
    }

    /// Checks a view against its storage member: every element it reads lies in the storage.
    private static func entry(_ view: TorchTensorRef, name: String, archive: String, container: StoredZip) throws(WeightsError) -> Entry {
        func bad(_ detail: String) -> WeightsError {
            WeightsError(source: container.source, tensor: name, rule: .invalidTensorView, detail: detail)
        }
        let dtype = view.storage.dtype
        let memberName = archive + "data/" + view.storage.key
        guard let member = container.members[memberName] else {
            throw bad("its storage \(JSONText.quoted(memberName)) is not in the archive")
        }
        let (bytes, overflow) = view.storage.count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes == member.data.count else {
            throw bad("its storage \(JSONText.quoted(memberName)) is \(member.data.count) bytes, not \(view.storage.count) elements of \(dtype.rawValue)")
        }
        guard view.shape.allSatisfy({ $0 >= 0 }), view.strides.allSatisfy({ $0 >= 0 }), view.offset >= 0 else {
            throw bad("size \(view.shape), stride \(view.strides) or storage offset \(view.offset) is negative")
        }
        // Element count and the last element read, overflow-checked.
        var count = 1
        var last = view.offset
        for (size, stride) in zip(view.shape, view.strides) {
            let (c, o1) = count.multipliedReportingOverflow(by: size)
            guard !o1 else { throw bad("size \(view.shape) has more elements than fit in 64 bits") }
            count = c
            guard size > 0 else { continue }
            let (step, o2) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, o3) = last.addingReportingOverflow(step)
            guard !o2, !o3 else { throw bad("size \(view.shape) with stride \(view.strides) reaches past 64-bit offsets") }
            last = sum
        }
        guard count == 0 || last < view.storage.count else {
            throw bad("size \(view.shape), stride \(view.strides) from storage offset \(view.offset) reads element \(last) of a \(view.storage.count)-element storage")
        }
        // A view that reads an element twice (a stride of 0, overlapping strides) could expand a
        // small storage into any size; a state dict's tensors never do.
        guard count <= view.storage.count else {
            throw bad("size \(view.shape) with stride \(view.strides) has \(count) elements but its storage \(view.storage.count): the view repeats elements; save a .contiguous() copy")
        }
        return Entry(dtype: dtype, shape: view.shape, strides: view.strides, offset: view.offset, member: member)
    }
}
