// Reading values inside a loop nest: stored values become loads (hoisted when loop-invariant,
// through a row pointer when not), inline values become named temporaries computed at the
// shallowest depth their operands allow.

import AttnIR
import AttnPlan

/// Index expressions of the loop nest a value is read in.
struct Axes {
    var n: LoopIndex = (.zero, 0)
    var c: LoopIndex = (.zero, 0)
    var hw: LoopIndex = (.zero, 0)
    /// Row and column, when the nest loops over them separately (set when an operand is
    /// broadcast along H or W only); `hw` is unused then.
    var split: (h: LoopIndex, w: LoopIndex)?
}

/// Evaluates program values element by element inside one nest.
struct NestValues {
    let program: Program
    let plan: Plan
    let names: CNames
    var nest: Nest
    var axes: Axes
    private var cache: [ValueID: String] = [:]
    private var pointers: [String: String] = [:]
    /// Stored values read by name (their pointers must be declared).
    private(set) var storedReads: Set<ValueID> = []
    /// Set when the innermost loop runs in chunks through `attn_row_map` (tcc's form of a map).
    var rows: RowChunks?
    /// The value a chunked map stores, and the address of its destination chunk.
    var rowsRoot: (value: ValueID, pointer: String)?

    init(_ program: Program, _ plan: Plan, _ names: CNames, nest: Nest, axes: Axes) {
        self.program = program
        self.plan = plan
        self.names = names
        self.nest = nest
        self.axes = axes
    }

    /// Appends a statement at `depth`.
    mutating func emit(_ line: String, at depth: Int) { nest.pre[depth].append(.line(line)) }

    /// The offset of element (n, c, hw) of a value with this shape and layout.
    func offset(_ shape: Shape, _ layout: Layout) -> Offset {
        var o = Offset()
        if shape.n > 1 { o.add(axes.n, layout.nStride) }
        if shape.c > 1 { o.add(axes.c, layout.cStride) }
        if let split = axes.split {
            if shape.h > 1 { o.add(split.h, shape.w * layout.hwStride) }
            if shape.w > 1 { o.add(split.w, layout.hwStride) }
        } else if shape.plane > 1 {
            o.add(axes.hw, layout.hwStride)
        }
        return o
    }

    /// An element access `ptr[offset]`, through a row pointer declared at the depth of the outer
    /// part of the offset when the access sits in the innermost loop.
    mutating func access(_ base: String, _ o: Offset, writable: Bool) -> (expr: String, depth: Int) {
        let depth = o.depth
        let (outer, inner) = o.split(at: depth)
        let outerDepth = o.terms.filter { $0.depth < depth }.map(\.depth).max() ?? 0
        guard depth > 0, !outer.isZero else { return ("\(base)[\(o.expr)]", depth) }
        let key = "\(base)@\(outer)"
        let row: String
        if let existing = pointers[key] {
            row = existing
        } else {
            row = "\(base)_\(writable ? "w" : "r")\(pointers.count)"
            pointers[key] = row
            emit("\(writable ? "" : "const ")float *\(row) = \(plus(base, outer));", at: outerDepth)
        }
        return ("\(row)[\(inner)]", depth)
    }

    /// The C expression for `v` at the current element, and the depth it is available at.
    mutating func value(_ v: ValueID) -> (expr: String, depth: Int) {
        if let hit = cache[v] { return (hit, depthOf[v]!) }
        if plan.layouts[v] == nil { evaluateOperands(of: v) }
        return evaluate(v)
    }

    /// Evaluates the operands `v` reads, inline ones with their own operands first, in the order
    /// a depth-first recursion would (so the C is the same), but with an explicit stack: a
    /// chain of thousands of fused elementwise ops must not recurse once per op.
    private mutating func evaluateOperands(of root: ValueID) {
        var stack: [(value: ValueID, next: Int)] = [(root, 0)]
        while let (u, next) = stack.last {
            let operands = program.instrs[u - 1].operands
            guard next < operands.count else {
                stack.removeLast()
                if u != root { _ = evaluate(u) }
                continue
            }
            stack[stack.count - 1].next += 1
            let o = operands[next]
            if cache[o] != nil { continue }
            if plan.layouts[o] != nil {
                _ = evaluate(o)
            } else {
                stack.append((o, 0))
            }
        }
    }

    /// `value(v)` once every inline operand of `v` is in the cache.
    private mutating func evaluate(_ v: ValueID) -> (expr: String, depth: Int) {
        if let hit = cache[v] { return (hit, depthOf[v]!) }
        let result: (String, Int)
        if let layout = plan.layouts[v] {
            storedReads.insert(v)
            let o = offset(program.shape(of: v), layout)
            let load = access(names.value(v), o, writable: false)
            if let plane = rows?.plane, load.depth == plane.depth {
                // A scalar per folded row (a gate along H): its address, stepped per row.
                let address = "&\(load.expr)"
                rows!.plane!.note(address, o)
                rows!.plane!.scalars.insert(address)
                result = (address, load.depth)
            } else if load.depth < nest.innermost {
                // Loop-invariant here: load once, at the depth it changes.
                let name = "\(names.value(v))_v"
                emit("const float \(name) = \(load.expr);", at: load.depth)
                result = (name, load.depth)
            } else if rows != nil {
                // A chunk of the row: its address.
                if !unitStride(o) { rows!.failed = true }
                let address = "&\(load.expr)"
                if rows!.plane != nil { rows!.plane!.note(address, o) }
                result = (address, load.depth)
            } else {
                result = load
            }
        } else {
            let instr = program.instrs[v - 1]
            let (expr, depth) = compute(instr, v)
            let name = names.value(v)
            // A value per folded row computed as a scalar has no place in the calls.
            if let plane = rows?.plane, depth == plane.depth { rows!.failed = true }
            if rows == nil || depth < nest.innermost { emit("const float \(name) = \(expr);", at: depth) }
            result = (name, depth)
        }
        cache[v] = result.0
        depthOf[v] = result.1
        return result
    }

    private var depthOf: [ValueID: Int] = [:]

    /// The C expression of an elementwise instruction from its operands.
    mutating func compute(_ instr: Instr, _ v: ValueID) -> (expr: String, depth: Int) {
        let args = instr.operands.map { value($0) }
        let depth = args.map(\.depth).max() ?? 0
        if rows != nil, depth == nest.innermost { return (computeRows(instr, v, args), depth) }
        switch instr.op {
        case .unary(let u):
            let a = args[0].expr
            switch u {
            case .relu: return ("\(a) < 0.0f ? 0.0f : \(a)", depth)
            case .sigmoid: return ("1.0f / (1.0f + \(names.expf)(-\(a)))", depth)
            case .hardSigmoid:
                // relu6(a + 3) / 6, as PyTorch; a NaN stays NaN, as in the interpreter.
                let t = "\(names.value(v))_t"
                emit("const float \(t) = \(a) + 3.0f;", at: depth)
                return ("(\(t) < 0.0f ? 0.0f : (\(t) > 6.0f ? 6.0f : \(t))) / 6.0f", depth)
            case .relu6: return ("\(a) < 0.0f ? 0.0f : (\(a) > 6.0f ? 6.0f : \(a))", depth)
            case .silu: return ("\(a) / (1.0f + \(names.expf)(-\(a)))", depth)
            case .hardSwish:
                // x · relu6(x + 3) / 6 in PyTorch's order; a NaN stays NaN.
                let t = "\(names.value(v))_t"
                emit("const float \(t) = \(a) + 3.0f;", at: depth)
                return ("\(a) * (\(t) < 0.0f ? 0.0f : (\(t) > 6.0f ? 6.0f : \(t))) / 6.0f", depth)
            case .gelu: return ("0.5f * \(a) * (1.0f + \(names.erff)(\(a) * 0.707106781f))", depth)
            case .geluTanh:
                return ("0.5f * \(a) * (1.0f + \(names.tanhf)(0.797884561f * (\(a) + 0.044715f * \(a) * \(a) * \(a))))", depth)
            case .tanh: return ("\(names.tanhf)(\(a))", depth)
            case .sqrt:
                if names.sqrtf == "sqrtf" { return ("sqrtf(\(a))", depth) }
                // attn_sqrtf returns its argument below 0; torch.sqrt gives NaN there.
                let t = "\(names.value(v))_t"
                emit("const float \(t) = \(a);", at: depth)
                return ("\(t) < 0.0f ? 0.0f / 0.0f : attn_sqrtf(\(t))", depth)
            case .leakyRelu(let slope): return ("\(a) < 0.0f ? \(cFloat(slope)) * \(a) : \(a)", depth)
            case .mulScalar(let k): return ("\(a) * \(cFloat(k))", depth)
            case .addScalar(let k): return (k < 0 ? "\(a) - \(cFloat(-k))" : "\(a) + \(cFloat(k))", depth)
            }
        case .binary(let b):
            switch b {
            case .add: return ("\(args[0].expr) + \(args[1].expr)", depth)
            case .sub: return ("\(args[0].expr) - \(args[1].expr)", depth)
            case .mul: return ("\(args[0].expr) * \(args[1].expr)", depth)
            }
        case .affine(let scale, let shift):
            let s = paramAtChannel(scale)
            let t = paramAtChannel(shift)
            return ("\(s.expr) * \(args[0].expr) + \(t.expr)", max(depth, s.depth, t.depth))
        case .globalPool, .channelPool, .linear, .channelConv1d, .conv2d, .concat, .axisPool, .pool2d, .weightedPool,
            .matmul, .blockMatmul, .relPosWeights, .attention, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .variance, .groupNorm, .axisConv1d, .constant, .slice, .reshape,
            .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(instr.op) is never computed inline")
        }
    }

    /// A per-channel parameter at the current channel, hoisted to the channel loop.
    mutating func paramAtChannel(_ id: ParamID) -> (expr: String, depth: Int) {
        let key = "param\(id)"
        if let hit = pointers[key] { return (hit, axes.c.depth) }
        if let plane = rows?.plane, axes.c.depth == plane.depth {
            // The rows are channels: each row's parameter, by address.
            let address = "&\(names.param(id))[\(axes.c.index)]"
            var o = Offset()
            o.add(axes.c, 1)
            rows!.plane!.note(address, o)
            rows!.plane!.scalars.insert(address)
            pointers[key] = address
            return (address, axes.c.depth)
        }
        let name = "\(names.param(id))_c"
        emit("const float \(name) = \(names.param(id))[\(axes.c.index)];", at: axes.c.depth)
        pointers[key] = name
        return (name, axes.c.depth)
    }
}
