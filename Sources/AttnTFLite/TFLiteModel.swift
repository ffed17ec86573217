// The parts of a .tflite model the importer reads: subgraph 0's tensors (shape, type, buffer,
// quantisation), the buffers' bytes, and its operators with their builtin opcode and the options
// the recognised blocks need. Values only; TFLiteReader builds them from the flatbuffer.

/// A tensor element type, by the schema's `TensorType` number.
package enum TFLiteType: Equatable, Sendable, CustomStringConvertible {
    /// FLOAT32 (0).
    case float32
    /// INT32 (2).
    case int32
    /// INT8 (9).
    case int8
    /// Any other type, by its schema number.
    case other(Int64)

    /// From the schema's number.
    package init(_ code: Int64) {
        switch code {
        case 0: self = .float32
        case 2: self = .int32
        case 9: self = .int8
        default: self = .other(code)
        }
    }

    /// The schema's name.
    package var description: String {
        switch self {
        case .float32: "FLOAT32"
        case .int32: "INT32"
        case .int8: "INT8"
        case .other(let code): "TensorType \(code)"
        }
    }
}

/// A tensor's affine quantisation: real = scale · (q − zero point), per tensor (one scale) or per
/// channel along `dimension`.
package struct TFLiteQuantization: Equatable, Sendable {
    /// One scale, or one per channel.
    package let scales: [Float]
    /// One zero point per scale (a file may omit them: all 0).
    package let zeroPoints: [Int64]
    /// The channel axis of per-channel scales.
    package let dimension: Int
}

/// One tensor of subgraph 0.
package struct TFLiteTensor: Equatable, Sendable {
    /// The tensor's name in the file (may be empty).
    package let name: String
    /// Its dimensions (NHWC for activations, OHWI for conv weights).
    package let shape: [Int]
    /// Element type.
    package let type: TFLiteType
    /// Index into the model's buffers; 0 (the empty buffer) for activations.
    package let buffer: Int
    /// Quantisation, nil when the tensor has none.
    package let quantization: TFLiteQuantization?

    /// The product of the dimensions.
    package var elementCount: Int { shape.reduce(1, *) }
}

/// The fused activation of an op's output, the schema's `ActivationFunctionType`.
package enum TFLiteActivation: Equatable, Sendable {
    /// NONE.
    case none
    /// RELU.
    case relu
    /// RELU_N1_TO_1.
    case reluN1To1
    /// RELU6.
    case relu6
    /// TANH, SIGN_BIT or a number the schema does not define.
    case other(Int64)

    /// From the schema's number.
    package init(_ code: Int64) {
        switch code {
        case 0: self = .none
        case 1: self = .relu
        case 2: self = .reluN1To1
        case 3: self = .relu6
        default: self = .other(code)
        }
    }
}

/// The builtin options the importer reads, by op family; `.other` for everything else.
package enum TFLiteOptions: Equatable, Sendable {
    /// Conv2DOptions.
    case conv2D(padding: Int64, strideW: Int64, strideH: Int64, activation: TFLiteActivation, dilationW: Int64, dilationH: Int64)
    /// ReducerOptions (MEAN, SUM, REDUCE_MAX, ...).
    case reducer(keepDims: Bool)
    /// MulOptions, AddOptions, SubOptions: the fused activation.
    case arithmetic(activation: TFLiteActivation)
    /// ConcatenationOptions: the axis (negative counts from the last) and the fused activation.
    case concatenation(axis: Int64, activation: TFLiteActivation)
    /// No options, or options of a type the importer does not read (its schema number).
    case other(Int64)
}

/// One operator of subgraph 0.
package struct TFLiteOperator: Equatable, Sendable {
    /// The builtin operator number (`BuiltinOperator`); the larger of the deprecated and new fields.
    package let opcode: Int64
    /// A custom op's name, nil for builtins.
    package let customCode: String?
    /// Input tensor indices; -1 is an omitted optional input.
    package let inputs: [Int]
    /// Output tensor indices.
    package let outputs: [Int]
    /// The builtin options the importer reads.
    package let options: TFLiteOptions
}

/// Subgraph 0 of a model, with the buffers it refers to.
package struct TFLiteModel: Sendable {
    /// The tensors.
    package let tensors: [TFLiteTensor]
    /// The operators, in execution order.
    package let operators: [TFLiteOperator]
    /// The subgraph's input tensor indices.
    package let inputs: [Int]
    /// The subgraph's output tensor indices.
    package let outputs: [Int]
    /// Every buffer's bytes (buffer 0 is empty by convention).
    package let buffers: [ArraySlice<UInt8>]

    /// The bytes of tensor `index`'s constant data, empty for activations.
    package func data(_ index: Int) -> ArraySlice<UInt8> { buffers[tensors[index].buffer] }
}

/// Builtin operator numbers the importer matches on (the schema's `BuiltinOperator`).
package enum BuiltinOp {
    /// ADD.
    package static let add: Int64 = 0
    /// CONV_2D.
    package static let conv2D: Int64 = 3
    /// LOGISTIC.
    package static let logistic: Int64 = 14
    /// MUL.
    package static let mul: Int64 = 18
    /// MEAN.
    package static let mean: Int64 = 40
    /// HARD_SWISH.
    package static let hardSwish: Int64 = 117
    /// SUM.
    package static let sum: Int64 = 74
    /// REDUCE_MAX.
    package static let reduceMax: Int64 = 82
    /// RESHAPE.
    package static let reshape: Int64 = 22
    /// SQUEEZE.
    package static let squeeze: Int64 = 43
    /// EXPAND_DIMS.
    package static let expandDims: Int64 = 70
    /// CONCATENATION.
    package static let concatenation: Int64 = 2
    /// QUANTIZE.
    package static let quantize: Int64 = 114

    /// The schema's name of the operators the importer talks about, else the number.
    package static func name(_ code: Int64) -> String {
        switch code {
        case add: "ADD"
        case conv2D: "CONV_2D"
        case logistic: "LOGISTIC"
        case mul: "MUL"
        case mean: "MEAN"
        case hardSwish: "HARD_SWISH"
        case sum: "SUM"
        case reduceMax: "REDUCE_MAX"
        case 4: "DEPTHWISE_CONV_2D"
        case 9: "FULLY_CONNECTED"
        case 1: "AVERAGE_POOL_2D"
        case 17: "MAX_POOL_2D"
        case reshape: "RESHAPE"
        case squeeze: "SQUEEZE"
        case expandDims: "EXPAND_DIMS"
        case concatenation: "CONCATENATION"
        case quantize: "QUANTIZE"
        case 6: "DEQUANTIZE"
        case 19: "RELU"
        case 21: "RELU6"
        default: "builtin \(code)"
        }
    }
}
