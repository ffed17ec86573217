// IR → C. Takes the plan of the middle end (AttnPlan: order, storage, kernels), then prints one
// function whose loops all have literal extents, inside the fixed skeleton from Templates/.

import AttnIR
import AttnPlan
import AttnTemplates

/// The C files for one block.
public struct CSource: Hashable, Sendable {
    /// The block's name, the stem of both files.
    public let name: String
    /// `<name>.h`: sizes, offsets, the prototype.
    public let header: String
    /// `<name>.c`: the kernel (and the weights, when given).
    public var source: String {
        Skeleton.source(
            name: name, include: parts.include, helpers: parts.helpers, function: parts.function + parts.selftest,
            weights: parts.weights, forJIT: false, libm: parts.libm, target: target)
    }
    /// One translation unit for in-memory compilation: the header and the kernel, no weights.
    public var jitSource: String { jitText(helpers: parts.helpers) }
    /// `jitSource` with the helpers of `TCCHelperLibrary` declared, not defined: what the JIT
    /// compiles and links to the library (the same text where the library holds none of them).
    package var jitKernel: String { jitText(helpers: parts.kernelHelpers ?? parts.helpers) }
    /// `jitKernel` with `defined` (helpers it declares from the library) defined instead, with
    /// external linkage: a process's first kernel calling them compiles them in its own module,
    /// which later kernels link to (one libtcc state, not two).
    package func jitKernel(defining defined: [Helper]) -> String {
        guard !defined.isEmpty, var helpers = parts.kernelHelpers else { return jitKernel }
        for (i, h) in parts.library.enumerated() where defined.contains(h) { helpers[i] = TCCForms.form(h).external }
        return jitText(helpers: helpers)
    }
    /// What the three texts above are filled from. They are made when read, not when emitted:
    /// the JIT compiles one of them, and filling the others was a large share of its spec → C time.
    let parts: Parts
    /// The helpers `jitKernel` calls and the JIT links to their library copies (with what their
    /// forms call), in file order; empty when `jitKernel` is `jitSource` (no asm helpers, or tcc
    /// has no asm forms).
    package let jitLibraryHelpers: [Helper]
    /// Floats of scratch the kernel needs on 64-bit hosts (x86-64, AArch64: the JIT and the fast
    /// tier), `<NAME>_SCRATCH_SIZE` there.
    public let scratchSize: Int
    /// Floats of scratch on other targets (MCUs), `<NAME>_SCRATCH_SIZE` there: no host-only
    /// convolution buffers.
    public let embeddedScratchSize: Int
    /// Floats of `<name>_pack`'s array, `<NAME>_PACKED_SIZE`, when the file has the packed entry
    /// points (`<name>_pack`, `<name>_forward_packed`); nil otherwise.
    public let packedSize: Int?

    /// The compiler `source` is written for.
    public let target: EmitTarget
    /// Whether the plan fused ops (`Fusion.opByOp`: the benchmarks' baseline).
    public let fusion: Fusion
    /// What an MCU compiler reads of `source` (the code-size model's input); nil for the host and
    /// JIT targets, which hold no MCU code.
    package let mcuCount: CodeCount?
    /// The helpers `source` takes from its blocks file's support file (`EmitOptions.support`),
    /// with the compilers that call them; empty for a self-contained file.
    package let sharedHelpers: [Helper: Set<Compiler>]

    /// `(file name, contents)` pairs to write.
    public var files: [(name: String, contents: String)] { [("\(name).h", header), ("\(name).c", source)] }

    /// The pieces of `source`, `jitSource` and `jitKernel`.
    struct Parts: Hashable, Sendable {
        /// `source`'s includes: the header, and the support file's when it has one.
        let include: String
        /// The helpers' definitions, in file order.
        let helpers: [String]
        /// `jitKernel`'s helpers (the library's as prototypes, first); nil when they are `helpers`.
        let kernelHelpers: [String]?
        /// The library's helpers `kernelHelpers` opens with, in its order.
        let library: [Helper]
        /// `<name>_forward`.
        let function: String
        /// `<name>_selftest`, or empty.
        let selftest: String
        /// The weight table, or empty.
        let weights: String
        let libm: Bool
    }

    private func jitText(helpers: [String]) -> String {
        header + Skeleton.source(
            name: name, include: "", helpers: helpers, function: parts.function, weights: "", forJIT: true, libm: parts.libm,
            target: target)
    }
}

/// Choices about the C that do not change what it computes.
package struct EmitOptions: Hashable, Sendable {
    /// Memory order of the input and output arrays.
    package var layout: TensorLayout
    /// Call libm's `expf`; when false, the generated `attn_expf` is used and no libm is needed.
    package var libm: Bool
    /// Emit `<name>_selftest()` with these golden checks.
    package var selftest: Selftest?
    /// The compiler the .c is for: every branch (portable), or one compiler's.
    package var target: EmitTarget
    /// The stem of the support file pair a blocks file shares (`<stem>_support.h`): the plain
    /// helpers are declared there, not defined in this file. The JIT's one-string form then
    /// lacks them: only files take this option.
    package var support: String?
    /// Fused (the product), or one loop nest per op (the baseline benchmarks compare it with).
    package var fusion: Fusion

    package init(
        layout: TensorLayout = .nchw, libm: Bool = true, selftest: Selftest? = nil, target: EmitTarget = .portable,
        support: String? = nil, fusion: Fusion = .fused
    ) {
        self.fusion = fusion
        self.layout = layout
        self.libm = libm
        self.selftest = selftest
        self.target = target
        self.support = support
    }
}

/// The stored values the emitted code names, recorded as their pointers are written into it:
/// only those get a declaration (a concat read only through a view of it, a view read by nobody,
/// would be -Wunused-variable).
final class PointerRecord {
    var values: Set<ValueID> = []
}

/// Emits C for a program. Pure: the same program, weights and options give the same bytes.
package struct CEmitter {
    let program: Program
    let plan: Plan
    let names: CNames
    let options: EmitOptions
    /// The stored values the emitted code reads or writes by name, filled while it is emitted.
    let pointers = PointerRecord()
    /// The GEMMs whose weight rows `<name>_pack` lays out ahead: in the files gcc and clang
    /// hosts read (the JIT's text and the MCUs' files have no packed entry points).
    let packedGEMMs: [PackedGEMM]

    /// `plan`, when given, is `program`'s plan in the options' layout and fusion, made earlier.
    init(_ program: Program, options: EmitOptions = EmitOptions(), plan: Plan? = nil) {
        self.plan = plan ?? Plan(program, layout: options.layout, fusion: options.fusion)
        self.program = self.plan.program
        self.options = options
        switch options.target {
        case .portable, .host: self.packedGEMMs = self.plan.packedGEMMs
        case .mcu, .jit: self.packedGEMMs = []
        }
        var names = CNames(program: self.program)
        names.expf = options.libm ? "expf" : "attn_expf"
        names.tanhf = options.libm ? "tanhf" : "attn_tanhf"
        names.erff = options.libm ? "erff" : "attn_erff"
        names.sqrtf = options.libm ? "sqrtf" : "attn_sqrtf"
        self.names = names
    }

    /// Emits the header and source. `specText` is echoed in a comment; `weights`, when given,
    /// is baked in as `const float <name>_params[]`.
    /// `weights`, when given, are the flat parameter array (finite, `paramCount` floats); a
    /// self-test needs them and checks finite values at output indices. Anything else throws
    /// `KernelError` before a line of C is written.
    /// `plan`: `program`'s plan in `options`' layout and fusion, when the caller has it (lowering
    /// made the fused one for its budget check).
    package static func emit(
        _ program: Program, specText: String, weights: [Float]? = nil, options: EmitOptions = EmitOptions(), plan: Plan? = nil
    ) throws(KernelError) -> CSource {
        if let weights {
            try KernelError.check("weights", given: weights.count, expected: program.paramCount)
            if let i = weights.firstIndex(where: { !$0.isFinite }) {
                throw KernelError.nonFinite(buffer: "weights", index: i, value: weights[i])
            }
        }
        if let selftest = options.selftest {
            // The check runs the baked parameters.
            if weights == nil { throw KernelError.wrongCount(buffer: "weights", expected: program.paramCount, given: 0) }
            guard selftest.tolerance.isFinite else {
                throw KernelError.nonFinite(buffer: "selftest.tolerance", index: 0, value: selftest.tolerance)
            }
            for (i, check) in selftest.checks.enumerated() {
                guard check.value.isFinite else { throw KernelError.nonFinite(buffer: "selftest.checks", index: i, value: check.value) }
                guard check.index >= 0, check.index < program.outputShape.count else {
                    throw KernelError.outOfRange(buffer: "output", index: check.index, count: program.outputShape.count)
                }
            }
        }
        precondition(plan.map { $0.fusion == options.fusion } ?? true, "a plan of another fusion")
        return CEmitter(program, options: options, plan: plan).files(specText: specText, weights: weights)
    }

    /// The storage plan's scratch size, without emitting.
    package static func scratchSize(_ program: Program) -> Int { CEmitter(program).plan.hostScratchSize }

    /// True when the kernel gives the same result with `output == input`: only its last pass
    /// writes the output, element by element from the same input element, and nothing reads
    /// the input after it.
    package static func outputMayAliasInput(_ program: Program) -> Bool { CEmitter(program).outputMayAliasInput }

    var outputMayAliasInput: Bool {
        let out = program.output
        // A view of the input reads other elements of x under another name.
        guard !plan.views.contains(where: { plan.layouts[$0]!.buffer == .input }) else { return false }
        guard out == program.instrs.count, program.outputShape == program.input, program.instrs[out - 1].op.traits.isElementwise
        else { return false }
        // In the last pass, x is read only through inline values of x's own shape, i.e. at the
        // element being written; stored operands were finished by earlier passes. Walked with
        // a stack, not recursion: a fused chain can be thousands of ops long.
        var stack = [out]
        var seen: Set<ValueID> = [out]
        while let v = stack.popLast() {
            for u in program.instrs[v - 1].operands where u != 0 && plan.isInline(u) {
                guard program.shape(of: u) == program.input else { return false }
                if seen.insert(u).inserted { stack.append(u) }
            }
        }
        return true
    }

    /// The C identifier array a stored value is read and written through.
    func pointer(_ v: ValueID) -> String {
        pointers.values.insert(v)
        if plan.views.contains(v) { return names.value(v) }
        switch plan.layouts[v]!.buffer {
        case .input: return "input"
        case .output: return "output"
        case .scratch: return names.value(v)
        case .param(let id): return names.param(id)
        }
    }

    func files(specText: String, weights: [Float]?) -> CSource {
        precondition(weights == nil || weights!.count == program.paramCount, "weights do not match the program")
        let name = program.name
        precondition(options.selftest == nil || weights != nil, "a selftest needs baked weights")
        let target = options.target
        let header = Skeleton.header(
            program, names: names, scratchSize: (host: plan.hostScratchSize, embedded: plan.scratchSize), specText: specText,
            hasWeights: weights.map { !$0.isEmpty } ?? false, packedSize: packedSize,
            options: options, mayAlias: outputMayAliasInput)
        let (body, uses, bodyCount) = functionBody()
        // C has no zero-length arrays: a block without parameters defines none.
        let table = weights.map { $0.isEmpty ? "" : weightTable($0) } ?? ""
        // Only the helpers the body calls, for the compilers that call them: an unused static
        // function is a -Wunused warning.
        let definitions = HelperDefinitions(uses, target: target, libm: options.libm, shared: options.support != nil)
        let supportInclude = options.support.map { definitions.shared.isEmpty ? "" : "#include \"\($0)_support.h\"\n" } ?? ""
        let helpers = definitions.texts
        let selftest = options.selftest.map { selftestFunction($0) }
        var mcuCount = bodyCount.map { $0 + definitions.mcuCount + (selftest?.count ?? CodeCount()) }
        if let weights { mcuCount?.weightBytes = weights.count * 4 }
        let kernelHelpers = definitions.libraryHelpers.isEmpty ? nil : definitions.kernelTexts
        let parts = CSource.Parts(
            include: "#include \"\(name).h\"\n" + supportInclude, helpers: helpers,
            kernelHelpers: kernelHelpers == helpers ? nil : kernelHelpers, library: definitions.libraryHelpers, function: body,
            selftest: selftest?.text ?? "",
            weights: table, libm: options.libm)
        return CSource(
            name: name, header: header, parts: parts,
            jitLibraryHelpers: definitions.libraryCalls, scratchSize: plan.hostScratchSize,
            embeddedScratchSize: plan.scratchSize, packedSize: packedSize, target: target, fusion: options.fusion, mcuCount: mcuCount,
            sharedHelpers: definitions.shared)
    }

    /// The `<name>_forward` definition, the helpers each of its compilers calls, and what an MCU
    /// compiler reads of it.
    func functionBody() -> (text: String, uses: [Helper: Set<Compiler>], mcuCount: CodeCount?) {
        // The passes first: a value's pointer is declared only if they use it (a concat read only
        // through a view of it, a view read by nobody, would be -Wunused-variable).
        var ops = CPrinter(compilers: options.target.compilers)
        let chains = sequenceMLPs()
        for step in plan.steps {
            ops.blank()
            // As the plan's comment: the JIT's text is compiled, not read.
            if case .gateScaleRows = step.kernel {
                // Its two forms comment their values themselves (emitGateScaleRows).
            } else if options.target != .jit {
                for g in step.group { ops.line("/* \(describe(g)) */") }
            }
            for helper in mathHelpers(step) { ops.use(helper) }
            guard step.group.count == 1, let m = chains[step.group[0]] else {
                emit(step, into: &ops)
                continue
            }
            let stored = { (p: inout CPrinter) in self.emit(step, into: &p) }
            if m.output == step.group[0] {
                emitSequenceMLP(m, other: stored, into: &ops)
            } else {
                emitAbsorbed(by: m, other: stored, into: &ops)
            }
        }
        let used = pointers.values
        var p = CPrinter(compilers: options.target.compilers)
        if packedGEMMs.isEmpty {
            p.line("void \(program.name)_forward(const float *input, float *output, const float *params, float *scratch)")
        } else {
            p.line("/* \(program.name)_forward and \(program.name)_forward_packed: `slivers` null reads every weight from params, else")
            p.line(" * the stacked GEMMs' weight rows are \(program.name)_pack's, made ahead. */")
            p.line("static void \(program.name)_run(const float *input, float *output, const float *params, const float *slivers, float *scratch)")
        }
        p.block("", closing: nil) { p in
            // The JIT's text is compiled, not read: the plan's comment, a large share of its emission,
            // is in the other targets' files and in `attn-gen explain`.
            if options.target != .jit { planComment(into: &p) }
            if program.params.isEmpty { p.line("(void)params;") }
            for (id, decl) in program.params.enumerated() {
                p.line("const float *\(names.param(id)) = params + \(names.offsetMacro(id)); /* \(cDims(decl.dims)) */")
            }
            // Read only in the hosts' branch of a portable file.
            if !packedGEMMs.isEmpty { p.line("(void)slivers;") }
            // MCUs may need no scratch where hosts do (the convolutions' padded planes).
            if targetScratchSize == 0 { p.line("(void)scratch;") }
            for v in 1...program.instrs.count {
                guard let layout = plan.layouts[v], used.contains(v) else { continue }
                let shape = program.instrs[v - 1].shape
                switch layout.buffer {
                case .scratch:
                    p.line("float *\(names.value(v)) = \(plus("scratch", CExpr(layout.base))); /* \(shape)\(plan.views.contains(v) ? ", a view" : "") */")
                case .input where plan.views.contains(v):
                    p.line("const float *\(names.value(v)) = \(plus("input", CExpr(layout.base))); /* \(shape), a view */")
                case .param(let id) where plan.views.contains(v):
                    p.line("const float *\(names.value(v)) = \(plus(names.param(id), CExpr(layout.base))); /* \(shape), a view */")
                case .input, .output, .param:
                    break
                }
            }
            p.blank()
            p.embed(ops)
        }
        if !packedGEMMs.isEmpty { packedEntryPoints(into: &p) }
        return (p.text, p.uses, p.mcuCount)
    }

    /// Floats of scratch the target's code uses: the smaller MCU figure when no 64-bit host
    /// reads the file.
    var targetScratchSize: Int {
        options.target.compilers.isDisjoint(with: [.vectorHost, .tcc]) ? plan.scratchSize : plan.hostScratchSize
    }

    /// The plan, one line per value, so that the file shows it without `attn-gen explain`.
    private func planComment(into p: inout CPrinter) {
        let storage = StoragePlan(plan: plan)
        let stacks = plan.stackedGEMMs
        p.line("/* Plan: value, shape, op, storage (scratch offsets in floats).")
        for v in 1...program.instrs.count {
            let instr = program.instrs[v - 1]
            let args = instr.operands.map { names.value($0) }.joined(separator: ", ")
            var place: String
            switch storage.storage[v] {
            case .view(let of): place = "view of \(names.value(of))"
            case .input, .output, .inline, .scratch, .parameter: place = "\(storage.storage[v])"
            }
            if let t = plan.temps[v], t.count > 0 {
                // A wide convolution's buffers exist only on 64-bit hosts.
                let hostOnly = t.offset >= plan.scratchSize
                if !(hostOnly && options.target.compilers.isDisjoint(with: [.vectorHost, .tcc])) {
                    place += ", working scratch[\(t.offset)..<\(t.offset + t.count)]\(hostOnly && options.target == .portable ? " on 64-bit hosts" : "")"
                }
            }
            // Attention's GEMM form: its own block of score rows, host-only.
            if let t = plan.hostTemps[v], !options.target.compilers.isDisjoint(with: [.vectorHost, .tcc]) {
                place += ", scratch[\(t.offset)..<\(t.offset + t.count)] in the GEMM form"
            }
            if case .conv2d(let a) = instr.op, options.target.compilers.contains(.vectorHost), plan.temps[v] != nil,
                ToeplitzConv(a, input: program.shape(of: instr.operands[0]), output: instr.shape, outputLayout: plan.layouts[v]!) == nil,
                WinogradConv(a, input: program.shape(of: instr.operands[0]), output: instr.shape, outputLayout: plan.layouts[v]!) != nil
            {
                place += ", Winograd F(2x2, 3x3) on gcc and clang hosts"
            }
            // Only gcc's and clang's host branch runs the stacked GEMM; the others run each conv.
            if let others = stacks[v], options.target.compilers.contains(.vectorHost) {
                place += ", one GEMM with \(others.map { names.value($0) }.joined(separator: ", ")) on gcc and clang hosts"
                if packedGEMMs.contains(where: { $0.convs[0] == v }) {
                    place += " (\(program.name)_forward_packed: weight rows made ahead by \(program.name)_pack)"
                }
            }
            p.line(" * \(names.value(v)) \(instr.shape) = \(instr.op)(\(args)) -> \(place)")
        }
        p.line(" */")
    }

    /// The math helpers a step calls, from its ops and the inline values it computes: the
    /// exponential (sigmoid, silu, softmax), tanh and erf (the GELUs) and the square root (the norms).
    private func mathHelpers(_ step: Step) -> [Helper] {
        var stack = step.group
        var seen = Set(stack)
        var helpers: [Helper] = []
        while let v = stack.popLast() {
            switch program.instrs[v - 1].op {
            case .unary(.sigmoid), .unary(.silu), .softmax: helpers.append(.expf)
            // Attention asks for it per branch (emitAttention): the hosts' block has its own.
            case .attention: break
            case .unary(.tanh), .unary(.geluTanh): helpers.append(.tanhf)
            case .unary(.gelu): helpers.append(.erff)
            case .layerNorm, .instanceNorm, .groupNorm: helpers.append(.sqrtf)
            case .unary(.sqrt): if !options.libm { helpers.append(.sqrtf) }
            case .unary(.relu), .unary(.hardSigmoid), .unary(.relu6), .unary(.hardSwish), .unary(.leakyRelu),
                .unary(.mulScalar), .unary(.addScalar), .binary, .affine, .globalPool, .channelPool, .linear, .channelConv1d, .axisConv1d,
                .conv2d, .concat, .axisPool, .pool2d, .weightedPool, .variance, .matmul, .blockMatmul, .relPosWeights, .l1Normalize, .constant, .slice, .reshape,
                .transpose, .upsampleNearest, .blockUnfold:
                break
            }
            for u in program.instrs[v - 1].operands where u != 0 && plan.isInline(u) && seen.insert(u).inserted { stack.append(u) }
        }
        return helpers
    }

    func describe(_ v: ValueID) -> String {
        let instr = program.instrs[v - 1]
        let args = instr.operands.map { names.value($0) }.joined(separator: ", ")
        return "\(names.value(v)) \(instr.shape) = \(instr.op)(\(args))"
    }

    private func emit(_ step: Step, into p: inout CPrinter) {
        let group = step.group
        switch step.kernel {
        case .poolRows: emitPoolRows(group, into: &p)
        case .gatedChannelPoolRows(let gate, let row): emitGatedChannelPoolRows(group, gate: gate, row: row, into: &p)
        case .scaleRows(let gate, let row): emitScaleRows(group[0], gate: gate, row: row, into: &p)
        case .gateScaleRows(let gate, let row): emitGateScaleRows(group[1], gate: gate, row: row, into: &p)
        case .scaleMulRows(let plane, let gate, let row): emitScaleMulRows(group[0], plane: plane, gate: gate, row: row, into: &p)
        case .upsampledMap(let u): emitUpsampledMap(group[0], upsample: u, into: &p)
        case .generic: emitLoopNest(group, into: &p)
        }
    }

    /// The op's own loop nest.
    private func emitLoopNest(_ group: [ValueID], into p: inout CPrinter) {
        let instr = program.instrs[group[0] - 1]
        switch instr.op {
        case .globalPool: emitGlobalPools(group, into: &p)
        case .channelPool: emitChannelPools(group, into: &p)
        case .linear(let w, let b, _): emitLinear(group, weight: w, bias: b, into: &p)
        case .channelConv1d(let w, let k, let padding): emitChannelConv1d(group[0], weight: w, kernel: k, padding: padding, into: &p)
        case .conv2d(let a): group.count > 1 ? emitStackedPointwise(group, into: &p) : emitConv2d(group[0], a, into: &p)
        case .axisConv1d(let w, let b, let k, let axis): emitAxisConv1d(group[0], weight: w, bias: b, kernel: k, axis: axis, into: &p)
        case .groupNorm(let g, let s, let t, let eps): emitGroupNorm(group[0], groups: g, scale: s, shift: t, eps: eps, into: &p)
        case .affine, .unary, .binary: emitMap(group[0], into: &p)
        case .concat: emitConcatCopy(group[0], into: &p)
        case .axisPool, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .variance: emitAlongAxis(group[0], into: &p)
        case .matmul(let ta, let tb, let alpha): emitMatmul(group[0], ta: ta, tb: tb, alpha: alpha, into: &p)
        case .attention(let scale, let relPos): emitAttention(group[0], scale: scale, relPos: relPos, into: &p)
        case .blockMatmul(let side): emitBlockMatmul(group[0], side: side, into: &p)
        case .relPosWeights(let table): emitRelPosWeights(group[0], table: table, into: &p)
        case .slice, .reshape, .transpose, .upsampleNearest, .constant: emitGather(group[0], into: &p)
        case .pool2d(let mode, let k, let s, let pad, let includePad):
            emitPool2d(group[0], mode: mode, kernel: k, stride: s, padding: pad, countIncludePad: includePad, into: &p)
        case .blockUnfold(let k, let s, let pad): emitBlockUnfold(group[0], window: k, step: s, padding: pad, into: &p)
        case .weightedPool(let w): emitWeightedPool(group[0], weight: w, into: &p)
        }
    }

    /// `int <name>_selftest(...)`: fills the input from a fixed generator, runs the kernel with the
    /// baked weights and compares a few outputs with values the interpreter computed.
    private func selftestFunction(_ t: Selftest) -> (text: String, count: CodeCount?) {
        var p = CPrinter(compilers: options.target.compilers)
        let name = program.name
        let m = names.macroPrefix
        p.blank()
        p.line("int \(name)_selftest(float *input, float *output, float *scratch)")
        p.block("", closing: nil) { p in
            p.line("const int index[\(t.checks.count)] = {\(t.checks.map { String($0.index) }.joined(separator: ", "))};")
            p.data("const float expected[\(t.checks.count)] = {\(t.checks.map { cFloat($0.value) }.joined(separator: ", "))};", bytes: 4 * t.checks.count)
            p.line("float scale = 0.0f;")
            p.line("uint32_t s = \(t.seed)u;")
            p.block("for (int i = 0; i < \(m)_INPUT_SIZE; i++)", closing: nil) { p in
                p.line("s = s * 1664525u + 1013904223u;")
                p.line("input[i] = (float)((int32_t)(s >> 9) - 4194304) * (1.0f / 4194304.0f);")
            }
            p.line("\(name)_forward(input, output, \(program.paramCount == 0 ? "0" : "\(name)_params"), scratch);")
            p.block("for (int k = 0; k < \(t.checks.count); k++)", closing: nil) { p in
                p.line("const float e = expected[k] < 0.0f ? -expected[k] : expected[k];")
                p.line("scale = e > scale ? e : scale;")
            }
            p.block("for (int k = 0; k < \(t.checks.count); k++)", closing: nil) { p in
                p.line("float d = output[index[k]] - expected[k];")
                p.line("d = d < 0.0f ? -d : d;")
                p.line("if (!(d <= \(cFloat(t.tolerance)) * scale)) return k + 1; /* also fails on NaN */")
            }
            p.line("return 0;")
        }
        return (p.text, p.mcuCount)
    }

    /// `const float <name>_params[...] = {...};`, one commented run per tensor.
    private func weightTable(_ weights: [Float]) -> String {
        var p = CPrinter.data()
        let prefix = names.macroPrefix
        p.block("const float \(program.name)_params[\(prefix)_PARAMS_SIZE] =", closing: nil) { p in
            var offset = 0
            for (id, decl) in program.params.enumerated() {
                p.line("/* \(decl.name) \(cDims(decl.dims)) at \(names.offsetMacro(id)) */")
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
