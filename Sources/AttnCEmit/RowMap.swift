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
enum RowMapOp: Int {
    case add = 0, sub, mul
    case addScalar, subScalar, scalarSub, mulScalar
    case relu, relu6, hardSigmoid, hardSwish, leakyRelu
    case sigmoid, silu, tanh, sqrt
    case divScalar
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

    /// The most floats of stack a map's buffers may take.
    static let maxFloats = 8192
    /// Iterations per chunk, tried in turn until the buffers fit: long enough that a call's
    /// overhead vanishes, short enough that the buffers stay in L1.
    static let chunks = [256, 64]
    /// The fewest elements a map or a mean must have to be chunked: below it the scalar loop
    /// costs less than tcc's compile of the helper's assembly (SE's, ECA's and CBAM's gates
    /// stay scalar, so their spec → callable time does not grow).
    static let minElements = 4096
}

extension NestValues {
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
        let dst = destination(v)
        let inner = nest.innermost
        func call(_ y: String, _ a: String, _ b: String?, _ s: String, _ op: RowMapOp) {
            emit("attn_row_map(\(y), \(a), \(b ?? "0"), \(s), \(op.rawValue), \(rows!.length));", at: inner)
        }
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
            .matmul, .blockMatmul, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .variance, .groupNorm, .axisConv1d, .constant, .slice, .reshape,
            .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(instr.op) is never computed inline")
        }
        return dst
    }

    /// The root's destination row, or a new buffer named after `v`.
    private mutating func destination(_ v: ValueID) -> String {
        if let root = rowsRoot, root.value == v { return root.pointer }
        return buffer(names.value(v))
    }

    /// Declares a chunk-sized stack buffer in the chunk loop.
    private mutating func buffer(_ name: String) -> String {
        rows!.buffers += 1
        if rows!.buffers * rows!.size > RowChunks.maxFloats { rows!.failed = true }
        emit("float \(name)[\(rows!.size)];", at: nest.innermost)
        return name
    }
}

extension CEmitter {
    /// The chunked form of the map storing `v` (see the top of this file), or nil when the map
    /// keeps the scalar loop.
    func mapRows(_ v: ValueID) -> NestValues? {
        guard program.instrs[v - 1].shape.count >= RowChunks.minElements else { return nil }
        for chunk in RowChunks.chunks {
            if let values = mapRows(v, chunk: chunk) { return values }
        }
        return nil
    }

    private func mapRows(_ v: ValueID, chunk: Int) -> NestValues? {
        let instr = program.instrs[v - 1]
        let layout = plan.layouts[v]!
        var values = startNest(over: instr.shape, channelsLast: layout.cStride == 1, split: plan.splitNests[v])
        guard values.chunkInnermost(chunk, libm: options.libm) else { return nil }
        let o = values.offset(instr.shape, layout)
        guard o.depth == values.nest.innermost, values.unitStride(o) else { return nil }
        let dst = values.access(pointer(v), o, writable: true)
        values.rowsRoot = (v, "&\(dst.expr)")
        let (_, depth) = values.compute(instr, v)
        guard depth == values.nest.innermost, let rows = values.rows, !rows.failed else { return nil }
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

    /// A mean over H as rows: the first row plus 0, each further row added to the running sums,
    /// then the division: per element the scalar loop's `acc = 0; acc += x[t]; acc / H`, in
    /// the same order, so the same bits.
    func sumColumns(_ v: ValueID, into p: inout CPrinter) {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        let row = axisStride(x, along: .h)
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        p.use(.rowMap)
        nest.pre[nest.innermost] = [
            .line("const float *xl = \(address(x, n: n.index, c: c.index));"),
            .line("float *yl = \(address(v, n: n.index, c: c.index));"),
            .line("attn_row_map(yl, xl, 0, 0.0f, \(RowMapOp.addScalar.rawValue), \(s.w));"),
            .loop(variable: "t", extent: s.h - 1, body: [
                .line("attn_row_map(yl, yl, xl + \((CExpr.variable("t") + CExpr(1)) * row), 0.0f, \(RowMapOp.add.rawValue), \(s.w));")
            ]),
            .line("attn_row_map(yl, yl, 0, \(s.h).0f, \(RowMapOp.divScalar.rawValue), \(s.w));"),
        ]
        p.block("") { p in nest.print(into: &p) }
    }
}
