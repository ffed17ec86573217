// IR → C. Orders the work (sibling pools grouped), plans storage (Schedule), then prints one
// function whose loops all have literal extents, inside the fixed skeleton from Templates/.

import AttnIR
import AttnTemplates

/// The C files for one block.
public struct CSource: Hashable, Sendable {
    public let name: String
    /// `<name>.h`: sizes, offsets, the prototype.
    public let header: String
    /// `<name>.c`: the kernel (and the weights, when given).
    public let source: String
    /// One translation unit for in-memory compilation: the header and the kernel, no weights.
    public let jitSource: String
    /// Floats of scratch the kernel needs (also `<NAME>_SCRATCH_SIZE`).
    public let scratchSize: Int

    /// `(file name, contents)` pairs to write.
    public var files: [(name: String, contents: String)] { [("\(name).h", header), ("\(name).c", source)] }
}

/// Emits C for a program. Pure: the same program and weights give the same bytes.
public struct CEmitter {
    let program: Program
    let schedule: Schedule
    let names: CNames

    init(_ program: Program) {
        self.program = groupReductions(program)
        self.schedule = Schedule(self.program)
        self.names = CNames(program: self.program)
    }

    /// Emits the header and source. `specText` is echoed in a comment; `weights`, when given,
    /// is baked in as `const float <name>_params[]`.
    public static func emit(_ program: Program, specText: String, weights: [Float]? = nil) -> CSource {
        CEmitter(program).files(specText: specText, weights: weights)
    }

    /// The storage plan's scratch size, without emitting.
    public static func scratchSize(_ program: Program) -> Int { CEmitter(program).schedule.scratchSize }

    /// The C identifier array a stored value is read and written through.
    func pointer(_ v: ValueID) -> String {
        switch schedule.layouts[v]!.buffer {
        case .input: return "input"
        case .output: return "output"
        case .scratch: return names.value(v)
        }
    }

    func files(specText: String, weights: [Float]?) -> CSource {
        precondition(weights == nil || weights!.count == program.paramCount, "weights do not match the program")
        let name = program.name
        let header = Skeleton.header(
            program, names: names, scratchSize: schedule.scratchSize, specText: specText, hasWeights: weights != nil)
        let body = functionBody()
        let table = weights.map { weightTable($0) } ?? ""
        // Only the helpers the body calls: an unused static function is a -Wunused warning.
        let helpers = rowHelpers.filter { body.contains("attn_\($0)(") }.map { Templates.text("\($0).c") }
        let source = Skeleton.source(
            name: name, include: "#include \"\(name).h\"\n", helpers: helpers, function: body, weights: table, forJIT: false)
        let jit = header + Skeleton.source(name: name, include: "", helpers: helpers, function: body, weights: "", forJIT: true)
        return CSource(name: name, header: header, source: source, jitSource: jit, scratchSize: schedule.scratchSize)
    }

    /// The `<name>_forward` definition.
    func functionBody() -> String {
        var p = CPrinter()
        p.line("void \(program.name)_forward(const float *input, float *output, const float *params, float *scratch)")
        p.block("", closing: nil) { p in
            if program.params.isEmpty { p.line("(void)params;") }
            for (id, decl) in program.params.enumerated() {
                p.line("const float *\(names.param(id)) = params + \(names.offsetMacro(id)); /* \(decl.dims) */")
            }
            if schedule.scratchSize == 0 { p.line("(void)scratch;") }
            for v in 1...program.instrs.count {
                guard let layout = schedule.layouts[v], layout.buffer == .scratch else { continue }
                p.line("float *\(names.value(v)) = scratch + \(layout.base); /* \(program.instrs[v - 1].shape) */")
            }
            var v = 1
            while v <= program.instrs.count {
                let instr = program.instrs[v - 1]
                if schedule.isInline(v) || schedule.aliasedConcats.contains(v) {
                    v += 1
                    continue
                }
                var group = [v]
                if let family = instr.op.reductionFamily {
                    while group.last! < program.instrs.count,
                        program.instrs[group.last!].op.reductionFamily == family,
                        program.instrs[group.last!].operands == instr.operands
                    {
                        group.append(group.last! + 1)
                    }
                }
                p.blank()
                for g in group { p.line("/* \(describe(g)) */") }
                emit(group, into: &p)
                v = group.last! + 1
            }
        }
        return p.text
    }

    private func describe(_ v: ValueID) -> String {
        let instr = program.instrs[v - 1]
        let args = instr.operands.map { names.value($0) }.joined(separator: ", ")
        return "\(names.value(v)) \(instr.shape) = \(instr.op)(\(args))"
    }

    private func emit(_ group: [ValueID], into p: inout CPrinter) {
        let instr = program.instrs[group[0] - 1]
        switch instr.op {
        case .globalPool: emitGlobalPools(group, into: &p)
        case .channelPool: emitChannelPools(group, into: &p)
        case .linear(let w, let b, _): emitLinear(group[0], weight: w, bias: b, into: &p)
        case .channelConv1d(let w, let k): emitChannelConv1d(group[0], weight: w, kernel: k, into: &p)
        case .conv2d(let a): emitConv2d(group[0], a, into: &p)
        case .affine, .unary, .binary: emitMap(group[0], into: &p)
        case .concat: emitConcatCopy(group[0], into: &p)
        }
    }

    /// `const float <name>_params[...] = {...};`, one commented run per tensor.
    private func weightTable(_ weights: [Float]) -> String {
        var p = CPrinter()
        let prefix = names.macroPrefix
        p.block("const float \(program.name)_params[\(prefix)_PARAMS_SIZE] =", closing: nil) { p in
            var offset = 0
            for (id, decl) in program.params.enumerated() {
                p.line("/* \(decl.name) \(decl.dims) at \(names.offsetMacro(id)) */")
                let values = weights[offset..<offset + decl.count].map(cFloat)
                for start in stride(from: 0, to: values.count, by: 8) {
                    p.line(values[start..<min(start + 8, values.count)].joined(separator: ", ") + ",")
                }
                offset += decl.count
            }
        }
        return String(p.text.dropLast()) + ";\n"
    }
}
