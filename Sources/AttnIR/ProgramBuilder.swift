// Builds a `Program` one instruction at a time, inferring shapes as it goes.

/// Mutable builder used by lowering; `finish` returns the immutable, verified program.
public struct ProgramBuilder {
    /// The block name the program will carry (the C prefix).
    public let name: String
    /// Shape of the block input, value 0.
    public let input: Shape
    /// Parameters declared so far, in packing order.
    public private(set) var params: [ParamDecl] = []
    private(set) var instrs: [Instr] = []
    /// Index of each parameter by name: a graph declares thousands, each looked up once.
    private var paramIndex: [String: ParamID] = [:]

    /// The block input.
    public var x: ValueID { 0 }

    /// An empty program reading one input of shape `input`.
    public init(name: String, input: Shape) {
        self.name = name
        self.input = input
    }

    /// The inferred shape of a value added so far (0 is the input).
    public func shape(of v: ValueID) -> Shape { v == 0 ? input : instrs[v - 1].shape }

    /// Declares a parameter, or returns the existing one of that name (shared weights, as in
    /// CBAM's one MLP applied to two pooled vectors). A redeclaration must agree on dims.
    public mutating func param(_ name: String, _ dims: [Int], _ role: ParamRole) throws(IRError) -> ParamID {
        if let i = paramIndex[name] {
            guard params[i].dims == dims else {
                throw IRError("parameter \(name) used as \(params[i].dims) and as \(dims)")
            }
            return i
        }
        params.append(ParamDecl(name: name, dims: dims, role: role))
        paramIndex[name] = params.count - 1
        return params.count - 1
    }

    /// Appends an instruction and returns its value.
    @discardableResult
    public mutating func add(_ op: Op, _ operands: [ValueID], role: String) throws(IRError) -> ValueID {
        for v in operands where v < 0 || v > instrs.count {
            throw IRError("operand %\(v) is not defined before use")
        }
        let result = try op.resultShape(operands: operands.map { self.shape(of: $0) }, params: params)
        instrs.append(Instr(op: op, operands: operands, shape: result, role: role))
        return instrs.count
    }

    /// The program with `output` as its result, after `Verifier` has checked it; an `IRError`
    /// means lowering built something inconsistent.
    public func finish(output: ValueID) throws(IRError) -> Program {
        let program = Program(name: name, input: input, params: params, instrs: instrs, output: output)
        try Verifier.verify(program)
        return program
    }
}
