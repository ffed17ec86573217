// A pickle reader that runs nothing: the opcodes `torch.save` emits, with every Python global
// checked against an allow-list of the few callables a state dict needs, each of which is
// interpreted here (an ordered dict is a dict; a tensor rebuild is a view record). A pickle that
// names anything else (`os.system`, a model class) is refused with that name before any value
// is built from it.

/// A value of the restricted machine. Dicts and lists live in the machine's container table and
/// are referred to by index: pickle containers are mutable and shared through the memo, and an
/// index keeps that sharing without reference cycles.
enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits (LONG1); kept only to say so if one is used as a size.
    case bigInt
    case float(Double)
    case string(String)
    case tuple(PickleTuple)
    case dict(Int)
    case list(Int)
    case global(PickleGlobal)
    case storage(TorchStorageRef)
    case tensor(TorchTensorRef)

    /// For messages: what kind of value this is.
    var kindName: String {
        switch self {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .bigInt: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .tuple: return "a tuple"
        case .dict: return "a dict"
        case .list: return "a list"
        case .global(let g): return "the global \(g.pythonName)"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }
}

/// An immutable tuple, with its nesting depth so that a pickle of nested tuples cannot make
/// the values too deep to walk or free.
struct PickleTuple: Sendable {
    let items: [PickleValue]
    let depth: Int
}

/// The globals a state dict pickle may name; each is interpreted, never imported.
enum PickleGlobal: Sendable, Equatable {
    case orderedDict
    case rebuildTensor
    case rebuildParameter
    case storageType(SafeTensorsFile.DType, String)

    /// Module and name → the allowed global, or nil.
    static func allowed(module: String, name: String) -> PickleGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensor
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch", _):
            return storageTypes[name].map { .storageType($0, name) }
        default: return nil
        }
    }

    /// torch's typed storage classes, as `torch.save` names them, and their element types.
    static let storageTypes: [String: SafeTensorsFile.DType] = [
        "FloatStorage": .f32, "HalfStorage": .f16, "BFloat16Storage": .bf16, "DoubleStorage": .f64,
        "LongStorage": .i64, "IntStorage": .i32, "ShortStorage": .i16, "CharStorage": .i8,
        "ByteStorage": .u8, "BoolStorage": .bool,
    ]

    var pythonName: String {
        switch self {
        case .orderedDict: return "collections.OrderedDict"
        case .rebuildTensor: return "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: return "torch._utils._rebuild_parameter"
        case .storageType(_, let name): return "torch.\(name)"
        }
    }
}

/// A storage named by a persistent id: the zip member `data/<key>` holding `count` elements.
struct TorchStorageRef: Sendable, Equatable {
    let dtype: SafeTensorsFile.DType
    let key: String
    let count: Int
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage, in elements.
/// Nothing is checked against the storage yet; the checkpoint does that.
struct TorchTensorRef: Sendable, Equatable {
    let storage: TorchStorageRef
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// Runs one pickle to its STOP.
struct PickleMachine {
    private let bytes: [UInt8]
    private let source: String
    private var at = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Dict and list contents, indexed by `.dict(i)` and `.list(i)`.
    private(set) var dicts: [[(key: PickleValue, value: PickleValue)]] = []
    private(set) var lists: [[PickleValue]] = []

    /// Deeper tuples than torch writes (a view's sizes sit three levels down).
    static let maxDepth = 32
    /// Values one pickle may create: torch writes about 25 per tensor, so this allows hundreds of
    /// thousands of tensors while a hostile pickle of one-byte opcodes cannot grow without bound.
    static let maxValues = 8_000_000
    private var created = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// Runs the pickle; returns the value STOP leaves, with the machine holding its containers.
    mutating func run() throws(WeightsError) -> PickleValue {
        while true {
            let position = at
            let op = try byte()
            created += 1
            guard created <= Self.maxValues else { throw fail("more than \(Self.maxValues) operations; no state dict needs that many", at: position) }
            switch op {
            case 0x80:  // PROTO
                let version = try byte()
                guard (2...5).contains(version) else { throw fail("pickle protocol \(version) is not one torch.save writes (2 to 5)", at: position) }
            case 0x95:  // FRAME: a length hint only
                _ = try take(8)
            case 0x2E:  // STOP
                guard marks.isEmpty, stack.count == 1, let result = stack.last else {
                    throw fail("STOP with \(stack.count) values on the stack and \(marks.count) open marks", at: position)
                }
                return result
            case 0x28: marks.append(stack.count)  // MARK
            case 0x7D: push(.dict(newDict()))  // EMPTY_DICT
            case 0x5D: push(.list(newList()))  // EMPTY_LIST
            case 0x29: push(.tuple(PickleTuple(items: [], depth: 1)))  // EMPTY_TUPLE
            case 0x4E: push(.none)  // NONE
            case 0x88: push(.bool(true))  // NEWTRUE
            case 0x89: push(.bool(false))  // NEWFALSE
            case 0x4B: push(.int(Int(try byte())))  // BININT1
            case 0x4D: push(.int(Int(try unsigned(2))))  // BININT2
            case 0x4A: push(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
            case 0x8A: push(try long1())  // LONG1
            case 0x47:  // BINFLOAT: big-endian
                let raw = try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                push(.float(Double(bitPattern: raw)))
            case 0x58: push(.string(try text(length: try unsigned(4), at: position)))  // BINUNICODE
            case 0x8C: push(.string(try text(length: UInt64(try byte()), at: position)))  // SHORT_BINUNICODE
            case 0x8D: push(.string(try text(length: try unsigned(8), at: position)))  // BINUNICODE8
            case 0x71: try put(Int(try byte()), at: position)  // BINPUT
            case 0x72: try put(Int(try unsigned(4)), at: position)  // LONG_BINPUT
            case 0x94: try put(memo.count, at: position)  // MEMOIZE
            case 0x68: try get(Int(try byte()), at: position)  // BINGET
            case 0x6A: try get(Int(try unsigned(4)), at: position)  // LONG_BINGET
            case 0x63:  // GLOBAL "module\nname\n"
                let module = try line(at: position)
                let name = try line(at: position)
                push(.global(try global(module, name, at: position)))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(at: position)
                let module = try pop(at: position)
                guard case .string(let m) = module, case .string(let n) = name else {
                    throw fail("STACK_GLOBAL needs two strings, got \(module.kindName) and \(name.kindName)", at: position)
                }
                push(.global(try global(m, n, at: position)))
            case 0x74: push(try tuple(try popMark(at: position), at: position))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let n = Int(op - 0x84)
                guard stack.count - (marks.last ?? 0) >= n else { throw fail("TUPLE\(n) with too few values on the stack", at: position) }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                push(try tuple(items, at: position))
            case 0x51:  // BINPERSID
                push(try persistent(try pop(at: position), at: position))
            case 0x52:  // REDUCE
                let args = try pop(at: position)
                let callable = try pop(at: position)
                push(try reduce(callable, args, at: position))
            case 0x62:  // BUILD: only an ordered dict's attributes (torch's `_metadata`), which are dropped
                let state = try pop(at: position)
                guard case .dict = try top(at: position) else {
                    throw fail("BUILD on \(try top(at: position).kindName) with \(state.kindName); only a dict's attributes are accepted", at: position)
                }
            case 0x73:  // SETITEM
                let value = try pop(at: position)
                let key = try pop(at: position)
                try setItems([key, value], at: position)
            case 0x75: try setItems(try popMark(at: position), at: position)  // SETITEMS
            case 0x61: try append([try pop(at: position)], at: position)  // APPEND
            case 0x65: try append(try popMark(at: position), at: position)  // APPENDS
            default:
                throw fail("opcode 0x\(String(op, radix: 16)) is not one torch.save writes for a state dict", at: position)
            }
        }
    }

    // MARK: - Operands

    private func fail(_ detail: String, at position: Int) -> WeightsError {
        WeightsError(source: source, rule: .invalidPickle, detail: "data.pkl byte \(position): \(detail)")
    }

    private mutating func byte() throws(WeightsError) -> UInt8 {
        guard at < bytes.count else { throw fail("the pickle ends without STOP", at: at) }
        defer { at += 1 }
        return bytes[at]
    }

    private mutating func take(_ count: Int) throws(WeightsError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - at else { throw fail("the pickle ends inside an operand", at: at) }
        defer { at += count }
        return bytes[at..<(at + count)]
    }

    private mutating func unsigned(_ count: Int) throws(WeightsError) -> UInt64 {
        try take(count).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private mutating func text(length: UInt64, at position: Int) throws(WeightsError) -> String {
        guard length <= UInt64(bytes.count - at) else { throw fail("a \(length)-byte string runs past the pickle", at: position) }
        guard let s = String(validating: try take(Int(length)), as: UTF8.self) else {
            throw fail("a string that is not UTF-8", at: position)
        }
        return s
    }

    /// GLOBAL's operand: up to a newline, ASCII.
    private mutating func line(at position: Int) throws(WeightsError) -> String {
        guard let end = bytes[at...].firstIndex(of: 0x0A), end - at <= 256 else {
            throw fail("GLOBAL without its newline-ended name", at: position)
        }
        let slice = bytes[at..<end]
        at = end + 1
        guard slice.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw fail("GLOBAL names a non-ASCII name", at: position) }
        return String(decoding: slice, as: UTF8.self)
    }

    /// LONG1: little-endian two's complement of up to 255 bytes; beyond 64 bits it is `.bigInt`.
    private mutating func long1() throws(WeightsError) -> PickleValue {
        let count = Int(try byte())
        let digits = try take(count)
        guard count > 0 else { return .int(0) }
        guard count <= 8 else { return .bigInt }
        var value = UInt64(0)
        for (i, b) in digits.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        if count < 8, digits.last! & 0x80 != 0 { value |= ~UInt64(0) << (8 * UInt64(count)) }
        return .int(Int(Int64(bitPattern: value)))
    }

    private func global(_ module: String, _ name: String, at position: Int) throws(WeightsError) -> PickleGlobal {
        guard let g = PickleGlobal.allowed(module: module, name: name) else {
            throw WeightsError(
                source: source, rule: .refusedGlobal,
                detail: "the pickle names \(module).\(name), which is not on the allow-list (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch storage types); nothing it names is run. A checkpoint of a whole model or of training state needs torch.save(model.state_dict(), path)")
        }
        return g
    }

    // MARK: - Stack and memo

    private mutating func push(_ value: PickleValue) { stack.append(value) }

    private mutating func pop(at position: Int) throws(WeightsError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.popLast() else { throw fail("a value is needed but the stack is empty", at: position) }
        return value
    }

    private func top(at position: Int) throws(WeightsError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail("a value is needed but the stack is empty", at: position) }
        return value
    }

    private mutating func popMark(at position: Int) throws(WeightsError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK to close", at: position) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func put(_ index: Int, at position: Int) throws(WeightsError) {
        memo[index] = try top(at: position)
    }

    private mutating func get(_ index: Int, at position: Int) throws(WeightsError) {
        guard let value = memo[index] else { throw fail("memo entry \(index) was never stored", at: position) }
        push(value)
    }

    private mutating func newDict() -> Int {
        dicts.append([])
        return dicts.count - 1
    }

    private mutating func newList() -> Int {
        lists.append([])
        return lists.count - 1
    }

    private mutating func setItems(_ items: [PickleValue], at position: Int) throws(WeightsError) {
        guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of values", at: position) }
        guard case .dict(let d) = try top(at: position) else { throw fail("SETITEM(S) on \(try top(at: position).kindName)", at: position) }
        for i in stride(from: 0, to: items.count, by: 2) { dicts[d].append((items[i], items[i + 1])) }
    }

    private mutating func append(_ items: [PickleValue], at position: Int) throws(WeightsError) {
        guard case .list(let l) = try top(at: position) else { throw fail("APPEND(S) on \(try top(at: position).kindName)", at: position) }
        lists[l] += items
    }

    private func tuple(_ items: [PickleValue], at position: Int) throws(WeightsError) -> PickleValue {
        var depth = 1
        for case .tuple(let t) in items { depth = max(depth, t.depth + 1) }
        guard depth <= Self.maxDepth else { throw fail("tuples nested more than \(Self.maxDepth) deep", at: position) }
        return .tuple(PickleTuple(items: items, depth: depth))
    }

    // MARK: - The allowed callables

    /// torch's persistent id for a storage: ("storage", storage type, key, location, element count).
    private func persistent(_ pid: PickleValue, at position: Int) throws(WeightsError) -> PickleValue {
        guard case .tuple(let t) = pid, t.items.count == 5, case .string("storage") = t.items[0] else {
            throw fail("a persistent id that is not torch's (\"storage\", type, key, location, count)", at: position)
        }
        guard case .global(.storageType(let dtype, _)) = t.items[1] else {
            throw fail("a storage whose type is \(t.items[1].kindName), not a torch storage type", at: position)
        }
        guard case .string(let key) = t.items[2], case .string = t.items[3], case .int(let count) = t.items[4], count >= 0 else {
            throw fail("a storage id whose key, location or element count has the wrong type", at: position)
        }
        return .storage(TorchStorageRef(dtype: dtype, key: key, count: count))
    }

    private mutating func reduce(_ callable: PickleValue, _ args: PickleValue, at position: Int) throws(WeightsError) -> PickleValue {
        guard case .global(let g) = callable else { throw fail("REDUCE calls \(callable.kindName)", at: position) }
        guard case .tuple(let t) = args else { throw fail("REDUCE of \(g.pythonName) with \(args.kindName) for arguments", at: position) }
        let a = t.items
        switch g {
        case .orderedDict:
            guard a.isEmpty else { throw fail("collections.OrderedDict called with arguments", at: position) }
            return .dict(newDict())
        case .rebuildParameter:
            guard a.count == 3, case .tensor = a[0] else { throw fail("_rebuild_parameter needs (tensor, requires_grad, hooks)", at: position) }
            return a[0]
        case .rebuildTensor:
            // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard a.count == 6 || a.count == 7, case .storage(let storage) = a[0], case .int(let offset) = a[1] else {
                throw fail("_rebuild_tensor_v2 needs (storage, offset, size, stride, requires_grad, hooks)", at: position)
            }
            let shape = try ints(a[2], "size", at: position)
            let strides = try ints(a[3], "stride", at: position)
            guard shape.count == strides.count else {
                throw fail("a tensor with \(shape.count) sizes but \(strides.count) strides", at: position)
            }
            return .tensor(TorchTensorRef(storage: storage, offset: offset, shape: shape, strides: strides))
        case .storageType:
            throw fail("\(g.pythonName) called directly; torch names storages through persistent ids", at: position)
        }
    }

    private func ints(_ value: PickleValue, _ what: String, at position: Int) throws(WeightsError) -> [Int] {
        guard case .tuple(let t) = value else { throw fail("a tensor \(what) that is \(value.kindName), not a tuple", at: position) }
        var out: [Int] = []
        for item in t.items {
            guard case .int(let n) = item else { throw fail("a tensor \(what) holding \(item.kindName)", at: position) }
            out.append(n)
        }
        return out
    }
}
