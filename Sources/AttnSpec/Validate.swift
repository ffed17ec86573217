// Semantic checks of a spec and the defaults that complete it. All user-facing rules live here,
// in each catalog block's options (`layers(_:)`, next to the block in Catalog/), and in lowering
// for custom graphs; never in the DSL builder or the JSON decoder.

import Foundation

import AttnIR

/// Largest kernel size accepted anywhere (`Limits.maxKernelSize`).
public let maxKernelSize = Limits.maxKernelSize

/// Largest tensor the generated C indexes: offsets are computed in 32-bit `int` (`Limits.maxElements`).
public let maxElements = Limits.maxElements

private let cKeywords: Set<String> = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary", "asm", "main",
]

/// True for `[A-Za-z_][A-Za-z0-9_]*` that is not a C keyword.
public func isCIdentifier(_ s: String) -> Bool {
    // Bytes: every identifier character is ASCII, and a byte ≥ 0x80 (any other scalar) fails.
    let bytes = s.utf8
    guard let first = bytes.first, bytes.count <= 63 else { return false }
    func letter(_ u: UInt8) -> Bool { (u >= 97 && u <= 122) || (u >= 65 && u <= 90) || u == 95 }
    func digit(_ u: UInt8) -> Bool { u >= 48 && u <= 57 }
    return letter(first) && bytes.allSatisfy { letter($0) || digit($0) } && !cKeywords.contains(s)
}

/// Why a name that reaches the C files as it is (a block name in file names, symbols and macros;
/// a tensor name, dots made `_`, in `NAME_<TENSOR>_OFFSET`) would be a reserved identifier, or
/// nil. C and C++ keep names starting with `_` or holding `__` for the compiler and libc: a block
/// `_math` would get `_MATH_H`, the include guard of <math.h>. Everything else is safe as is:
/// the block's names all end in attn-gen's own suffixes (`_forward`, `_H`, `_OFFSET`, ...), which
/// no libc name of <math.h> and <stdint.h> does, and the names the function body declares from
/// user names are mangled (`CNames`).
public func reservedCNameProblem(_ cName: String) -> String? {
    // Byte scans: Foundation's `contains` on String was a visible part of lowering a block.
    let bytes = cName.utf8
    if bytes.first == UInt8(ascii: "_") {
        return "starts with _, which C reserves for the compiler and libc (\"_math\" would define <math.h>'s include guard _MATH_H)"
    }
    var previous: UInt8 = 0
    for b in bytes {
        if b == UInt8(ascii: "_") && previous == b { return "holds __, which C and C++ reserve for the compiler and libc" }
        previous = b
    }
    return nil
}

extension BlockSpec {
    /// Checks every field and returns the block as a list of primitive layers, defaults applied.
    public func resolve() throws(SpecError) -> [Layer] {
        guard isCIdentifier(name) else {
            throw SpecError("name", "\"\(name)\" is not a C identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63, no keyword)")
        }
        if let problem = reservedCNameProblem(name) { throw SpecError("name", "\"\(name)\" \(problem)") }
        try input.validate()
        if let w = weights, w.isEmpty { throw SpecError("weights", "must be a file name, got an empty string") }
        switch body {
        case .catalog(let b): return try b.block.layers(input)
        case .graph(let layers):
            guard !layers.isEmpty else { throw SpecError("graph", "must hold at least one layer") }
            guard layers.count <= Limits.maxLayers else {
                throw SpecError("graph", "holds \(layers.count) layers, more than the \(Limits.maxLayers) a block may have")
            }
            return layers
        }
    }
}

extension InputShape {
    func validate() throws(SpecError) {
        for (field, v) in [("n", n), ("c", c), ("h", h), ("w", w)] where v < 1 {
            throw SpecError("input.\(field)", "must be at least 1, got \(v)")
        }
        let (nc, o1) = n.multipliedReportingOverflow(by: c)
        let (nch, o2) = nc.multipliedReportingOverflow(by: h)
        let (all, o3) = nch.multipliedReportingOverflow(by: w)
        guard !o1, !o2, !o3, all <= maxElements else {
            throw SpecError("input", "\(n)×\(c)×\(h)×\(w) elements exceed 32-bit indexing (at most \(maxElements))")
        }
    }
}

/// ECA's adaptive kernel size from the paper (γ = 2, b = 1), as the authors' code computes it:
/// `t = int(|(log2 C + b) / γ|)`, then the nearest odd number at or above t. Unlike timm, no
/// clamp to 3, so C < 8 gives k = 1.
public func ecaKernelSize(channels: Int) -> Int {
    let t = Int(abs((log2(Double(channels)) + 1) / 2))
    return t % 2 == 1 ? t : t + 1
}
