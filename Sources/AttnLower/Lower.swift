// BlockSpec → Program: resolve the spec to primitive layers, then turn each layer into IR
// instructions, tracking named values. User mistakes in a custom graph become SpecErrors at
// `graph[i]`; anything else wrong is an IRError, i.e. a bug here.

import AttnIR
import AttnPlan
import AttnSpec
import Foundation

package enum Lowering {
    /// Lowers a spec; the result is verified.
    package static func lower(_ spec: BlockSpec) throws(SpecError) -> Lowered {
        let layers = try spec.resolve()
        let isGraph: Bool
        if case .graph = spec.body { isGraph = true } else { isGraph = false }
        // The program's input can be wider than `input` (fusion packs its M inputs along C).
        let x = spec.programInput
        var state = LoweringState(builder: ProgramBuilder(name: spec.name, input: Shape(n: x.n, c: x.c, h: x.h, w: x.w)))
        state.derived = try spec.derivedTensors()
        for (i, layer) in layers.enumerated() {
            do throws(SpecError) {
                try state.lower(layer)
                state.layerOf.append(i)  // each layer adds one instruction
            } catch {
                guard isGraph else { throw catalogBug(spec, layer: i, layers[i], error) }
                throw error.within("graph[\(i)]")
            }
        }
        let program: Program
        do {
            program = try state.builder.finish(output: state.previous)
        } catch {
            // The verifier's only user-visible failure on a graph that lowered is dead code.
            throw SpecError(isGraph ? "graph" : "kind", "\(error.message)")
        }
        try spec.checkOutput(program.outputShape.dims)
        // Sizes the C needs beyond the values themselves (padded copies, scratch, tables).
        let layout = spec.layout ?? .nchw
        let plan: Plan
        switch Plan.budgeted(program, layout: layout) {
        case .success(let fused): plan = fused
        case .failure(let over):
            if over.value > 0, isGraph {
                throw SpecError("graph[\(state.layerOf[over.value])]", over.message)
            }
            // A catalog block's fields were checked; what is left grows with its input.
            throw SpecError(isGraph ? "graph" : "input", "\(spec.kind.map { "the \($0) block on this input: " } ?? "")\(over.message)")
        }
        return Lowered(program: program, sources: state.sources, plan: plan, layout: layout)
    }

    /// A catalog kind's options check every rule on their fields before lowering, naming the
    /// user's field; a layer refused after that is a bug in those checks. It is still reported
    /// as an ordinary error (one line, exit 1), saying so, with the internal layer's complaint.
    private static func catalogBug(_ spec: BlockSpec, layer i: Int, _ layer: Layer, _ error: SpecError) -> SpecError {
        SpecError(
            "kind",
            "the \(spec.kind ?? "") block's internal layer \(i) (\(layer.op.jsonName)) was refused after its fields passed "
                + "their checks, a bug in attn-gen (please report it): \(error)")
    }
}

/// The running state of lowering one block.
struct LoweringState {
    var builder: ProgramBuilder
    var sources: [ParamSource] = []
    /// A catalog block's parameters that are not checkpoint tensors of their own name.
    var derived: [String: DerivedTensor] = [:]
    var names: [String: ValueID] = ["x": 0]
    var previous: ValueID = 0
    /// The tensor name each declared parameter's C name came from, keyed case-folded.
    var cNames: [String: String] = [:]
    /// The layer each value came from (index = value id; 0, the input, maps to layer 0).
    var layerOf: [Int] = [0]

    mutating func lower(_ layer: Layer) throws(SpecError) {
        let operands = try resolveOperands(layer)
        let role = layer.name ?? roleName(layer.op)
        let shapes = operands.map { builder.shape(of: $0) }
        let op: Op
        switch layer.op {
        case .globalPool(let m):
            op = .globalPool(PoolMode(m))
        case .channelPool(let m):
            op = .channelPool(PoolMode(m))
        case .linear(let out, let bias, let param):
            guard shapes[0].h == 1, shapes[0].w == 1 else {
                throw SpecError("op", "linear reads a pooled vector [N,C,1,1], got \(shapes[0])")
            }
            try positive(out, "out_features")
            try fits([out, shapes[0].c], "out_features", "\(param).weight")
            let w = try declare(param, "weight", [out, shapes[0].c], .weight)
            let b = bias ? try declare(param, "bias", [out], .bias) : nil
            op = .linear(weight: w, bias: b, outFeatures: out)
        case .channelConv1d(let k, let param, let padding):
            guard shapes[0].h == 1, shapes[0].w == 1 else {
                throw SpecError("op", "channel_conv1d reads a pooled vector [N,C,1,1], got \(shapes[0])")
            }
            try Rules.oddKernelSize(k, "kernel_size")
            if padding == .circular { try Rules.circularPadding(kernel: k, channels: shapes[0].c, "kernel_size") }
            op = .channelConv1d(weight: try declare(param, "weight", [k], .weight), kernel: k, padding: ChannelPadding(padding))
        case .axisConv1d(let k, let axis, let bias, let param):
            try Rules.oddKernelSize(k, "kernel_size")
            let c = shapes[0].c
            try fits([c, k], "kernel_size", "\(param).weight")
            let w = try declare(param, "weight", axis == .h ? [c, 1, k, 1] : [c, 1, 1, k], .weight)
            let b = bias ? try declare(param, "bias", [c], .bias) : nil
            op = .axisConv1d(weight: w, bias: b, kernel: k, axis: Axis(axis))
        case .conv2d(let c):
            try positive(c.outChannels, "out_channels")
            try positive(c.kernelSize, "kernel_size")
            try positive(c.dilation, "dilation")
            try positive(c.stride, "stride")
            try positive(c.groups, "groups")
            guard c.kernelSize <= maxKernelSize else {
                throw SpecError("kernel_size", "must be at most \(maxKernelSize), got \(c.kernelSize)")
            }
            guard c.padding >= 0, c.padding <= maxElements else {
                throw SpecError("padding", "must be in 0...\(maxElements), got \(c.padding)")
            }
            try Rules.paddedPlane(channels: shapes[0].c, h: shapes[0].h, w: shapes[0].w, padding: c.padding, "padding", "\(c.padding)")
            try fits([c.outChannels, shapes[0].c / c.groups, c.kernelSize, c.kernelSize], "out_channels", "\(c.param).weight")
            guard shapes[0].c % c.groups == 0, c.outChannels % c.groups == 0 else {
                throw SpecError("groups", "must divide the input channels (\(shapes[0].c)) and out_channels (\(c.outChannels)), got \(c.groups)")
            }
            let w = try declare(c.param, "weight", [c.outChannels, shapes[0].c / c.groups, c.kernelSize, c.kernelSize], .weight)
            let b = c.bias ? try declare(c.param, "bias", [c.outChannels], .bias) : nil
            op = .conv2d(
                Conv2dAttrs(
                    weight: w, bias: b, outChannels: c.outChannels, kernel: c.kernelSize, padding: c.padding,
                    dilation: c.dilation, stride: c.stride, groups: c.groups))
        case .batchNorm(let param, let eps):
            // Folded in Double at import (scale = γ/√(var + eps)); the result is checked there.
            guard eps > 0, eps.isFinite else { throw SpecError("eps", "must be a positive number, got \(eps)") }
            let c = shapes[0].c
            let s = try declare(param, "scale", [c], .scale, source: .batchNormScale(prefix: param, eps: eps))
            let t = try declare(param, "shift", [c], .shift, source: .batchNormShift(prefix: param, eps: eps))
            op = .affine(scale: s, shift: t)
        case .relu: op = .unary(.relu)
        case .sigmoid: op = .unary(.sigmoid)
        case .hardSigmoid: op = .unary(.hardSigmoid)
        case .relu6: op = .unary(.relu6)
        case .silu: op = .unary(.silu)
        case .hardSwish: op = .unary(.hardSwish)
        case .gelu(let approximateTanh): op = .unary(approximateTanh ? .geluTanh : .gelu)
        case .tanh: op = .unary(.tanh)
        case .sqrt: op = .unary(.sqrt)
        case .leakyRelu(let slope):
            try float32(slope, "negative_slope")
            op = .unary(.leakyRelu(slope: Float(slope)))
        case .mulScalar(let v):
            try float32(v, "value")
            op = .unary(.mulScalar(Float(v)))
        case .addScalar(let v):
            try float32(v, "value")
            op = .unary(.addScalar(Float(v)))
        case .add: op = .binary(.add)
        case .sub: op = .binary(.sub)
        case .mul: op = .binary(.mul)
        case .concat: op = .concat
        case .axisPool(let m, let axis): op = .axisPool(PoolMode(m), Axis(axis))
        case .pool2d(let m, let k, let stride, let pad, let includePad):
            try positive(k, "kernel_size")
            try positive(stride, "stride")
            guard pad >= 0, pad <= k / 2 else {
                throw SpecError("padding", "must be between 0 and kernel_size / 2 = \(k / 2) (PyTorch's rule), got \(pad)")
            }
            guard k - 2 * pad <= shapes[0].h, k - 2 * pad <= shapes[0].w else {
                let padded = pad == 0 ? "" : " padded by \(pad)"
                throw SpecError("kernel_size", "\(k) is larger than the \(shapes[0].h)×\(shapes[0].w) input\(padded)")
            }
            // One IR op per computation: the flag means nothing without padding or for a max.
            op = .pool2d(PoolMode(m), kernel: k, stride: stride, padding: pad, countIncludePad: includePad || pad == 0 || m == .max)
        case .weightedPool(let param):
            let x = shapes[0]
            op = .weightedPool(weight: try declare(param, "weight", [x.c, x.h, x.w], .weight))
        case .upsampleNearest(let h, let w):
            try positive(h, "size[0]")
            try positive(w, "size[1]")
            try fits(shapes[0].dims.prefix(2) + [h, w], "size", "the result")
            op = .upsampleNearest(h: h, w: w)
        case .blockUnfold(let window, let step, let padding):
            try positive(window, "window")
            try positive(step, "step")
            guard padding >= 0, padding < window else { throw SpecError("padding", "must be in 0..<\(window) (the window), got \(padding)") }
            let x = shapes[0]
            guard x.h + 2 * padding >= window, x.w + 2 * padding >= window else {
                throw SpecError("window", "\(window) is larger than the \(x.h)×\(x.w) input padded by \(padding)")
            }
            let blocks = ((x.h + 2 * padding - window) / step + 1) * ((x.w + 2 * padding - window) / step + 1)
            try fits([x.n, x.c, blocks, window, window], "window", "the result")
            op = .blockUnfold(window: window, step: step, padding: padding)
        case .softmax(let axis): op = .softmax(Axis(axis))
        case .l1Normalize(let axis, let eps):
            try float32(eps, "eps", positive: false)
            op = .l1Normalize(Axis(axis), eps: Float(eps))
        case .layerNorm(let param, let eps):
            try positiveEps(eps)
            let c = shapes[0].c
            let scale = try param.map { (p: String) throws(SpecError) in try declare(p, "weight", [c], .weight) }
            let shift = try param.map { (p: String) throws(SpecError) in try declare(p, "bias", [c], .bias) }
            op = .layerNorm(scale: scale, shift: shift, eps: Float(eps))
        case .groupNorm(let groups, let param, let eps):
            try positiveEps(eps)
            let c = shapes[0].c
            guard groups >= 1, c % groups == 0 else {
                throw SpecError("num_groups", "must divide the \(c) channels of \(shapes[0]), got \(groups)")
            }
            let scale = try param.map { (p: String) throws(SpecError) in try declare(p, "weight", [c], .weight) }
            let shift = try param.map { (p: String) throws(SpecError) in try declare(p, "bias", [c], .bias) }
            op = .groupNorm(groups: groups, scale: scale, shift: shift, eps: Float(eps))
        case .variance(let unbiased):
            op = .variance(unbiased: unbiased)
        case .instanceNorm(let eps):
            try positiveEps(eps)
            op = .instanceNorm(eps: Float(eps))
        case .matmul(let ta, let tb, let alpha):
            try float32(alpha, "alpha")
            op = .matmul(transposeA: ta, transposeB: tb, alpha: Float(alpha))
        case .attention(let scale, nil):
            try float32(scale, "scale")
            op = .attention(scale: Float(scale))
        case .attention(let scale, let r?):
            try float32(scale, "scale")
            try positive(r.queryWidth, "query_width")
            try positive(r.keyHeight, "key_height")
            try positive(r.keyWidth, "key_width")
            let (q, k) = (shapes[0], shapes[1])
            guard q.w % r.queryWidth == 0, r.queryWidth <= r.keyWidth, q.w / r.queryWidth <= r.keyHeight else {
                throw SpecError("query_width", "must divide the \(q.w) queries into a grid no larger than the \(r.keyHeight)×\(r.keyWidth) keys, got \(r.queryWidth)")
            }
            guard r.keyHeight <= maxElements / r.keyWidth, r.keyHeight * r.keyWidth == k.w else {
                throw SpecError("key_height", "\(r.keyHeight)×\(r.keyWidth) keys do not make the \(k.w) keys of \(k)")
            }
            let h = try declare(r.param, "height_rel", [2 * r.keyHeight - 1, q.h], .weight)
            let w = try declare(r.param, "width_rel", [2 * r.keyWidth - 1, q.h], .weight)
            op = .attention(
                scale: Float(scale),
                relPos: RelPosLogits(
                    heightRel: h, widthRel: w, queryWidth: r.queryWidth, keyHeight: r.keyHeight, keyWidth: r.keyWidth,
                    scale: r.scaled ? Float(scale) : 1))
        case .relPosWeights(let k, let param):
            try positive(k, "dim_head")
            let x = shapes[0]
            guard x.c % k == 0 else { throw SpecError("dim_head", "must divide the \(x.c) channels of \(x), got \(k)") }
            let r = max(x.h, x.w) - 1
            guard 2 * r + 1 <= maxKernelSize else {
                throw SpecError("param", "\(x.h)×\(x.w) needs a \(2 * r + 1)-wide table, past the \(maxKernelSize) a kernel may have")
            }
            try fits([x.n, x.c / k, x.h * x.w, x.h * x.w], "dim_head", "the result")
            op = .relPosWeights(table: try declare(param, "weight", [k, 1, 2 * r + 1, 2 * r + 1], .weight))
        case .blockMatmul(let side):
            // The IR's shape rule names what does not fit; lowering adds the operands' shapes.
            op = .blockMatmul(side == .left ? .left : .right)
        case .parameter(let param, let dims):
            let shape = try fourDims(dims, "shape")
            guard elementCount(dims) != nil else { throw SpecError("shape", "\(dims) has more than \(maxElements) elements") }
            op = .constant(try declareExact(param, dims), shape)
        case .slice(let start, let count):
            // Compared without adding: start + count may not fit an Int.
            guard start >= 0, start < shapes[0].c else {
                throw SpecError("start", "must be in 0..<\(shapes[0].c) (the channels of \(shapes[0])), got \(start)")
            }
            guard count >= 1, count <= shapes[0].c - start else {
                throw SpecError("count", "must be in 1...\(shapes[0].c - start): channels [\(start), \(start) + \(count)) are not inside the \(shapes[0].c) channels of \(shapes[0])")
            }
            op = .slice(start: start, count: count)
        case .reshape(let dims):
            let shape = try fourDims(dims, "shape")
            guard elementCount(dims) == shapes[0].count else {
                throw SpecError("shape", "\(dims) does not hold the \(shapes[0].count) elements of \(shapes[0])")
            }
            op = .reshape(shape)
        case .transpose(let perm):
            guard perm.sorted() == [0, 1, 2, 3] else {
                throw SpecError("perm", "must order the axes 0, 1, 2, 3 (N, C, H, W), got \(perm)")
            }
            op = .transpose(perm)
        }
        // A parameter reads nothing, so it does not become the previous result (`_` keeps
        // meaning the last computed value); it is read by its name.
        var isParameter = false
        if case .parameter = layer.op {
            isParameter = true
            guard layer.name != nil else {
                throw SpecError("as", "a parameter layer must be named with \"as\" to be read: it does not become the previous result")
            }
        }
        let value: ValueID
        do {
            value = try builder.add(op, operands, role: role)
        } catch {
            throw SpecError("inputs", "\(layer.op.jsonName) cannot take \(shapes.map(\.description).joined(separator: " and ")): \(error.message)")
        }
        if !isParameter { previous = value }
        if let name = layer.name { names[name] = value }
        let s = builder.shape(of: value)
        guard elementCount(s.dims) != nil else {
            throw SpecError("op", "\(layer.op.jsonName) gives \(s): more than \(maxElements) elements exceed 32-bit indexing")
        }
    }

    /// Named inputs, with the previous result prepended when fewer than the op's arity are given.
    private func resolveOperands(_ layer: Layer) throws(SpecError) -> [ValueID] {
        var ids: [ValueID] = []
        for (i, name) in layer.inputs.enumerated() {
            if name == "_" {
                ids.append(previous)
            } else if let v = names[name] {
                ids.append(v)
            } else {
                let known = names.keys.sorted().joined(separator: ", ")
                throw SpecError("inputs[\(i)]", "no value named \"\(name)\" before this layer (known: \(known), _ for the previous result)")
            }
        }
        if let arity = layer.op.arity {
            guard ids.count <= arity else {
                throw SpecError("inputs", "\(layer.op.jsonName) takes \(arity) operand(s), \(ids.count) given")
            }
            if ids.count < arity { ids.insert(previous, at: 0) }
            guard ids.count == arity else {
                throw SpecError("inputs", "\(layer.op.jsonName) takes \(arity) operands; name at least \(arity - 1)")
            }
        } else if ids.count < 2 {
            throw SpecError("inputs", "concat needs at least two named inputs")
        }
        if let name = layer.name {
            guard isCIdentifier(name), name != "x", name != "_" else {
                throw SpecError("as", "\"\(name)\" must be a C identifier other than x and _ (the block input and the previous result)")
            }
            guard names[name] == nil else { throw SpecError("as", "\"\(name)\" is already defined") }
        }
        return ids
    }

    /// The one rule for a float field that the C spells as a float32 literal: finite in float32
    /// (1e39 is finite as a Double but +inf as a float), and > 0 (or ≥ 0) when asked.
    private func float32(_ v: Double, _ field: String, positive: Bool? = nil) throws(SpecError) {
        let f = Float(v)
        guard v.isFinite, f.isFinite else { throw SpecError(field, "must be a finite float32 number (|x| ≤ 3.4e38), got \(v)") }
        switch positive {
        case true?: guard f > 0 else { throw SpecError(field, "must be a positive float32 number (≥ 1.4e-45), got \(v)") }
        case false?: guard f >= 0 else { throw SpecError(field, "must be a finite number ≥ 0, got \(v)") }
        case nil: break
        }
    }

    private func positiveEps(_ eps: Double) throws(SpecError) { try float32(eps, "eps", positive: true) }

    /// `dims` within 32-bit indexing, else `field` is refused naming `what` and its shape.
    private func fits(_ dims: [Int], _ field: String, _ what: String) throws(SpecError) {
        guard elementCount(dims) != nil else {
            throw SpecError(field, "makes \(what) \(dims), more than \(maxElements) elements (32-bit indexing)")
        }
    }

    /// `[n, c, h, w]`, each in 1...maxElements: the only shapes a value can have.
    private func fourDims(_ dims: [Int], _ key: String) throws(SpecError) -> Shape {
        guard dims.count == 4 else { throw SpecError(key, "must be [n, c, h, w], got \(dims.count) numbers") }
        for (i, d) in dims.enumerated() where d < 1 || d > maxElements {
            throw SpecError("\(key)[\(i)]", "must be in 1...\(maxElements), got \(d)")
        }
        return Shape(n: dims[0], c: dims[1], h: dims[2], w: dims[3])
    }

    private func positive(_ v: Int, _ field: String) throws(SpecError) {
        guard v >= 1 else { throw SpecError(field, "must be at least 1, got \(v)") }
        guard v <= maxElements else { throw SpecError(field, "must be at most \(maxElements) (32-bit indexing), got \(v)") }
    }

    /// Product of `dims`, or nil past `maxElements` (overflow included).
    private func elementCount(_ dims: [Int]) -> Int? {
        var count = 1
        for d in dims {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxElements else { return nil }
            count = p
        }
        return count
    }

    /// Declares `param.suffix`; the same param used twice shares the tensor (and must agree in shape).
    private mutating func declare(
        _ param: String, _ suffix: String, _ dims: [Int], _ role: ParamRole, source: ParamSource? = nil
    ) throws(SpecError) -> ParamID {
        guard isParamName(param) else {
            throw SpecError("param", "\"\(param)\" must be dotted C identifiers, like channel.fc1")
        }
        let name = param + "." + suffix
        guard elementCount(dims) != nil else {
            throw SpecError("param", "\"\(name)\" of shape \(dims) has more than \(maxElements) elements (32-bit indexing)")
        }
        try checkTensorName(name)
        let before = builder.params.count
        do {
            let id = try builder.param(name, dims, role)
            if id == before { sources.append(source ?? derived[name].map { .derived($0) } ?? .tensor(name)) }
            return id
        } catch {
            throw SpecError("param", "\"\(param)\" is shared with a layer of another shape: \(error.message)")
        }
    }

    /// A tensor's name becomes the macro `NAME_<TENSOR>_OFFSET`, dots made `_` and upper-cased:
    /// two tensors may not meet there (`a.b` and `a_b`, `fc1` and `FC1`), and the name may not be
    /// a reserved identifier. The same name twice is one shared tensor.
    /// A tensor's C name must not be reserved, and no two tensors may meet once case is folded
    /// and `.` becomes `_` (one dictionary lookup, so a long graph stays linear).
    private mutating func checkTensorName(_ name: String) throws(SpecError) {
        let cName = ParamDecl.cName(name)
        if let problem = reservedCNameProblem(cName) {
            throw SpecError("param", "\"\(name)\" gives the C name \(cName), which \(problem)")
        }
        let folded = cName.lowercased()
        if let clash = cNames[folded], clash != name {
            let macro = BlockGlobals.offsetMacro(block: builder.name, tensor: name)
            throw SpecError(
                "param",
                "\"\(name)\" and \"\(clash)\" would both define \(macro) (tensor names may not differ only in case or in . and _)")
        }
        cNames[folded] = name
    }

    /// Declares a tensor under exactly `name` (a `parameter` layer: DANet's `gamma`).
    private mutating func declareExact(_ name: String, _ dims: [Int]) throws(SpecError) -> ParamID {
        guard let dot = name.lastIndex(of: ".") else {
            guard isCIdentifier(name) else { throw SpecError("param", "\"\(name)\" must be dotted C identifiers, like gamma") }
            return try declareNamed(name, dims)
        }
        guard isParamName(String(name[..<dot])), isCIdentifier(String(name[name.index(after: dot)...])) else {
            throw SpecError("param", "\"\(name)\" must be dotted C identifiers, like attn.gamma")
        }
        return try declareNamed(name, dims)
    }

    private mutating func declareNamed(_ name: String, _ dims: [Int]) throws(SpecError) -> ParamID {
        try checkTensorName(name)
        let before = builder.params.count
        do {
            let id = try builder.param(name, dims, .weight)
            if id == before { sources.append(.tensor(name)) }
            return id
        } catch {
            throw SpecError("param", "\"\(name)\" is shared with a layer of another shape: \(error.message)")
        }
    }

    private func roleName(_ op: LayerOp) -> String {
        switch op {
        case .globalPool(let m): return "pool_\(m.rawValue)"
        case .channelPool(let m): return "cpool_\(m.rawValue)"
        case .parameter(let p, _):
            return p.split(separator: ".").last { $0.first?.isNumber == false }.map(String.init) ?? "t"
        case .conv2d(let c):
            return c.param.split(separator: ".").last { $0.first?.isNumber == false }.map(String.init) ?? "t"
        case .linear(_, _, let p), .channelConv1d(_, let p, _), .weightedPool(let p), .batchNorm(let p, _):
            // The last part that can start a C name: `mlp.1` names its value `mlp_N`, not `1_N`.
            return p.split(separator: ".").last { $0.first?.isNumber == false }.map(String.init) ?? "t"
        case .layerNorm(let p?, _), .groupNorm(_, let p?, _), .axisConv1d(_, _, _, let p):
            return p.split(separator: ".").last { $0.first?.isNumber == false }.map(String.init) ?? "t"
        case .relu, .sigmoid, .hardSigmoid, .relu6, .silu, .hardSwish, .gelu, .tanh, .sqrt, .leakyRelu, .mulScalar, .addScalar,
            .add, .sub, .mul, .concat, .axisPool, .pool2d, .upsampleNearest, .softmax,
            .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .matmul, .blockMatmul, .relPosWeights, .attention, .slice, .reshape, .transpose, .blockUnfold:
            return op.jsonName
        }
    }
}

/// `a.b.c` where each part is a C identifier: safe to turn into C names by mapping `.` to `_`.
func isParamName(_ s: String) -> Bool {
    // On UTF-8 bytes, a part at a time (no array of parts): a dotted name is ASCII when it is
    // valid at all.
    let bytes = s.utf8
    guard bytes.count <= 100 else { return false }
    var start = bytes.startIndex
    var first = true
    while true {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
        let part = bytes[start..<end]
        let number = !first && !part.isEmpty && part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard number || isCIdentifier(String(Substring(part))) else { return false }
        guard end != bytes.endIndex else { return true }
        start = bytes.index(after: end)
        first = false
    }
}

extension Axis {
    init(_ a: LayerAxis) {
        switch a {
        case .c: self = .c
        case .h: self = .h
        case .w: self = .w
        case .hw: self = .hw
        }
    }
}

extension ChannelPadding {
    init(_ k: ChannelPaddingKind) {
        switch k {
        case .zeros: self = .zeros
        case .circular: self = .circular
        }
    }
}

extension PoolMode {
    init(_ k: PoolKind) {
        switch k {
        case .mean: self = .mean
        case .max: self = .max
        }
    }
}
