// tcc's assembler knows no VEX encodings, so the tcc tier's AVX2/FMA micro-kernels spell each
// VEX instruction as `.byte`: a template line `@ <instruction>` (AT&T syntax, the few forms the
// kernels use) becomes `".byte …\n\t" /* <instruction> */`. Encodings are the ones GNU as picks
// (the two-byte prefix whenever it can express the instruction).

import AttnTemplates

/// One VEX instruction of the tcc micro-kernels.
package enum VEX {
    /// A 256-bit register, a memory operand `disp(%base)` or an immediate `$N`.
    package enum Operand: Equatable, Sendable {
        case ymm(Int)
        case memory(base: Int, disp: Int)
        case immediate(UInt8)
    }

    /// The opcode, its map (1: 0F, 2: 0F38) and prefix (0: none, 1: 66) of each instruction.
    private static let opcodes: [String: (opcode: UInt8, map: UInt8, pp: UInt8)] = [
        "vmovups": (0x10, 1, 0), "vxorps": (0x57, 1, 0), "vaddps": (0x58, 1, 0), "vmulps": (0x59, 1, 0),
        "vsubps": (0x5C, 1, 0), "vmaxps": (0x5F, 1, 0), "vminps": (0x5D, 1, 0), "vdivps": (0x5E, 1, 0),
        "vandps": (0x54, 1, 0), "vandnps": (0x55, 1, 0), "vorps": (0x56, 1, 0),
        "vpaddd": (0xFE, 1, 1), "vpand": (0xDB, 1, 1), "vpandn": (0xDF, 1, 1), "vpor": (0xEB, 1, 1), "vpxor": (0xEF, 1, 1),
        "vpcmpeqd": (0x76, 1, 1),
        "vbroadcastss": (0x18, 2, 1), "vfmadd231ps": (0xB8, 2, 1), "vfmadd213ps": (0xA8, 2, 1), "vfnmadd231ps": (0xBC, 2, 1),
    ]

    private static let registers: [String: Int] = [
        "rax": 0, "rcx": 1, "rdx": 2, "rbx": 3, "rsp": 4, "rbp": 5, "rsi": 6, "rdi": 7,
        "r8": 8, "r9": 9, "r10": 10, "r11": 11, "r12": 12, "r13": 13, "r14": 14, "r15": 15,
    ]

    /// The bytes of one instruction, as `as` assembles it; nil for anything outside the forms
    /// the kernels use.
    package static func encode(_ line: String) -> [UInt8]? {
        // Trimmed in place (building a String from a reversed Character sequence was most of
        // the cost of expanding the tcc forms, once per process).
        var trimmed = Substring(line)
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        let text = String(trimmed)
        if text == "vzeroupper" { return [0xC5, 0xF8, 0x77] }
        guard let space = text.utf8.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let name = String(text[..<space])
        guard let operands = parseOperands(String(text[space...])) else { return nil }
        // AT&T order: sources first, the destination last.
        switch (name, operands.count) {
        case ("vmovups", 2):
            // A load (0F 10: register from memory) or a store (0F 11: memory from register).
            if case .ymm(let src) = operands[0], case .memory = operands[1] {
                return assemble(opcode: 0x11, map: 1, pp: 0, reg: src, vvvv: 0, rm: operands[1])
            }
            guard case .ymm(let dst) = operands[1] else { return nil }
            return assemble(opcode: 0x10, map: 1, pp: 0, reg: dst, vvvv: 0, rm: operands[0])
        case ("vbroadcastss", 2):
            guard case .memory = operands[0], case .ymm(let dst) = operands[1] else { return nil }
            return assemble(opcode: 0x18, map: 2, pp: 1, reg: dst, vvvv: 0, rm: operands[0])
        case ("vpslld", 3), ("vpsrld", 3):
            // An immediate shift: the opcode's /6 (left) or /2 (right) in ModRM.reg, the destination in vvvv.
            guard case .immediate(let imm) = operands[0], case .ymm(let src) = operands[1], case .ymm(let dst) = operands[2] else { return nil }
            return assemble(opcode: 0x72, map: 1, pp: 1, reg: name == "vpslld" ? 6 : 2, vvvv: dst, rm: .ymm(src)).map { $0 + [imm] }
        case ("vmaskmovps", 3):
            // A masked load (0F38 2C: register from memory) or store (0F38 2E: memory from register), the mask in vvvv.
            guard case .ymm(let mask) = operands[1] else { return nil }
            if case .ymm(let src) = operands[0], case .memory = operands[2] {
                return assemble(opcode: 0x2E, map: 2, pp: 1, reg: src, vvvv: mask, rm: operands[2])
            }
            guard case .memory = operands[0], case .ymm(let dst) = operands[2] else { return nil }
            return assemble(opcode: 0x2C, map: 2, pp: 1, reg: dst, vvvv: mask, rm: operands[0])
        case ("vcmpps", 4):
            // `vcmpps $predicate, b, a, dst`: dst = a <predicate> b, the predicate a trailing byte.
            guard case .immediate(let imm) = operands[0], imm < 32, case .ymm(let src1) = operands[2], case .ymm(let dst) = operands[3] else { return nil }
            if case .immediate = operands[1] { return nil }
            return assemble(opcode: 0xC2, map: 1, pp: 0, reg: dst, vvvv: src1, rm: operands[1]).map { $0 + [imm] }
        case ("vsqrtps", 2):
            guard case .ymm(let dst) = operands[1] else { return nil }
            return assemble(opcode: 0x51, map: 1, pp: 0, reg: dst, vvvv: 0, rm: operands[0])
        case ("vxorps", 3), ("vaddps", 3), ("vsubps", 3), ("vmulps", 3), ("vmaxps", 3), ("vminps", 3), ("vdivps", 3), ("vandps", 3),
            ("vandnps", 3), ("vorps", 3), ("vpaddd", 3), ("vpand", 3), ("vpandn", 3), ("vpor", 3), ("vpxor", 3), ("vpcmpeqd", 3),
            ("vfmadd231ps", 3), ("vfmadd213ps", 3), ("vfnmadd231ps", 3):
            guard let code = opcodes[name], case .ymm(let src1) = operands[1], case .ymm(let dst) = operands[2] else { return nil }
            return assemble(opcode: code.opcode, map: code.map, pp: code.pp, reg: dst, vvvv: src1, rm: operands[0])
        default: return nil
        }
    }

    /// VEX prefix (L = 256 bits, W = 0), opcode, ModRM, SIB and displacement.
    private static func assemble(opcode: UInt8, map: UInt8, pp: UInt8, reg: Int, vvvv: Int, rm: Operand) -> [UInt8]? {
        guard (0..<16).contains(reg), (0..<16).contains(vvvv) else { return nil }
        let r: UInt8 = reg < 8 ? 0x80 : 0
        let v = UInt8(~vvvv & 15) << 3
        var rmBits: Int
        var tail: [UInt8] = []
        let modrm: UInt8
        switch rm {
        case .ymm(let n):
            guard (0..<16).contains(n) else { return nil }
            rmBits = n
            modrm = 0xC0 | UInt8(reg & 7) << 3 | UInt8(n & 7)
        case .immediate: return nil
        case .memory(let base, let disp):
            rmBits = base
            // rbp/r13 as base need a displacement; rsp/r12 need a SIB byte.
            let mod: UInt8 = disp == 0 && base & 7 != 5 ? 0 : (-128...127).contains(disp) ? 1 : 2
            modrm = mod << 6 | UInt8(reg & 7) << 3 | UInt8(base & 7)
            if base & 7 == 4 { tail.append(0x24) }
            if mod == 1 { tail.append(UInt8(bitPattern: Int8(disp))) }
            if mod == 2 { tail += withUnsafeBytes(of: Int32(disp).littleEndian, Array.init) }
        }
        let b: UInt8 = rmBits < 8 ? 0x20 : 0
        let prefix: [UInt8] =
            map == 1 && b != 0
            ? [0xC5, r | v | 0x04 | pp]
            : [0xC4, r | 0x40 | b | map, v | 0x04 | pp]
        return prefix + [opcode, modrm] + tail
    }

    /// `%ymmN`, `$N`, `disp(%reg)` or `(%reg)`, comma-separated; read as UTF-8 bytes (walking
    /// Characters, each a grapheme-breaking step, was most of encoding an instruction).
    private static func parseOperands(_ text: String) -> [Operand]? {
        let b = Array(text.utf8)
        var i = 0
        var operands: [Operand] = []
        func skipSpaces() { while i < b.count, b[i] == UInt8(ascii: " ") { i += 1 } }
        /// The unsigned decimal at `i` (nil: no digit, or too long for any operand).
        func number() -> Int? {
            let start = i
            var value = 0
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                guard i - start < 9 else { return nil }
                value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
                i += 1
            }
            return i > start ? value : nil
        }
        while true {
            skipSpaces()
            if i == b.count { break }
            if b[i] == UInt8(ascii: "$") {
                i += 1
                guard let value = number(), let byte = UInt8(exactly: value) else { return nil }
                operands.append(.immediate(byte))
            } else if b[i...].starts(with: "%ymm".utf8) {
                i += 4
                guard let n = number() else { return nil }
                operands.append(.ymm(n))
            } else {
                guard let open = b[i...].firstIndex(of: UInt8(ascii: "(")), let close = b[i...].firstIndex(of: UInt8(ascii: ")")), open < close
                else { return nil }
                let dispText = b[i..<open]
                guard let disp = dispText.isEmpty ? 0 : Int(String(decoding: dispText, as: UTF8.self)) else { return nil }
                let name = b[(open + 1)..<close]
                guard name.first == UInt8(ascii: "%"), let base = registers[String(decoding: name.dropFirst(), as: UTF8.self)] else { return nil }
                operands.append(.memory(base: base, disp: disp))
                i = close + 1
            }
            skipSpaces()
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 } else if i < b.count { return nil }
        }
        return operands
    }

    /// A template with each `@ <instruction>` line replaced by its bytes in a string literal,
    /// the instruction kept as a comment.
    package static func expand(_ template: String) -> String {
        // Scanned as UTF-8 and appended to one string: Character-wise trimming and a String per
        // line were most of expanding the tcc forms, once per process. The unrolled
        // micro-kernels repeat instructions: each distinct one is encoded once.
        var encoded: [Substring: String] = [:]
        var out = ""
        out.reserveCapacity(template.utf8.count * 2)
        for (i, line) in template.lines.enumerated() {
            if i > 0 { out += "\n" }
            guard let at = line.utf8.firstIndex(where: { $0 != UInt8(ascii: " ") }),
                line.utf8[at...].starts(with: "@ ".utf8)
            else {
                out += line
                continue
            }
            let instruction = line[line.utf8.index(at, offsetBy: 2)...]
            let hex: String
            if let known = encoded[instruction] {
                hex = known
            } else {
                guard let bytes = encode(String(instruction)) else { preconditionFailure("VEX: cannot encode '\(instruction)'") }
                hex = bytes.map { "0x" + String($0, radix: 16, uppercase: false).leftPadded(to: 2) }.joined(separator: ",")
                encoded[instruction] = hex
            }
            out += line[..<at]
            out += "\".byte \(hex)\\n\\t\" /* \(instruction) */"
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
