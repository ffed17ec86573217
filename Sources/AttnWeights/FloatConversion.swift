extension SafeTensorsFile {
    /// The values of tensor `name` as `Float`, flattened in row-major order.
    ///
    /// F32 is returned as is (NaN payloads included); F64 is rounded to nearest (values
    /// beyond Float's range become ±infinity); F16, BF16, F8_E4M3 and F8_E5M2 convert
    /// exactly. Integer and bool tensors throw `wrongDType` naming the tensor; unknown
    /// names throw `unknownTensor`.
    package func floats(_ name: String) throws(WeightsError) -> [Float] {
        let tensor = try tensor(name)
        guard let values = tensor.decodedFloats() else { throw Self.notFloat(tensor.dtype, name: name, source: source) }
        return values
    }

    /// The refusal of a float view of an integer or bool tensor.
    static func notFloat(_ dtype: DType, name: String, source: String) -> WeightsError {
        let accepted = DType.allCases.filter(\.isFloatingPoint).map(\.rawValue).joined(separator: ", ")
        return WeightsError(source: source, tensor: name, rule: .wrongDType,
                            detail: "dtype \(dtype.rawValue) is not a float type; float weights must be one of \(accepted)")
    }

    /// Flat index of the first element of `floats(name)` that is NaN or ±infinity, or nil
    /// when all are finite. It judges the converted values, so an F64 too large for Float
    /// counts as non-finite, just as it would be once imported. Throws as `floats` does.
    package func firstNonFinite(_ name: String) throws(WeightsError) -> Int? {
        try floats(name).firstIndex { !$0.isFinite }
    }
}

extension SafeTensorsFile.Tensor {
    /// The values as Float, or nil for integer and bool dtypes.
    ///
    /// Reads with `loadUnaligned` over the raw buffer: the data section has no alignment
    /// guarantee, and per-element collection subscripting would be far slower on
    /// multi-megabyte tensors. The count comes from `bytes.count`, so reads stay in bounds
    /// whatever `shape` says.
    func decodedFloats() -> [Float]? {
        switch dtype {
        case .f32: return copyF32()
        case .f64: return convert(UInt64.self) { Float(Double(bitPattern: $0)) }
        case .f16: return convert(UInt16.self, FloatBits.fromHalf)
        case .bf16: return convert(UInt16.self) { Float(bitPattern: UInt32($0) << 16) }
        case .f8e5m2: return convert(UInt8.self) { FloatBits.fromHalf(UInt16($0) << 8) }
        case .f8e4m3: return convert(UInt8.self, FloatBits.fromE4M3FN)
        case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool: return nil
        }
    }

    /// F32 needs no conversion: on little-endian hosts the bytes are copied as they are.
    private func copyF32() -> [Float] {
        #if _endian(little)
        let count = bytes.count / 4
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * 4)]))
                initialized = count
            }
        }
        #else
        return convert(UInt32.self) { Float(bitPattern: $0) }
        #endif
    }

    private func convert<Bits: FixedWidthInteger>(_: Bits.Type, _ toFloat: (Bits) -> Float) -> [Float] {
        let stride = MemoryLayout<Bits>.size
        let count = bytes.count / stride
        return bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    let bits = Bits(littleEndian: raw.loadUnaligned(fromByteOffset: i * stride, as: Bits.self))
                    buffer[i] = toFloat(bits)
                }
                initialized = count
            }
        }
    }
}

/// Bit-level conversions from the narrow float formats, written out rather than using
/// `Float16` because that type is missing on some platforms (macOS on x86_64).
enum FloatBits {
    /// IEEE 754 binary16 → Float, exact, keeping the sign of zero and NaN payloads.
    static func fromHalf(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0x1F:  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        case 0:  // zero or subnormal: mantissa × 2^-24, exact in Float
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// float8 E4M3 "FN" → Float: bias 7, no infinities, NaN only at S.1111.111.
    static func fromE4M3FN(_ b: UInt8) -> Float {
        let negative = b & 0x80 != 0
        let exponent = UInt32(b >> 3) & 0x0F
        let mantissa = UInt32(b & 0x07)
        let magnitude: Float
        if exponent == 0x0F && mantissa == 0x07 {
            magnitude = .nan
        } else if exponent == 0 {  // subnormal: mantissa × 2^-9
            magnitude = Float(mantissa) * 0x1p-9
        } else {
            magnitude = Float(bitPattern: (exponent + 120) << 23 | mantissa << 20)
        }
        return negative ? -magnitude : magnitude
    }
}
