// The `.byte` encoder behind the tcc tier's AVX2/FMA micro-kernels, against the bytes GNU as
// (binutils, `as` then `objdump -d`) assembled for the same instructions, checked once and pinned
// here: every form the kernels use, with the registers that change the prefix (ymm8-15,
// r8-r15 bases), the bases that need a SIB byte or a displacement, and every displacement size.

@testable import AttnCEmit
import Testing

@Suite struct VEXTests {
    static let pinned: [(String, [UInt8])] = [
        ("vmovups (%rsi), %ymm12", [0xc5, 0x7c, 0x10, 0x26]),
        ("vmovups 32(%rsi), %ymm13", [0xc5, 0x7c, 0x10, 0x6e, 0x20]),
        ("vmovups %ymm0, (%r8)", [0xc4, 0xc1, 0x7c, 0x11, 0x00]),
        ("vmovups %ymm11, 32(%r11)", [0xc4, 0x41, 0x7c, 0x11, 0x5b, 0x20]),
        ("vmovups -64(%rax), %ymm3", [0xc5, 0xfc, 0x10, 0x58, 0xc0]),
        ("vmovups 256(%rdi), %ymm1", [0xc5, 0xfc, 0x10, 0x8f, 0x00, 0x01, 0x00, 0x00]),
        ("vmovups (%rsp), %ymm2", [0xc5, 0xfc, 0x10, 0x14, 0x24]),
        ("vmovups (%rbp), %ymm2", [0xc5, 0xfc, 0x10, 0x55, 0x00]),
        ("vmovups (%r12), %ymm9", [0xc4, 0x41, 0x7c, 0x10, 0x0c, 0x24]),
        ("vmovups (%r13), %ymm9", [0xc4, 0x41, 0x7c, 0x10, 0x4d, 0x00]),
        ("vbroadcastss (%rdi), %ymm14", [0xc4, 0x62, 0x7d, 0x18, 0x37]),
        ("vbroadcastss 20(%r11), %ymm15", [0xc4, 0x42, 0x7d, 0x18, 0x7b, 0x14]),
        ("vbroadcastss 4(%rax), %ymm7", [0xc4, 0xe2, 0x7d, 0x18, 0x78, 0x04]),
        ("vfmadd231ps %ymm12, %ymm14, %ymm0", [0xc4, 0xc2, 0x0d, 0xb8, 0xc4]),
        ("vfmadd231ps %ymm13, %ymm15, %ymm11", [0xc4, 0x42, 0x05, 0xb8, 0xdd]),
        ("vfmadd231ps (%rcx), %ymm1, %ymm2", [0xc4, 0xe2, 0x75, 0xb8, 0x11]),
        ("vfmadd231ps 64(%r8), %ymm9, %ymm10", [0xc4, 0x42, 0x35, 0xb8, 0x50, 0x40]),
        ("vxorps %ymm0, %ymm0, %ymm0", [0xc5, 0xfc, 0x57, 0xc0]),
        ("vxorps %ymm11, %ymm11, %ymm11", [0xc4, 0x41, 0x24, 0x57, 0xdb]),
        ("vaddps (%r11), %ymm0, %ymm0", [0xc4, 0xc1, 0x7c, 0x58, 0x03]),
        ("vaddps 32(%r10), %ymm9, %ymm9", [0xc4, 0x41, 0x34, 0x58, 0x4a, 0x20]),
        ("vaddps %ymm15, %ymm3, %ymm3", [0xc4, 0xc1, 0x64, 0x58, 0xdf]),
        ("vaddps %ymm3, %ymm15, %ymm8", [0xc5, 0x04, 0x58, 0xc3]),
        ("vmulps %ymm14, %ymm0, %ymm0", [0xc4, 0xc1, 0x7c, 0x59, 0xc6]),
        ("vmulps %ymm14, %ymm11, %ymm11", [0xc4, 0x41, 0x24, 0x59, 0xde]),
        ("vzeroupper", [0xc5, 0xf8, 0x77]),
        ("vsubps (%rsi), %ymm0, %ymm0", [0xc5, 0xfc, 0x5c, 0x06]),
        ("vsubps 128(%rsi), %ymm1, %ymm2", [0xc5, 0xf4, 0x5c, 0x96, 0x80, 0x00, 0x00, 0x00]),
        ("vmaxps 32(%rsi), %ymm0, %ymm0", [0xc5, 0xfc, 0x5f, 0x46, 0x20]),
        ("vfmadd213ps 224(%rsi), %ymm0, %ymm3", [0xc4, 0xe2, 0x7d, 0xa8, 0x9e, 0xe0, 0x00, 0x00, 0x00]),
        ("vfmadd213ps (%rsi), %ymm8, %ymm9", [0xc4, 0x62, 0x3d, 0xa8, 0x0e]),
        ("vfnmadd231ps 160(%rsi), %ymm2, %ymm0", [0xc4, 0xe2, 0x6d, 0xbc, 0x86, 0xa0, 0x00, 0x00, 0x00]),
        ("vfnmadd231ps %ymm12, %ymm13, %ymm14", [0xc4, 0x42, 0x15, 0xbc, 0xf4]),
        ("vpaddd %ymm1, %ymm3, %ymm3", [0xc5, 0xe5, 0xfe, 0xd9]),
        ("vpaddd %ymm9, %ymm10, %ymm11", [0xc4, 0x41, 0x2d, 0xfe, 0xd9]),
        ("vpslld $23, %ymm1, %ymm1", [0xc5, 0xf5, 0x72, 0xf1, 0x17]),
        ("vpslld $23, %ymm9, %ymm10", [0xc4, 0xc1, 0x2d, 0x72, 0xf1, 0x17]),
        ("vaddps %ymm3, %ymm4, %ymm4", [0xc5, 0xdc, 0x58, 0xe3]),
    ]

    @Test func matchesGNUAs() {
        for (instruction, bytes) in Self.pinned {
            #expect(VEX.encode(instruction) == bytes, "\(instruction)")
        }
    }

    @Test func refusesWhatItCannotEncode() {
        for line in ["vbroadcastss %ymm1, %ymm2", "vfmadd231ps %ymm1, %ymm2", "vmovups (%rsi,%rax,4), %ymm0",
                     "vaddps %xmm1, %xmm2, %xmm3", "vdivps %ymm1, %ymm2, %ymm3", "vmovups (%eax), %ymm0", "vmovups (%rsi), %ymm16",
                     "vpslld $256, %ymm1, %ymm1", "vaddps $3, %ymm1, %ymm1"] {
            #expect(VEX.encode(line) == nil, "\(line)")
        }
    }

    @Test func expandsTemplateLines() {
        let text = VEX.expand("    \"1:\\n\\t\"\n    @ vzeroupper\n")
        #expect(text == "    \"1:\\n\\t\"\n    \".byte 0xc5,0xf8,0x77\\n\\t\" /* vzeroupper */\n")
    }
}
