extension SafeTensorsFile {
    /// Element types of the safetensors format, spelled as in the header.
    ///
    /// Only types with whole-byte elements are listed: sub-byte types (F4, F6_*) and
    /// complex types would need layouts this project has no use for, so a file using them
    /// is refused with `unknownDType` rather than misread.
    package enum DType: String, Sendable, CaseIterable {
        case f64 = "F64"
        case f32 = "F32"
        case f16 = "F16"
        case bf16 = "BF16"
        /// 8-bit float, 4 exponent bits, no infinities (PyTorch `float8_e4m3fn`).
        case f8e4m3 = "F8_E4M3"
        /// 8-bit float, 5 exponent bits (PyTorch `float8_e5m2`).
        case f8e5m2 = "F8_E5M2"
        case i64 = "I64"
        case i32 = "I32"
        case i16 = "I16"
        case i8 = "I8"
        case u64 = "U64"
        case u32 = "U32"
        case u16 = "U16"
        case u8 = "U8"
        case bool = "BOOL"

        /// Bytes per element.
        package var byteSize: Int {
            switch self {
            case .f64, .i64, .u64: return 8
            case .f32, .i32, .u32: return 4
            case .f16, .bf16, .i16, .u16: return 2
            case .f8e4m3, .f8e5m2, .i8, .u8, .bool: return 1
            }
        }

        /// Whether `floats()` accepts this type. Integer and bool tensors are refused there
        /// because silently turning indices or masks into weights would hide a wrong mapping.
        package var isFloatingPoint: Bool {
            switch self {
            case .f64, .f32, .f16, .bf16, .f8e4m3, .f8e5m2: return true
            case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool: return false
            }
        }
    }
}
