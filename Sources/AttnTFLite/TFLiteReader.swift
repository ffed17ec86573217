// Reads subgraph 0 of a .tflite model (schema.fbs field numbers) into TFLiteModel, checking every
// cross-reference: tensor indices of operators and of the subgraph's inputs and outputs, buffer
// indices, opcode indices, quantisation vector lengths. Limits keep a small hostile file from
// asking for a huge amount of work (a million tensors sharing one shape vector).

/// Reads a .tflite model's subgraph 0.
package enum TFLiteReader {
    /// At most this many tensors, operators, buffers or operator codes.
    package static let maxEntries = 1 << 20
    /// At most this many dimensions per tensor, and inputs or outputs per operator.
    package static let maxRank = 8
    /// At most this many operands of one operator.
    package static let maxOperands = 64

    /// The model in `bytes`, or the first rule it breaks.
    package static func read(_ bytes: [UInt8]) throws(TFLiteError) -> TFLiteModel {
        let root = try FlatBuffer(bytes).root(identifier: "TFL3", path: "model")
        // Model: operator_codes 1, subgraphs 2, buffers 4.
        let codeTables = try limited(root.tables(1, "operator_codes"), "\(root.path).operator_codes")
        var codes: [(opcode: Int64, custom: String?)] = []
        for code in codeTables {
            // OperatorCode: deprecated_builtin_code 0 (int8), custom_code 1, builtin_code 3 (int32).
            let deprecated = try code.int(0, "deprecated_builtin_code", width: 1)
            let builtin = try code.int(3, "builtin_code")
            codes.append((max(deprecated, builtin), try code.string(1, "custom_code")))
        }
        let bufferTables = try limited(root.tables(4, "buffers"), "\(root.path).buffers")
        var buffers: [ArraySlice<UInt8>] = []
        for buffer in bufferTables {
            // Buffer: data 0, offset 1, size 2 (data outside the flatbuffer, for models over 2 GB).
            if try buffer.int(1, "offset", width: 8, signed: false) > 1 {
                throw TFLiteError(.unsupported, "\(buffer.path).offset", "data stored outside the flatbuffer is not read")
            }
            buffers.append(try buffer.bytes(0, "data"))
        }
        let subgraphs = try root.tables(2, "subgraphs")
        guard let graph = subgraphs.first else {
            throw TFLiteError(.invalidValue, "\(root.path).subgraphs", "the model has no subgraph")
        }
        let tensorTables = try limited(graph.tables(0, "tensors"), "\(graph.path).tensors")
        var tensors: [TFLiteTensor] = []
        for table in tensorTables {
            tensors.append(try tensor(table, bufferCount: buffers.count))
        }
        func tensorIndices(_ values: [Int32], _ path: String, optional: Bool) throws(TFLiteError) -> [Int] {
            guard values.count <= maxOperands else {
                throw TFLiteError(.unsupported, path, "\(values.count) entries; at most \(maxOperands) are read")
            }
            var out: [Int] = []
            for (i, v) in values.enumerated() {
                guard (optional && v == -1) || (v >= 0 && Int(v) < tensors.count) else {
                    throw TFLiteError(.invalidValue, "\(path)[\(i)]", "tensor index \(v) is not in 0..<\(tensors.count)")
                }
                out.append(Int(v))
            }
            return out
        }
        let inputs = try tensorIndices(graph.int32s(1, "inputs"), "\(graph.path).inputs", optional: false)
        let outputs = try tensorIndices(graph.int32s(2, "outputs"), "\(graph.path).outputs", optional: false)
        var operators: [TFLiteOperator] = []
        for op in try limited(graph.tables(3, "operators"), "\(graph.path).operators") {
            // Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4.
            let index = try op.int(0, "opcode_index", signed: false)
            guard index < codes.count else {
                throw TFLiteError(.invalidValue, "\(op.path).opcode_index", "\(index) is not in 0..<\(codes.count) operator codes")
            }
            let opIn = try tensorIndices(op.int32s(1, "inputs"), "\(op.path).inputs", optional: true)
            let opOut = try tensorIndices(op.int32s(2, "outputs"), "\(op.path).outputs", optional: false)
            let optionsType = try op.int(3, "builtin_options_type", width: 1, signed: false)
            let options = try builtinOptions(optionsType, try op.table(4, "builtin_options"))
            let code = codes[Int(index)]
            operators.append(TFLiteOperator(opcode: code.opcode, customCode: code.custom, inputs: opIn, outputs: opOut, options: options))
        }
        return TFLiteModel(tensors: tensors, operators: operators, inputs: inputs, outputs: outputs, buffers: buffers)
    }

    private static func limited(_ tables: [FlatTable], _ path: String) throws(TFLiteError) -> [FlatTable] {
        guard tables.count <= maxEntries else {
            throw TFLiteError(.unsupported, path, "\(tables.count) entries; at most \(maxEntries) are read")
        }
        return tables
    }

    private static func tensor(_ t: FlatTable, bufferCount: Int) throws(TFLiteError) -> TFLiteTensor {
        // Tensor: shape 0, type 1 (int8), buffer 2 (uint), name 3, quantization 4.
        let dims = try t.int32s(0, "shape")
        guard dims.count <= maxRank else {
            throw TFLiteError(.unsupported, "\(t.path).shape", "\(dims.count) dimensions; at most \(maxRank) are read")
        }
        var shape: [Int] = []
        var count = 1
        for (i, d) in dims.enumerated() {
            guard d >= 0 else {
                throw TFLiteError(.invalidValue, "\(t.path).shape[\(i)]", "dimension \(d) is negative")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= Int(Int32.max) else {
                throw TFLiteError(.invalidValue, "\(t.path).shape", "\(dims) has more than 2^31 elements")
            }
            count = product
            shape.append(Int(d))
        }
        let type = TFLiteType(try t.int(1, "type", width: 1))
        let buffer = try t.int(2, "buffer", signed: false)
        guard buffer < bufferCount else {
            throw TFLiteError(.invalidValue, "\(t.path).buffer", "buffer index \(buffer) is not in 0..<\(bufferCount)")
        }
        let name = try t.string(3, "name") ?? ""
        var quantization: TFLiteQuantization?
        if let q = try t.table(4, "quantization") {
            // QuantizationParameters: scale 2, zero_point 3, quantized_dimension 6.
            let scales = try q.floats(2, "scale")
            let zeroPoints = try q.int64s(3, "zero_point")
            let dimension = try q.int(6, "quantized_dimension")
            if !scales.isEmpty {
                guard scales.count == 1 || (dimension >= 0 && Int(dimension) < shape.count && shape[Int(dimension)] == scales.count) else {
                    throw TFLiteError(.invalidValue, "\(q.path).scale", "\(scales.count) scales for shape \(shape) along dimension \(dimension)")
                }
                guard zeroPoints.isEmpty || zeroPoints.count == scales.count else {
                    throw TFLiteError(.invalidValue, "\(q.path).zero_point", "\(zeroPoints.count) zero points for \(scales.count) scales")
                }
                quantization = TFLiteQuantization(
                    scales: scales, zeroPoints: zeroPoints.isEmpty ? Array(repeating: 0, count: scales.count) : zeroPoints,
                    dimension: Int(dimension))
            }
        }
        return TFLiteTensor(name: name, shape: shape, type: type, buffer: Int(buffer), quantization: quantization)
    }

    /// BuiltinOptions union numbers: Conv2DOptions 1, ConcatenationOptions 10, AddOptions 11, MulOptions 21,
    /// ReducerOptions 27.
    private static func builtinOptions(_ type: Int64, _ table: FlatTable?) throws(TFLiteError) -> TFLiteOptions {
        guard let table else { return .other(type) }
        switch type {
        case 1:
            return .conv2D(
                padding: try table.int(0, "padding", width: 1), strideW: try table.int(1, "stride_w"),
                strideH: try table.int(2, "stride_h"),
                activation: TFLiteActivation(try table.int(3, "fused_activation_function", width: 1)),
                dilationW: try table.int(4, "dilation_w_factor", default: 1),
                dilationH: try table.int(5, "dilation_h_factor", default: 1))
        case 10:
            return .concatenation(
                axis: try table.int(0, "axis"), activation: TFLiteActivation(try table.int(1, "fused_activation_function", width: 1)))
        case 27:
            return .reducer(keepDims: try table.bool(0, "keep_dims"))
        case 11, 21:
            return .arithmetic(activation: TFLiteActivation(try table.int(0, "fused_activation_function", width: 1)))
        default:
            return .other(type)
        }
    }
}
