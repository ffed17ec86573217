// Decides, for each IR value, whether the C stores it in memory or recomputes it inline where it
// is read, and where stored values live. This is where fusion happens:
// - Full-size elementwise values (SE's `x·gate`, CBAM's `x1`) are never stored: each reader
//   recomputes them from x, which costs no extra memory traffic and no scratch.
// - Small values (pooled vectors, 1-channel planes) are stored in caller-owned scratch, with
//   buffers reused once dead, so SE needs exactly C + rd floats.
// - A concat of stored values costs nothing: its operands are written straight into their slice.

import AttnIR

/// Which caller-owned array a stored value lives in.
enum Buffer: Hashable {
    case input
    case output
    case scratch
    /// A `constant` op's parameter, read in place from the parameter array.
    case param(ParamID)
}

/// Where a stored value's elements are: `base + n·nStride + c·cStride + (h·W + w)·hwStride`.
/// Scratch values are NCHW; the block's input and output follow the spec's layout.
struct Layout: Hashable {
    let buffer: Buffer
    let base: Int
    let nStride: Int
    var cStride: Int
    var hwStride: Int

    init(buffer: Buffer, base: Int, nStride: Int, cStride: Int, hwStride: Int = 1) {
        self.buffer = buffer
        self.base = base
        self.nStride = nStride
        self.cStride = cStride
        self.hwStride = hwStride
    }

    init(buffer: Buffer, _ shape: Shape, _ layout: TensorLayout) {
        let s = layout.strides(shape)
        self.init(buffer: buffer, base: 0, nStride: s.n, cStride: s.c, hwStride: s.hw)
    }
}

/// The storage plan of one program.
struct Schedule {
    /// Layout of each stored value; nil means the value is computed inline where read.
    let layouts: [Layout?]
    /// Floats of scratch the plan needs.
    let scratchSize: Int
    /// Floats of scratch on 64-bit hosts (x86-64, AArch64): `scratchSize` plus the padded planes
    /// and wide buffers of the convolutions' host code, which MCUs do not run (`WideConv`).
    let hostScratchSize: Int
    /// Concats whose operands were placed in their slices, so no copy is emitted.
    let aliasedConcats: Set<ValueID>
    /// Scratch offset of the working buffer an op needs while it runs (attention's score row).
    let temps: [ValueID: Int]
    /// Slices and reshapes read in place from their operand's storage: no copy is emitted.
    let views: Set<ValueID>

    init(_ p: Program, layout: TensorLayout = .nchw) {
        let users = p.users()
        var inline = Array(repeating: false, count: p.instrs.count + 1)
        for id in 1...p.instrs.count where id != p.output {
            let instr = p.instrs[id - 1]
            // A value with an operand broadcast along H or W only ([N,C,H,1]) is stored: readers
            // index pixels with one flat H·W counter, which cannot address such an operand.
            inline[id] = instr.op.isElementwise && !p.hasPartialSpatialOperand(id) && users[id].allSatisfy { u in
                let user = p.instrs[u - 1]
                return user.op.readsEachElementOnce && user.shape.spatialCovers(instr.shape)
                    && (user.op.isReduction || user.shape == instr.shape)
            }
        }
        // A slice, or a reshape of densely stored NCHW data, is a view of its operand's storage.
        // A reshape's operand is known to be dense only once layouts exist; until then it is
        // planned as a view, which only lengthens its operand's life.
        var isView = Array(repeating: false, count: p.instrs.count + 1)
        for id in 1...p.instrs.count where id != p.output {
            let instr = p.instrs[id - 1]
            switch instr.op {
            case .slice: isView[id] = true
            case .reshape: isView[id] = true  // unless its operand turns out not to be dense, below
            default: break
            }
        }
        // A concat's operand can be written directly into its slice when the concat is its only
        // reader and it is stored (not inline, not the block input).
        var sliceOf: [ValueID: (concat: ValueID, channelStart: Int)] = [:]
        var aliased = Set<ValueID>()
        for id in 1...p.instrs.count {
            let instr = p.instrs[id - 1]
            guard case .concat = instr.op, id != p.output,
                instr.operands.allSatisfy({ $0 != 0 && !inline[$0] && !isView[$0] && users[$0] == [id] && $0 != p.output }),
                Set(instr.operands).count == instr.operands.count
            else { continue }
            var start = 0
            for v in instr.operands {
                sliceOf[v] = (id, start)
                start += p.shape(of: v).c
            }
            aliased.insert(id)
        }
        // An inline value is read where its readers run, so what it reads must stay live that long.
        var lastUse = Array(0...p.instrs.count)
        for v in stride(from: p.instrs.count, through: 0, by: -1) {
            for u in users[v] { lastUse[v] = max(lastUse[v], inline[u] || isView[u] ? lastUse[u] : u) }
        }
        // A concat's region must live from its first operand to its own last use.
        var allocAt: [ValueID: ValueID] = [:]
        for c in aliased { allocAt[c] = p.instrs[c - 1].operands.min()! }

        var layouts = Array<Layout?>(repeating: nil, count: p.instrs.count + 1)
        layouts[0] = Layout(buffer: .input, p.input, layout)
        var allocator = ScratchAllocator()
        var owner: [ValueID: Int] = [:]  // value → allocation handle
        let out = p.shape(of: p.output)
        layouts[p.output] = Layout(buffer: .output, out, layout)
        var pendingFree: [ValueID: [Int]] = [:]

        func allocate(_ v: ValueID) {
            let s = p.shape(of: v)
            let handle = allocator.allocate(s.count)
            owner[v] = handle
            layouts[v] = Layout(buffer: .scratch, base: allocator.offset(of: handle), nStride: s.c * s.plane, cStride: s.plane)
            pendingFree[lastUse[v], default: []].append(handle)
        }
        // Members of one emission group run in the same loop nest: nothing their inputs used may
        // be freed until the whole group has its buffers.
        var groupEnd = Array(0...p.instrs.count)
        var g = 1
        while g <= p.instrs.count {
            let group = emissionGroup(p, startingAt: g)
            for m in group { groupEnd[m] = group.last! }
            g = group.last! + 1
        }
        var temps: [ValueID: Int] = [:]
        var hostTemps: [ValueID: Int] = [:]
        for id in 1...p.instrs.count {
            if case .constant(let param, let shape) = p.instrs[id - 1].op, id != p.output {
                layouts[id] = Layout(buffer: .param(param), shape, .nchw)
                continue
            }
            if isView[id] {
                let instr = p.instrs[id - 1]
                let source = layouts[instr.operands[0]]!
                let xs = p.shape(of: instr.operands[0])
                switch instr.op {
                case .slice(let start, _):
                    layouts[id] = Layout(
                        buffer: source.buffer, base: source.base + start * source.cStride, nStride: source.nStride,
                        cStride: source.cStride, hwStride: source.hwStride)
                    continue
                default:
                    // Only dense NCHW storage keeps the element order a reshape relies on; a slice
                    // of several samples, or NHWC input, is copied instead.
                    let dense = (xs.n == 1 || source.nStride == xs.c * xs.plane) && (xs.c == 1 || source.cStride == xs.plane)
                        && (xs.plane == 1 || source.hwStride == 1)
                    if dense {
                        let s = instr.shape
                        layouts[id] = Layout(buffer: source.buffer, base: source.base, nStride: s.c * s.plane, cStride: s.plane)
                        continue
                    }
                    isView[id] = false
                }
            }
            // Concat regions open when their first operand is produced.
            for (c, first) in allocAt where first == id { allocate(c) }
            if let (c, start) = sliceOf[id], let region = layouts[c] {
                let s = p.shape(of: id)
                layouts[id] = Layout(
                    buffer: .scratch, base: region.base + start * s.plane, nStride: region.nStride, cStride: s.plane)
            } else if id != p.output, !inline[id], !aliased.contains(id) {
                let instr = p.instrs[id - 1]
                // Elementwise results may overwrite an operand of the same shape that dies here.
                if instr.op.isElementwise,
                    let donor = instr.operands.first(where: {
                        lastUse[$0] == id && owner[$0] != nil && p.shape(of: $0) == instr.shape
                            && pendingFree[id]?.contains(owner[$0]!) == true
                    })
                {
                    let handle = owner[donor]!
                    pendingFree[id]!.removeAll { $0 == handle }
                    owner[id] = handle
                    layouts[id] = layouts[donor]
                    pendingFree[lastUse[id], default: []].append(handle)
                } else {
                    allocate(id)
                }
            }
            let instr = p.instrs[id - 1]
            if let size = instr.op.tempSize(instr, p, operand: instr.operands.first.flatMap { layouts[$0] }) {
                if case .conv2d = instr.op {
                    // Host-only working memory goes after everything else, so MCUs, which run
                    // the per-row form, need none of it; one region serves every conv in turn.
                    hostTemps[id] = size
                } else {
                    let handle = allocator.allocate(size)
                    temps[id] = allocator.offset(of: handle)
                    pendingFree[id, default: []].append(handle)
                }
            }
            if groupEnd[id] != id {
                pendingFree[id + 1, default: []] += pendingFree[id] ?? []
                pendingFree[id] = nil
                continue
            }
            for handle in pendingFree[id] ?? [] { allocator.free(handle) }
        }
        self.layouts = layouts
        self.scratchSize = allocator.highWater
        for v in hostTemps.keys { temps[v] = allocator.highWater }
        self.hostScratchSize = allocator.highWater + (hostTemps.values.max() ?? 0)
        self.aliasedConcats = aliased
        self.temps = temps
        self.views = Set((1...p.instrs.count).filter { isView[$0] })
    }

    func isInline(_ v: ValueID) -> Bool { layouts[v] == nil }

    /// A constant read straight from the parameter array: nothing to emit.
    func isParamView(_ v: ValueID) -> Bool {
        if case .param = layouts[v]?.buffer { return true }
        return false
    }
}

/// First-fit allocation of float ranges in scratch.
struct ScratchAllocator {
    private var live: [Int: Range<Int>] = [:]
    private var next = 0
    private(set) var highWater = 0

    mutating func allocate(_ size: Int) -> Int {
        let taken = live.values.sorted { $0.lowerBound < $1.lowerBound }
        var start = 0
        for r in taken {
            if start + size <= r.lowerBound { break }
            start = max(start, r.upperBound)
        }
        let handle = next
        next += 1
        live[handle] = start..<start + size
        highWater = max(highWater, start + size)
        return handle
    }

    func offset(of handle: Int) -> Int { live[handle]!.lowerBound }

    mutating func free(_ handle: Int) { live[handle] = nil }
}

extension Op {
    /// Computed from operands at the same index (with broadcasting): can be recomputed inline.
    var isElementwise: Bool {
        switch self {
        case .unary, .binary, .affine: return true
        case .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool,
            .matmul, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .constant, .slice, .reshape,
            .transpose, .upsampleNearest:
            return false
        }
    }

    var isReduction: Bool {
        switch self {
        case .globalPool, .channelPool: return true
        case .unary, .binary, .affine, .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool,
            .matmul, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .constant, .slice, .reshape,
            .transpose, .upsampleNearest:
            return false
        }
    }

    /// Floats of working scratch the op needs while it runs, beyond its result. `operand` is
    /// the layout of its first operand.
    func tempSize(_ instr: Instr, _ p: Program, operand: Layout?) -> Int? {
        switch self {
        case .attention:  // a block of query rows' scores over the keys
            return CEmitter.rowBlock * p.shape(of: instr.operands[1]).w
        case .conv2d(let a):
            guard let operand else { return nil }
            return WideConv(a, input: p.shape(of: instr.operands[0]), output: instr.shape, inputLayout: operand)?.tempSize
        default: return nil
        }
    }

    /// Reads each operand element once per output element it covers (no neighbourhoods, no
    /// repeated dot products), so an inline operand is not recomputed many times.
    var readsEachElementOnce: Bool {
        switch self {
        case .unary, .binary, .affine, .globalPool, .channelPool: return true
        case .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool, .matmul, .attention,
            .softmax, .l1Normalize, .layerNorm, .instanceNorm, .constant, .slice, .reshape, .transpose, .upsampleNearest:
            return false
        }
    }
}

extension Program {
    /// True when an operand of `v` (or of an inline-able elementwise operand) covers only some of
    /// its pixels' axes: `[N,C,H,1]` or `[N,C,1,W]` against `[N,C,H,W]`.
    func hasPartialSpatialOperand(_ v: ValueID) -> Bool {
        let s = shape(of: v)
        return instrs[v - 1].operands.contains { !s.spatialCovers(shape(of: $0)) }
    }
}

extension Shape {
    /// True when a value of `other`'s shape can be read with this shape's flat H·W index.
    func spatialCovers(_ other: Shape) -> Bool { other.plane == 1 || (other.h == h && other.w == w) }
}
