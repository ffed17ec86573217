import Testing
import AttnWeights

/// Each float dtype decoded from bytes written by hand, so the test does not trust the
/// conversion code to produce its own expectations.
@Suite struct DTypeConversionTests {
    private func file(dtype: String, count: Int, data: [UInt8]) throws -> SafeTensorsFile {
        let header = #"{"t":{"dtype":"\#(dtype)","shape":[\#(count)],"data_offsets":[0,\#(data.count)]}}"#
        return try SafeTensorsFile(bytes: handMadeFile(header: header, data: data), source: "\(dtype).safetensors")
    }

    @Test func f16() throws {
        let bits: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x8000, 0x7C00, 0xFC00, 0x3555, 0x03FF, 0x7E00]
        let values = try file(dtype: "F16", count: bits.count, data: littleEndianBytes(bits)).floats("t")
        let expected: [Float] = [1, -2, 65504, 0x1p-24, 0x1p-14, -0.0, .infinity, -.infinity, 0.333251953125, 1023 * 0x1p-24]
        #expect(Array(values.prefix(expected.count)).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(values.last?.isNaN == true)
    }

    @Test func bf16() throws {
        let bits: [UInt16] = [0x3F80, 0xC040, 0x4049, 0x7F80, 0x0001, 0x8000, 0x7FC0]
        let f = try file(dtype: "BF16", count: bits.count, data: littleEndianBytes(bits))
        let values = try f.floats("t")
        let expected: [Float] = [1, -3, 3.140625, .infinity, Float(bitPattern: 0x0001_0000), -0.0]
        #expect(Array(values.prefix(expected.count)).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(values.last?.isNaN == true)
        #expect(try f.firstNonFinite("t") == 3)
    }

    @Test func f64() throws {
        let doubles: [Double] = [1, -2.5, 0.1, 1e300, 1e-50, -.infinity, .nan]
        let f = try file(dtype: "F64", count: doubles.count, data: littleEndianBytes(doubles.map(\.bitPattern)))
        let values = try f.floats("t")
        let expected: [Float] = [1, -2.5, Float(0.1 as Double), .infinity, 0, -.infinity]
        #expect(Array(values.prefix(expected.count)) == expected)
        #expect(values.last?.isNaN == true)
        // 1e300 does not fit in Float: it becomes infinite once converted, and is flagged.
        #expect(try f.firstNonFinite("t") == 3)
    }

    @Test func f8E4M3() throws {
        let bits: [UInt8] = [0x38, 0x7E, 0x01, 0xB8, 0x08, 0x80, 0x7F]
        let values = try file(dtype: "F8_E4M3", count: bits.count, data: bits).floats("t")
        let expected: [Float] = [1, 448, 0x1p-9, -1, 0x1p-6, -0.0]
        #expect(Array(values.prefix(expected.count)).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(values.last?.isNaN == true)
    }

    @Test func f8E5M2() throws {
        let bits: [UInt8] = [0x3C, 0x7B, 0x7C, 0x01, 0xC0, 0x7E]
        let values = try file(dtype: "F8_E5M2", count: bits.count, data: bits).floats("t")
        let expected: [Float] = [1, 57344, .infinity, 0x1p-16, -2]
        #expect(Array(values.prefix(expected.count)) == expected)
        #expect(values.last?.isNaN == true)
    }

    @Test func f32IsReadUnaligned() throws {
        // A 2-byte U8 tensor first pushes the F32 data off 4-byte alignment.
        let header = #"{"pad":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"t":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}}"#
        let data: [UInt8] = [9, 9] + littleEndianBytes([Float(1.5).bitPattern, Float(-3).bitPattern])
        let f = try SafeTensorsFile(bytes: handMadeFile(header: header, data: data), source: "u.safetensors")
        #expect(try f.floats("t") == [1.5, -3])
        #expect(try f.tensor("pad").bytes == [9, 9])
    }

    @Test(arguments: ["I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"])
    func integerDTypesAreRefused(dtype: String) throws {
        let size = SafeTensorsFile.DType(rawValue: dtype)?.byteSize ?? 0
        let f = try file(dtype: dtype, count: 3, data: [UInt8](repeating: 1, count: 3 * size))
        #expect(f.tensors["t"]?.elementCount == 3)
        for attempt in [{ _ = try f.floats("t") }, { _ = try f.firstNonFinite("t") }] as [() throws -> Void] {
            do {
                try attempt()
                Issue.record("\(dtype) was accepted as floats")
            } catch let error as WeightsError {
                #expect(error.rule == .wrongDType)
                #expect(error.tensor == "t")
                #expect(error.description.contains("tensor \"t\""))
                #expect(error.description.contains(dtype))
            }
        }
    }
}
