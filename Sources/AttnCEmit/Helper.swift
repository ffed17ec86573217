// The static functions a kernel calls (Templates/c), and their definitions for one target: each
// helper once, in the form its compilers take, and only for the compilers whose code calls it.

import AttnTemplates

/// A helper the generated code may call, in the order a file defines them.
package enum Helper: String, CaseIterable, Sendable {
    case sqrtf, expf, tanhf, erff
    case gemmTile = "gemm_tile", gemmNN = "gemm_nn", gemmNT = "gemm_nt", attend, rowsVec = "rows_vec", rowsPool = "rows_pool", rowsDot = "rows_dot"
    case rowsScalePool = "rows_scale_pool", rowsScaleMul = "rows_scale_mul", seqRelu = "seq_relu"
    case rowAxpy = "row_axpy", rowDot = "row_dot", rowDot2 = "row_dot2", rowSum = "row_sum", rowMax = "row_max"
    case rowSumMax = "row_sum_max", rowSqDev = "row_sq_dev", rowScale = "row_scale", rowScaleSumMax = "row_scale_sum_max"
    case rowScaleMul = "row_scale_mul", wideTaps = "wide_taps", rowExpSum = "row_exp_sum", convRows = "conv_rows"
    // tcc's forms of the scalar glue around the micro-kernels.
    case transpose, rowCopy = "row_copy", rowZero = "row_zero", rowsAxpy = "rows_axpy", rowDeinterleave = "row_deinterleave", rowSpread = "row_spread"
    case rowsCopy = "rows_copy"
    case rowMap = "row_map"
    case rowNorm = "row_norm", rowsSum = "rows_sum"
    case rowsMap = "rows_map", columnsMean = "columns_mean"
    case wideTaps1 = "wide_taps1"
    // tcc's forms of gcc's many-row pools (rows_pool, rows_scale_pool) and the gates' scaling:
    // a call per plane.
    case poolRows = "pool_rows", gatedPoolRows = "gated_pool_rows", scaleRows = "scale_rows"

    /// Written in gcc's and clang's vector extension: only their 64-bit host branch calls it, and
    /// tcc on x86-64 where it has an asm form (`hasTCCForm`: the GEMM micro-kernels).
    var hostOnly: Bool {
        switch self {
        case .gemmTile, .gemmNN, .gemmNT, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowExpSum: return true
        case .rowMap, .rowNorm, .rowsSum: return true
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return true
        case .sqrtf, .expf, .tanhf, .erff, .rowAxpy, .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale, .rowScaleSumMax, .rowScaleMul,
            .wideTaps, .convRows:
            return false
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return false
        }
    }

    /// Has a packed-SSE form for tcc on x86-64 (`<name>.tcc.c.tmpl`).
    var hasTCCForm: Bool {
        switch self {
        case .rowAxpy, .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale, .rowScaleSumMax, .rowScaleMul: return true
        case .gemmNN, .gemmNT, .wideTaps, .rowExpSum: return true
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .convRows: return false
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return true
        case .rowMap, .rowNorm, .rowsSum: return true
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return true
        }
    }

    /// Has no plain form: only tcc on x86-64 calls it (the fused maps' chunked form, the norms'
    /// standardising rows).
    var tccOnly: Bool {
        switch self {
        case .rowMap, .rowNorm, .rowsSum: return true
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return true
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .gemmNN, .gemmNT, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy, .rowDot,
            .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowScale, .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows:
            return false
        case .attend, .rowSqDev, .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return false
        }
    }

    /// Its plain form has an `#if ATTN_LANES > 8` loop for long rows on 64-bit hosts, and a
    /// 32-bit core gets `<name>.mcu.c.tmpl` instead, its partial sums in registers.
    var hasWideRows: Bool {
        switch self {
        case .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev: return true
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .gemmNN, .gemmNT, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy, .rowScale,
            .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows:
            return false
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return false
        case .rowMap, .rowNorm, .rowsSum: return false
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return false
        }
    }

    /// A 32-bit core gets `<name>.mcu.c.tmpl` instead of its plain (or vector-extension) form:
    /// the wide-row helpers with their partial sums in registers, and the GEMMs as register tiles
    /// for the core's FPU or Helium (standalone: they need no `attn_gemm_tile`).
    var hasMCUForm: Bool {
        switch self {
        case .gemmNN, .gemmNT: return true
        case .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev: return true
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy, .rowScale,
            .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows:
            return false
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return false
        case .rowMap, .rowNorm, .rowsSum: return false
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return false
        }
    }

    /// The compilers that may call it: a vector-extension helper is for gcc and clang on hosts,
    /// and for tcc and MCUs where it has their form.
    var callers: Set<Compiler> {
        guard hostOnly else { return Set(Compiler.allCases) }
        var set: Set<Compiler> = [.vectorHost]
        if hasTCCForm { set.insert(.tcc) }
        if hasMCUForm { set.insert(.other) }
        return set
    }

    /// Helpers it calls itself.
    var needs: [Helper] {
        switch self {
        case .rowsPool, .rowsDot, .rowsScalePool: return [.rowsVec]
        // Both GEMMs' vector-extension forms run on its register tiles (tcc's asm forms stand alone),
        // and so does attention's block, whose exponential is its own with or without libm (only
        // direct calls keep the file's expf).
        case .gemmNN, .gemmNT: return [.gemmTile]
        case .attend: return [.gemmTile]
        // attn_tanhf and attn_erff call attn_expf (libm's call libm's own).
        case .tanhf, .erff: return [.expf]
        case .sqrtf, .expf, .gemmTile, .rowsVec, .rowsScaleMul, .seqRelu, .rowAxpy, .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale,
            .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows:
            return []
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread: return []
        case .rowMap, .rowNorm, .rowsSum: return []
        case .rowsMap, .columnsMean, .wideTaps1, .poolRows, .gatedPoolRows, .scaleRows: return []
        }
    }

    /// Helpers tcc's asm form calls (the other forms' are `needs`), whichever ISA runs it.
    var tccNeeds: [Helper] { tccNeeds(isa: nil) }

    /// Helpers tcc's asm form calls where `ATTN_TCC_ISA` is `isa` (nil: chosen at run time):
    /// the pools' and gates' row-at-a-time SSE fallbacks and the column mean's are left out
    /// under AVX2 (`#if ATTN_TCC_ISA != 2`), and so are the helpers only they call.
    package func tccNeeds(isa: Int?) -> [Helper] {
        if isa == 2 {
            switch self {
            case .columnsMean, .poolRows, .gatedPoolRows, .scaleRows: return []
            case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .gemmNN, .gemmNT, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy,
                .rowDot, .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale, .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum,
                .convRows, .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread, .rowMap, .rowNorm, .rowsSum, .rowsMap, .wideTaps1:
                break
            }
        }
        switch self {
        // Short rows of B: attn_gemm_nt multiplies by a transposed panel of them in attn_gemm_nn.
        case .gemmNT: return [.gemmNN]
        // The rows' form runs each row through attn_row_map's assembly, and the column mean's
        // SSE form adds rows by it.
        case .rowsMap, .columnsMean: return [.rowMap]
        // Without AVX2 the pools run the row helpers' SSE forms a row at a time.
        case .poolRows: return [.rowSumMax]
        case .gatedPoolRows: return [.rowScaleSumMax]
        case .scaleRows: return [.rowScale, .rowScaleMul]
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .gemmNN, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy, .rowDot,
            .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale, .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows:
            return []
        case .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread, .rowMap, .rowNorm, .rowsSum, .wideTaps1: return []
        }
    }
}

extension Helper {
    /// Of `tccNeeds`, those whose inner functions tcc's form uses (attn_rows_map's assembly runs
    /// attn_row_map8's loops): a helper module defining it defines them too, even where an earlier
    /// module holds them. The others it calls by their own function only, and links to that copy.
    var tccCopies: [Helper] {
        switch self {
        case .rowsMap: return [.rowMap]
        case .sqrtf, .expf, .tanhf, .erff, .gemmTile, .gemmNN, .gemmNT, .attend, .rowsVec, .rowsPool, .rowsDot, .rowsScalePool, .rowsScaleMul, .seqRelu, .rowAxpy, .rowDot,
            .rowDot2, .rowSum, .rowMax, .rowSumMax, .rowSqDev, .rowScale, .rowScaleSumMax, .rowScaleMul, .wideTaps, .rowExpSum, .convRows,
            .transpose, .rowCopy, .rowsCopy, .rowZero, .rowsAxpy, .rowDeinterleave, .rowSpread, .rowMap, .rowNorm, .rowsSum, .columnsMean, .wideTaps1, .poolRows,
            .gatedPoolRows, .scaleRows:
            return []
        }
    }
}

/// The helper definitions of one file.
struct HelperDefinitions {
    /// Each helper with the compilers of the file whose code calls it.
    let uses: [Helper: Set<Compiler>]
    let target: EmitTarget
    /// `expf` is libm's (vectorisable inline copy on hosts) rather than `attn_expf`.
    let libm: Bool
    /// The helpers a blocks file's support file defines for this one (`shared`), left out here.
    let shared: [Helper: Set<Compiler>]
    /// The helpers the file's code calls itself, with their callers.
    private let calls: [Helper: Set<Compiler>]
    /// `libraryHelpers`, found once: the files read it several times.
    private let library: [Helper]

    /// A helper a support file may hold: plain C, not the host's vector code or inline expf.
    static func shareable(_ helper: Helper, libm: Bool) -> Bool { !helper.hostOnly && !(helper == .expf && libm) }

    init(_ calls: [Helper: Set<Compiler>], target: EmitTarget, libm: Bool, shared: Bool = false) {
        var uses = calls.mapValues { $0.intersection(target.compilers) }.filter { !$0.value.isEmpty }
        for (helper, set) in uses {
            // tcc's asm form calls what `tccNeeds` lists and the MCU form of a helper nothing:
            // only the other compilers' forms call what it needs.
            let callers = set.subtracting(helper.hasTCCForm ? [.tcc] : []).subtracting(helper.hasMCUForm ? [.other] : [])
            for dependency in helper.needs where !callers.isEmpty { uses[dependency, default: []].formUnion(callers) }
            if helper.hasTCCForm && set.contains(.tcc) {
                for dependency in helper.tccNeeds { uses[dependency, default: []].insert(.tcc) }
            }
        }
        if libm {
            // libm's tanhf and erff need no definition, and call no expf of ours.
            let direct = calls[.expf].map { $0.intersection(target.compilers) } ?? []
            uses[.tanhf] = nil
            uses[.erff] = nil
            uses[.expf] = direct.isEmpty ? nil : direct
            if let set = uses[.expf] {
                // libm's expf needs no definition, except the host's inline copy.
                let host = set.intersection([.vectorHost])
                uses[.expf] = host.isEmpty ? nil : host
            }
        }
        self.shared = shared ? uses.filter { Self.shareable($0.key, libm: libm) } : [:]
        for helper in self.shared.keys { uses[helper] = nil }
        self.uses = uses
        self.target = target
        self.libm = libm
        self.calls = calls
        // (A count and a lookup: comparing with a set literal made a set per helper.)
        library = target == .jit && target.tccAsm == .always
            ? Helper.allCases.filter { h in h.hasTCCForm && uses[h].map { $0.count == 1 && $0.contains(.tcc) } == true } : []
    }

    /// What an MCU compiler reads of the definitions.
    var mcuCount: CodeCount {
        var count = CodeCount()
        for (helper, set) in uses where set.contains(.other) {
            let name = helper == .expf ? "expf.c" : "\(helper.rawValue).c"
            count = count + Self.counts[name]!
        }
        return count
    }

    /// The counts of each plain (MCU) helper form, made once.
    private static let counts: [String: CodeCount] = Dictionary(uniqueKeysWithValues: Helper.allCases.filter { $0.callers.contains(.other) }.map { h in
        let name = h == .expf ? "expf.c" : "\(h.rawValue).c"
        return (name, CodeCount.of(definitions: CodeCount.scalarFPULines(Templates.cached(h.hasMCUForm ? "\(h.rawValue).mcu.c" : name))))
    })

    /// The helpers a JIT kernel takes from the process's precompiled library
    /// (`TCCHelperLibrary`) instead of its own text: tcc's asm forms, whose inline assembly was
    /// most of the compile time of a memory-bound kernel. None where tcc has no asm forms.
    var libraryHelpers: [Helper] { library }

    /// Of `libraryHelpers`, those the kernel calls itself (the library links what their forms
    /// call, for the ISA it compiles them for).
    var libraryCalls: [Helper] { libraryHelpers.filter { calls[$0]?.contains(.tcc) == true } }

    /// The definitions, in file order, each ending in a newline.
    var texts: [String] { texts(excluding: []) }

    /// The definitions of the JIT's kernel-only form: the library's helpers as prototypes.
    var kernelTexts: [String] {
        let library = libraryHelpers
        return library.map { TCCForms.form($0).prototype + "\n" } + texts(excluding: Set(library))
    }

    private func texts(excluding excluded: Set<Helper>) -> [String] {
        var texts: [String] = []
        var lanesDefined = false
        for helper in Helper.allCases where !excluded.contains(helper) {
            guard let set = uses[helper] else { continue }
            precondition(set.isSubset(of: helper.callers), "\(helper) called outside the host branch")
            let plain = plainForm(helper, set)
            if helper.hasWideRows && plain && target != .mcu && !lanesDefined {
                texts.append(Templates.cached(target == .portable ? "lanes.c" : "lanes_host.c"))
                lanesDefined = true
            }
            texts.append(wrap(text(helper, set), set))
        }
        return texts
    }

    /// Whether the plain C form of `helper` is in the file (not only tcc's asm form).
    private func plainForm(_ helper: Helper, _ set: Set<Compiler>) -> Bool {
        guard helper.hasTCCForm, set == [.tcc] else { return true }
        return target.tccAsm != .always
    }

    private func text(_ helper: Helper, _ set: Set<Compiler>) -> String {
        if helper == .expf { return Templates.cached(libm ? "expf_host.c" : "expf.c") }
        if helper.tccOnly {
            let asm = TCCForms.form(helper).text
            switch target.tccAsm {
            case .always: return asm
            case .guarded: return "#if \(Compiler.tccAsmCondition)\n\(asm)#endif\n"
            case .never: preconditionFailure("\(helper) called without tcc's asm")
            }
        }
        // Attention's block calls the file's exponential (libm or not).
        if helper == .attend { return Self.attendText(libm: libm) }
        let plain = Templates.cached("\(helper.rawValue).c")
        // The wide-row helpers' host form keeps partial sums in an array for the vectoriser, the
        // GEMMs' is in the vector extension; a 32-bit core gets its own form, in registers.
        let mcu = helper.hasMCUForm ? Templates.cached("\(helper.rawValue).mcu.c") : nil
        if target == .mcu { return mcu ?? plain }
        var branches: [(condition: String, code: String)] = []
        if helper.hasTCCForm, set.contains(.tcc) {
            let asm = TCCForms.form(helper).text
            switch target.tccAsm {
            case .always: return asm
            case .never: break
            case .guarded: branches.append((Compiler.tccAsmCondition, asm))
            }
        }
        if let mcu, set.contains(.other) { branches.append(("!(\(Compiler.wideCondition))", mcu)) }
        guard !branches.isEmpty else { return plain }
        // Only the MCU branch is called: the file's `#if` around the helper already selects it.
        if set == [.other], let mcu { return mcu }
        // The helper's description first, above every form.
        let (comment, code) = Self.leadingComment(plain)
        var text = String(comment)
        for (i, branch) in branches.enumerated() { text += "#\(i == 0 ? "if" : "elif") \(branch.condition)\n\(branch.code)" }
        // A vector-extension form is for gcc and clang alone (tcc elsewhere never calls it).
        let last = helper.hostOnly ? "#elif \(Compiler.hostCondition)\n" : "#else\n"
        return text + "\(last)\(code)#endif\n"
    }

    /// attend.c with its vector exponential: on libm builds its own (attend_expf.c: the host's
    /// inline copy cut to the softmax's x <= 0 in the vector extension, same bits), else
    /// attn_expf's steps on whole vectors (attend_expf_lanes.c, which calls no attn_expf).
    private static func attendText(libm: Bool) -> String { libm ? attendLibm : attendOwn }
    private static let attendLibm = Templates.fill("attend.c", ["EXPF_DEFINITION": Templates.cached("attend_expf.c")])
    private static let attendOwn = Templates.fill("attend.c", ["EXPF_DEFINITION": Templates.cached("attend_expf_lanes.c")])

    /// A template's opening `/* ... */` lines, and the rest.
    private static func leadingComment(_ text: String) -> (comment: Substring, code: Substring) {
        // Searched as UTF-8 (Foundation's `range(of:)` was a measurable part of emitting).
        let bytes = text.utf8
        guard text.hasPrefix("/*") else { return ("", text[...]) }
        var i = bytes.startIndex
        while i != bytes.endIndex {
            if bytes[i] == UInt8(ascii: "*"), bytes[bytes.index(after: i)...].starts(with: "/\n".utf8) {
                let end = bytes.index(i, offsetBy: 3)
                return (text[..<end], text[end...])
            }
            i = bytes.index(after: i)
        }
        return ("", text[...])
    }

    /// `text` under `#if` when only some of the file's compilers call it.
    private func wrap(_ text: String, _ set: Set<Compiler>) -> String {
        guard set != target.compilers, let condition = Compiler.condition(set) else { return text }
        return "#if \(condition)\n\(text)#endif\n"
    }

    /// The definitions with external linkage, for a support file (every signature line of a
    /// helper template is `static <type> attn_<name>(...)`).
    var externalTexts: [String] {
        texts.map { text in
            text.lines.map { line in
                line.hasPrefix("static ") && line.contains(" attn_") && line.hasSuffix(")") ? line.dropFirst("static ".count) : line
            }.joined(separator: "\n")
        }
    }

    /// `<type> attn_<name>(...);` of each helper defined here.
    var prototypes: [String] {
        Helper.allCases.filter { uses[$0] != nil }.map { helper in
            let template = Templates.cached(helper == .expf ? "expf.c" : "\(helper.rawValue).c")
            let signature = template.lines.first { $0.hasPrefix("static ") && $0.contains(" attn_\(helper.rawValue)(") }
            guard let signature, signature.hasSuffix(")") else { preconditionFailure("\(helper.rawValue).c.tmpl: no one-line signature") }
            return signature.dropFirst("static ".count) + ";"
        }
    }
}

/// The helpers' tcc asm forms with external linkage, which the JIT compiles into modules of their
/// own, each helper once per process (per forced ISA) on first use, and binds each kernel's calls
/// to: a kernel's own text then holds its loops and prototypes only, and libtcc does not parse the
/// same inline assembly again for every block. The self-contained `jitSource` keeps the definitions.
package enum TCCHelperLibrary {
    /// The helpers with a tcc form: those a kernel may take from the library.
    package static let helpers = Helper.allCases.filter(\.hasTCCForm)

    /// The C of a module defining `helpers` (each form once, the CPU check guarded, as in a file
    /// holding several) and declaring `linked`, helpers their forms call that another module
    /// defines; `helpers` must hold those whose inner functions their forms use (`copies`).
    package static func source(defining helpers: [Helper], linking linked: [Helper] = []) -> String {
        "#define INFINITY (1.0f / 0.0f)\n" + linked.map { TCCForms.form($0).prototype + "\n" }.joined() + helpers.map { external($0) }.joined()
    }

    /// The C name of `h`, the symbol a kernel is linked to.
    package static func symbol(_ h: Helper) -> String { "attn_\(h.rawValue)" }

    /// `helpers` and every helper their tcc forms call where `ATTN_TCC_ISA` is `isa` (nil:
    /// chosen at run time), in file order (a form after those it calls).
    package static func closure(_ helpers: [Helper], isa: Int? = nil) -> [Helper] {
        var set = Set<Helper>()
        var stack = helpers
        while let h = stack.popLast() {
            precondition(h.hasTCCForm, "\(h) has no tcc form")
            if set.insert(h).inserted { stack += h.tccNeeds(isa: isa) }
        }
        return Helper.allCases.filter(set.contains)
    }

    /// `helpers` and the helpers whose inner functions their forms use (`tccCopies`): what a
    /// module compiling `helpers` defines; what else their forms call it links to.
    package static func copies(_ helpers: [Helper]) -> [Helper] {
        var set = Set<Helper>()
        var stack = helpers
        while let h = stack.popLast() {
            if set.insert(h).inserted { stack += h.tccCopies }
        }
        return Helper.allCases.filter(set.contains)
    }

    /// `h`'s form with its own function's `static` dropped (the forms' inner functions keep theirs).
    private static func external(_ h: Helper) -> String { TCCForms.form(h).external }
}
