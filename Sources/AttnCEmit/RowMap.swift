// tcc's form of a fused elementwise map. tcc compiles the scalar loop as it reads: every value
// through the stack and a libm call per element for the exponentials, where gcc vectorises it.
// So under tcc on x86-64 the innermost loop runs in chunks: each inline value computed there
// becomes a stack buffer of one chunk, each op one call of `attn_row_map` (packed SSE, eight
// lanes with AVX2), and the last op writes the destination row directly. Values invariant along
// the innermost loop (a channel's gate, a per-channel parameter) stay scalars, computed once as
// before. A map that reads or writes with a stride along the innermost loop, or computes
// something the helper has no exact form of, keeps the scalar loop.

import AttnIR

/// The op codes of `attn_row_map` (Templates/c/row_map.tcc.c.tmpl): `y = op(a, b or s)`.
enum RowMapOp: Int, CaseIterable {
    case add = 0, sub, mul
    case addScalar, subScalar, scalarSub, mulScalar
    case relu, relu6, hardSigmoid, hardSwish, leakyRelu
    case sigmoid, silu, tanh, sqrt
    case divScalar
    /// `a · s + b`: a product by a scalar and the sum reading it, in one pass (the product
    /// rounded, then the sum, as the two ops are).
    case mulScalarAdd
    /// `(a · b) · s`: a product of two rows and the product by a scalar reading it, in one pass
    /// (both products rounded, in that order).
    case mulMulScalar
}

/// A product the map has not computed yet, waiting for its one reader, which takes it into its
/// own call.
enum DeferredProduct {
    /// `a · s`, read by a sum of rows (`mulScalarAdd`).
    case scaled(a: String, s: String)
    /// `a · b` of two rows, read by a product by a scalar (`mulMulScalar`).
    case rows(a: String, b: String)
}

/// The chunked innermost loop of a map under construction.
struct RowChunks {
    /// Floats per stack buffer (the chunk's most iterations).
    let size: Int
    /// The C expression of this chunk's iterations.
    let length: String
    /// libm's exponential, tanh and square root: what the helper's forms match (the generator's
    /// own, bit-identical on a device, keep the scalar loop).
    let libm: Bool
    /// Stack buffers declared so far.
    var buffers = 0
    /// Set when something in the nest has no chunked form: the caller keeps the scalar loop.
    var failed = false
    /// Set when each call also takes whole rows of the next loop out (`attn_rows_map`).
    var plane: PlaneRows?
    /// Products not computed yet, by the name of the buffer they would have had: the one op
    /// that reads each takes it in its own call.
    var deferred: [String: DeferredProduct] = [:]

    /// Floats per stack buffer: a chunk, or the folded rows' chunks one after another.
    var bufferFloats: Int { size * (plane?.step ?? 1) }

    /// The most floats of stack a map's buffers may take.
    static let maxFloats = 8192
    /// Iterations per chunk, tried in turn until the buffers fit: long enough that a call's
    /// overhead vanishes, short enough that the buffers stay in L1.
    static let chunks = [256, 64]
    /// The fewest elements a map or a mean must have to be chunked: below it the scalar loop
    /// costs less than tcc's compile of the helper's assembly (SE's, ECA's and CBAM's gates
    /// stay scalar, so their spec → callable time does not grow).
    static let minElements = 4096
    /// The same for a map whose calls take many short rows at once (`foldRows`): a few calls
    /// replace a libm call per element (the gates along H and W of a small plane), and a gate
    /// over channels alone (SE's, ECA's at N = 1) has no rows to fold, so stays scalar.
    static let minFoldedElements = 512
    /// Chunks' worth of floats a call of folded rows may take per buffer (four 1,024-float
    /// buffers stay within L1).
    static let rowsPerChunk = 4
}

/// The loop around a short innermost row, folded into the calls: each `attn_rows_map` takes
/// `step` of its iterations, every operand a row address (or a scalar's) and its row stride.
struct PlaneRows {
    /// The folded loop's index and depth.
    let variable: String
    let depth: Int
    /// Rows per call, and the C expression of this call's rows.
    let step: Int
    let count: String
    /// The row stride, in floats, of each chunk or scalar address an operand is read at.
    var strides: [String: Int] = [:]
    /// The addresses that are scalars per row (the rest are rows).
    var scalars: Set<String> = []
    /// Set when an address moves along the folded loop other than linearly.
    var failed = false

    /// Records the row stride of `address`, read at offset `o`.
    mutating func note(_ address: String, _ o: Offset) {
        guard let stride = o.expr.coefficient(of: variable) else {
            failed = true
            return
        }
        strides[address] = stride
    }
}

extension CExpr {
    /// The coefficient of the variable `name`; nil when `name` also sits inside a quotient, a
    /// remainder or a table index, where the expression is not linear in it.
    fileprivate func coefficient(of name: String) -> Int? {
        var sum = 0
        for t in terms {
            switch t.atom {
            case .variable(let v): if v == name { sum += t.coefficient }
            case .quotient(let e, _), .remainder(let e, _), .element(_, let e): if e.mentions(name) { return nil }
            }
        }
        return sum
    }

    private func mentions(_ name: String) -> Bool {
        terms.contains { t in
            switch t.atom {
            case .variable(let v): return v == name
            case .quotient(let e, _), .remainder(let e, _), .element(_, let e): return e.mentions(name)
            }
        }
    }
}

extension NestValues {
    /// Folds the loop around the innermost one into the calls, `budget` floats of rows per
    /// call, when the innermost row fits in one chunk with room for two rows or more; false
    /// otherwise (the nest keeps one call per row).
    mutating func foldRows(budget: Int) -> Bool {
        guard var chunks = rows, nest.loops.count >= 2 else { return false }
        let (_, width) = nest.loops[nest.loops.count - 1]
        let (variable, extent) = nest.loops[nest.loops.count - 2]
        guard chunks.size == width, 2 * width <= budget else { return false }
        let blocks = (extent * width + budget - 1) / budget
        let step = (extent + blocks - 1) / blocks
        guard step > 1 else { return false }
        let count = extent % step == 0 ? "\(step)" : "\(variable)_len"
        let depth = nest.innermost - 1
        if extent % step != 0 { emit("const int \(count) = \(extent) - \(variable) < \(step) ? \(extent) - \(variable) : \(step);", at: depth) }
        nest.rowStep = step
        chunks.plane = PlaneRows(variable: variable, depth: depth, step: step, count: count)
        rows = chunks
        return true
    }

    /// Turns the innermost loop into a chunked one; false when the nest has none.
    mutating func chunkInnermost(_ chunk: Int, libm: Bool) -> Bool {
        guard let (variable, extent) = nest.loops.last else { return false }
        let size = min(chunk, extent)
        let length = extent % size == 0 ? "\(size)" : "\(variable)_len"
        rows = RowChunks(size: size, length: length, libm: libm)
        nest.innerStep = size
        if extent % size != 0 { emit("const int \(length) = \(extent) - \(variable) < \(size) ? \(extent) - \(variable) : \(size);", at: nest.innermost) }
        return true
    }

    /// Whether the part of `o` bound by the innermost loop is that loop's index itself.
    func unitStride(_ o: Offset) -> Bool {
        guard let (variable, _) = nest.loops.last else { return false }
        return o.split(at: nest.innermost).inner == .variable(variable)
    }

    /// Emits the calls computing `instr` over one chunk and returns the buffer (or destination)
    /// holding it. `args` at the innermost depth are addresses of a chunk, the others scalars.
    mutating func computeRows(_ instr: Instr, _ v: ValueID, _ args: [(expr: String, depth: Int)]) -> String {
        let inner = nest.innermost
        if case .binary(.add) = instr.op, args.allSatisfy({ $0.depth == inner }) {
            for (i, j) in [(0, 1), (1, 0)] {
                guard case .scaled(let a, let s)? = rows!.deferred[args[i].expr] else { continue }
                rows!.deferred[args[i].expr] = nil
                let other = materialize(args[j].expr)
                // a·s + b and b + a·s round alike.
                let dst = destination(v)
                call(dst, a, other, s, .mulScalarAdd)
                return dst
            }
        }
        if let (row, s) = scalarProduct(instr, args), case .rows(let a, let b)? = rows!.deferred[row] {
            rows!.deferred[row] = nil
            // (a·b)·s and s·(a·b) round alike.
            let dst = destination(v)
            call(dst, a, b, s, .mulMulScalar)
            return dst
        }
        let args = args.map { (expr: $0.depth == inner ? materialize($0.expr) : $0.expr, depth: $0.depth) }
        // A product that only one op reads waits for it when that op can take it in its own
        // call (a product by a scalar read by a sum of rows, a product of rows read by a product
        // by a scalar): one call reads and writes the chunk once instead of twice.
        // (NestValues reads a row value by its name, the buffer's: the name stands for it.)
        if let product = scalarProduct(instr, args), onlyReader(of: v)?.op == .binary(.add) {
            rows!.deferred[names.value(v)] = .scaled(a: product.a, s: product.s)
            return names.value(v)
        }
        if case .binary(.mul) = instr.op, args.allSatisfy({ $0.depth == inner }), let reader = onlyReader(of: v), isProduct(reader) {
            rows!.deferred[names.value(v)] = .rows(a: args[0].expr, b: args[1].expr)
            return names.value(v)
        }
        let dst = destination(v)
        func fail() { rows!.failed = true }
        switch instr.op {
        case .unary(let u):
            let a = args[0].expr
            switch u {
            case .relu: call(dst, a, nil, "0.0f", .relu)
            case .relu6: call(dst, a, nil, "0.0f", .relu6)
            case .hardSigmoid: call(dst, a, nil, "0.0f", .hardSigmoid)
            case .hardSwish: call(dst, a, nil, "0.0f", .hardSwish)
            case .leakyRelu(let slope): call(dst, a, nil, cFloat(slope), .leakyRelu)
            case .mulScalar(let k): call(dst, a, nil, cFloat(k), .mulScalar)
            // a - k and a + (-k) round alike.
            case .addScalar(let k): call(dst, a, nil, cFloat(k), .addScalar)
            case .sigmoid: if rows!.libm { call(dst, a, nil, "0.0f", .sigmoid) } else { fail() }
            case .silu: if rows!.libm { call(dst, a, nil, "0.0f", .silu) } else { fail() }
            case .tanh: if rows!.libm { call(dst, a, nil, "0.0f", .tanh) } else { fail() }
            case .sqrt: if rows!.libm { call(dst, a, nil, "0.0f", .sqrt) } else { fail() }
            case .geluTanh:
                guard rows!.libm else {
                    fail()
                    break
                }
                // 0.5 a (1 + tanh(0.797884561 (a + 0.044715 a a a))), in the scalar loop's order.
                let t = buffer("\(names.value(v))_t")
                let h = buffer("\(names.value(v))_h")
                call(t, a, nil, "0.044715f", .mulScalar)
                call(t, t, a, "0.0f", .mul)
                call(t, t, a, "0.0f", .mul)
                call(t, a, t, "0.0f", .add)
                call(t, t, nil, "0.797884561f", .mulScalar)
                call(t, t, nil, "0.0f", .tanh)
                call(t, t, nil, "1.0f", .addScalar)
                call(h, a, nil, "0.5f", .mulScalar)
                call(dst, h, t, "0.0f", .mul)
            case .gelu: fail()
            }
        case .binary(let b):
            let (x, y) = (args[0], args[1])
            switch (x.depth == nest.innermost, y.depth == nest.innermost) {
            case (true, true):
                let op: RowMapOp
                switch b {
                case .add: op = .add
                case .sub: op = .sub
                case .mul: op = .mul
                }
                call(dst, x.expr, y.expr, "0.0f", op)
            case (true, false):
                let op: RowMapOp
                switch b {
                case .add: op = .addScalar
                case .sub: op = .subScalar
                case .mul: op = .mulScalar
                }
                call(dst, x.expr, nil, y.expr, op)
            case (false, _):
                // s + a and s · a round as a + s and a · s.
                let op: RowMapOp
                switch b {
                case .add: op = .addScalar
                case .sub: op = .scalarSub
                case .mul: op = .mulScalar
                }
                call(dst, y.expr, nil, x.expr, op)
            }
        case .affine(let scale, let shift):
            let s = paramAtChannel(scale)
            let t = paramAtChannel(shift)
            guard s.depth < nest.innermost else {
                fail()
                break
            }
            // s · a + t as the scalar loop rounds it: the product, then the sum.
            call(dst, args[0].expr, nil, s.expr, .mulScalar)
            call(dst, dst, nil, t.expr, .addScalar)
        case .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool,
            .matmul, .blockMatmul, .relPosWeights, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .variance, .groupNorm, .axisConv1d, .constant, .slice, .reshape,
            .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(instr.op) is never computed inline")
        }
        return dst
    }

    /// One `attn_row_map` call (or `attn_rows_map` over folded rows) at the innermost depth.
    private mutating func call(_ y: String, _ a: String, _ b: String?, _ s: String, _ op: RowMapOp) {
        let inner = nest.innermost
        guard let plane = rows!.plane else {
            emit("attn_row_map(\(y), \(a), \(b ?? "0"), \(s), \(op.rawValue), \(rows!.length));", at: inner)
            return
        }
        func stride(_ address: String) -> Int {
            guard let stride = plane.strides[address] else {
                rows!.failed = true
                return 0
            }
            return stride
        }
        let (ys, as_) = (stride(y), stride(a))
        let bs = b.map(stride) ?? 0
        let width = rows!.size
        if ys == width && as_ == width && (b == nil || bs == width) && !plane.scalars.contains(s) {
            // Every operand's rows one after another: one row of them all, with no tail per row.
            emit("attn_row_map(\(y), \(a), \(b ?? "0"), \(s), \(op.rawValue), \(width) * \(plane.count));", at: inner)
            return
        }
        let scalar = plane.scalars.contains(s) ? "0.0f, \(s), \(stride(s))" : "\(s), 0, 0"
        emit(
            "attn_rows_map(\(y), \(ys), \(a), \(as_), \(b ?? "0"), \(bs), \(scalar), \(op.rawValue), \(rows!.length), \(plane.count));",
            at: inner)
    }

    /// The row and the scalar of a product of a row by a scalar (`a · s`, `s · a`, `a · k`).
    private func scalarProduct(_ instr: Instr, _ args: [(expr: String, depth: Int)]) -> (a: String, s: String)? {
        let inner = nest.innermost
        switch instr.op {
        case .binary(.mul):
            switch (args[0].depth == inner, args[1].depth == inner) {
            case (true, false): return (args[0].expr, args[1].expr)
            case (false, true): return (args[1].expr, args[0].expr)
            case (true, true), (false, false): return nil
            }
        case .unary(let u):
            guard case .mulScalar(let k) = u, args[0].depth == inner else { return nil }
            return (args[0].expr, cFloat(k))
        case .binary(.add), .binary(.sub), .affine, .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .concat, .axisPool,
            .pool2d, .weightedPool, .matmul, .blockMatmul, .relPosWeights, .attention, .softmax, .l1Normalize, .layerNorm,
            .instanceNorm, .variance, .groupNorm, .axisConv1d, .constant, .slice, .reshape, .transpose, .upsampleNearest,
            .blockUnfold:
            return nil
        }
    }

    /// The one op reading `v` once, when `v` is not the map's stored value; nil otherwise. (A
    /// reader defers nothing it cannot take: `computeRows` computes a deferred product on its
    /// own wherever its reader's operands turn out not to fit the fused call.)
    private func onlyReader(of v: ValueID) -> Instr? {
        guard rowsRoot?.value != v, v != program.output else { return nil }
        var reader: Instr?
        for instr in program.instrs {
            let uses = instr.operands.reduce(0) { $0 + ($1 == v ? 1 : 0) }
            if uses == 0 { continue }
            guard uses == 1, reader == nil else { return nil }
            reader = instr
        }
        return reader
    }

    /// Whether `instr` is a product (of two values, or by a constant).
    private func isProduct(_ instr: Instr) -> Bool {
        switch instr.op {
        case .binary(.mul): return true
        case .unary(let u):
            guard case .mulScalar = u else { return false }
            return true
        case .binary(.add), .binary(.sub), .affine, .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .concat, .axisPool,
            .pool2d, .weightedPool, .matmul, .blockMatmul, .relPosWeights, .attention, .softmax, .l1Normalize, .layerNorm,
            .instanceNorm, .variance, .groupNorm, .axisConv1d, .constant, .slice, .reshape, .transpose, .upsampleNearest,
            .blockUnfold:
            return false
        }
    }

    /// `expr`, or the row of a deferred product computed now into a buffer of its own.
    private mutating func materialize(_ expr: String) -> String {
        guard let product = rows!.deferred.removeValue(forKey: expr) else { return expr }
        let name = buffer(expr)
        switch product {
        case .scaled(let a, let s): call(name, a, nil, s, .mulScalar)
        case .rows(let a, let b): call(name, a, b, "0.0f", .mul)
        }
        return name
    }

    /// The root's destination row, or a new buffer named after `v`.
    private mutating func destination(_ v: ValueID) -> String {
        if let root = rowsRoot, root.value == v { return root.pointer }
        return buffer(names.value(v))
    }

    /// Declares a chunk-sized stack buffer in the chunk loop.
    private mutating func buffer(_ name: String) -> String {
        rows!.buffers += 1
        if rows!.buffers * rows!.bufferFloats > RowChunks.maxFloats { rows!.failed = true }
        emit("float \(name)[\(rows!.bufferFloats)];", at: nest.innermost)
        // Folded rows lie one after another.
        let width = rows!.size
        rows!.plane?.strides[name] = width
        return name
    }
}

extension CEmitter {
    /// The chunked form of the map storing `v` (see the top of this file), or nil when the map
    /// keeps the scalar loop.
    func mapRows(_ v: ValueID) -> NestValues? {
        let count = program.instrs[v - 1].shape.count
        guard count >= RowChunks.minFoldedElements else { return nil }
        for chunk in RowChunks.chunks {
            for fold in [true, false] where fold || count >= RowChunks.minElements {
                if let values = mapRows(v, chunk: chunk, fold: fold) { return values }
            }
        }
        return nil
    }

    private func mapRows(_ v: ValueID, chunk: Int, fold: Bool) -> NestValues? {
        let instr = program.instrs[v - 1]
        let layout = plan.layouts[v]!
        var values = startNest(over: instr.shape, channelsLast: layout.cStride == 1, split: plan.splitNests[v])
        guard values.chunkInnermost(chunk, libm: options.libm) else { return nil }
        let folded = fold && values.foldRows(budget: chunk * RowChunks.rowsPerChunk)
        // Unfolded, the try without folding is the same nest.
        if fold && !folded { return nil }
        let o = values.offset(instr.shape, layout)
        guard o.depth == values.nest.innermost, values.unitStride(o) else { return nil }
        let dst = values.access(pointer(v), o, writable: true)
        values.rowsRoot = (v, "&\(dst.expr)")
        if folded { values.rows!.plane!.note("&\(dst.expr)", o) }
        let (_, depth) = values.compute(instr, v)
        guard depth == values.nest.innermost, let rows = values.rows, !rows.failed, rows.plane?.failed != true else { return nil }
        return values
    }
}

extension CEmitter {
    /// `chunked` for tcc on x86-64 (under `#if` in a portable file), `scalar` for the rest.
    func splitForTCC(into p: inout CPrinter, chunked: (inout CPrinter) -> Void, scalar: (inout CPrinter) -> Void) {
        switch options.target.tccAsm {
        case .always: p.split([.tcc], chunked, else: scalar)
        case .guarded: p.split(Compiler.tccAsmCondition, then: [.tcc], chunked, else: p.compilers, scalar)
        case .never: scalar(&p)
        }
    }

    /// Whether `v` is a mean over H whose input and output rows are contiguous along W: tcc
    /// then sums whole rows (`sumColumns`) instead of walking each column down the plane.
    func sumsColumns(_ v: ValueID) -> Bool {
        let instr = program.instrs[v - 1]
        guard case .axisPool(.mean, .h) = instr.op else { return false }
        let x = instr.operands[0]
        let s = program.shape(of: x)
        return s.w > 1 && s.h > 1 && s.count >= RowChunks.minElements && axisStride(x, along: .w) == 1 && axisStride(v, along: .w) == 1
    }

    /// A mean over H as rows: per column the scalar loop's `acc = 0; acc += x[t]; acc / H`, in
    /// the same order, so the same bits, a plane per `attn_columns_mean` call (AVX2 keeps a
    /// group of column sums in a register down the plane; one call per row was most of the pass).
    func sumColumns(_ v: ValueID, into p: inout CPrinter) {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        let row = axisStride(x, along: .h)
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        p.use(.columnsMean)
        nest.pre[nest.innermost] = [
            .line("attn_columns_mean(\(address(v, n: n.index, c: c.index)), \(address(x, n: n.index, c: c.index)), \(row), \(s.h), \(s.w), \(s.h).0f);")
        ]
        p.block("") { p in nest.print(into: &p) }
    }
}
