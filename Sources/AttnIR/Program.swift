// An SSA program over static shapes: the single contract between lowering, interpreter and emitter.

/// A value in a program: 0 is the block input, `i + 1` is the result of `instrs[i]`.
public typealias ValueID = Int

/// One instruction: an op applied to earlier values, with its inferred result shape.
public struct Instr: Hashable, Sendable {
    /// What it computes.
    public let op: Op
    /// The values it reads, each defined earlier (0 is the block input).
    public let operands: [ValueID]
    /// Its result's shape, as inferred from the op and operands.
    public let shape: Shape
    /// Short role used to name the value in printed IR and emitted C (`pool`, `fc1`, `gate`).
    public let role: String

    /// An instruction as the builder records it; `Verifier` checks the shape against inference.
    public init(op: Op, operands: [ValueID], shape: Shape, role: String) {
        self.op = op
        self.operands = operands
        self.shape = shape
        self.role = role
    }
}

/// A lowered block: input shape, parameters, instructions in dependency order, one output.
public struct Program: Hashable, Sendable {
    /// The block name: the prefix of every C symbol and file.
    public let name: String
    /// Shape of value 0, the block input.
    public let input: Shape
    /// Parameter tensors in packing order.
    public let params: [ParamDecl]
    /// Instructions in dependency order; instruction i defines value i + 1.
    public let instrs: [Instr]
    /// The value returned as the block's output.
    public let output: ValueID

    /// A program as given, unchecked: build with `ProgramBuilder` or run `Verifier.verify`.
    public init(name: String, input: Shape, params: [ParamDecl], instrs: [Instr], output: ValueID) {
        self.name = name
        self.input = input
        self.params = params
        self.instrs = instrs
        self.output = output
    }

    /// Shape of any value.
    public func shape(of v: ValueID) -> Shape { v == 0 ? input : instrs[v - 1].shape }

    /// The instruction defining `v`, nil for the input.
    public func instr(defining v: ValueID) -> Instr? { v == 0 ? nil : instrs[v - 1] }

    /// Shape of the block output.
    public var outputShape: Shape { shape(of: output) }

    /// Floats in the flat parameter array.
    public var paramCount: Int { params.reduce(0) { $0 + $1.count } }

    /// Start of each parameter tensor in the flat array, in declaration order.
    public var paramOffsets: [Int] {
        var offsets: [Int] = []
        var next = 0
        for p in params {
            offsets.append(next)
            next += p.count
        }
        return offsets
    }

    /// Values each value is read by, in program order.
    public func users() -> [[Int]] {
        var users = Array(repeating: [Int](), count: instrs.count + 1)
        for (i, instr) in instrs.enumerated() {
            // Users arrive in order, so a repeat (x·x) can only be the last one: no search, which
            // kept a value read by thousands of layers (x in a long gate chain) quadratic.
            for v in instr.operands where users[v].last != i + 1 { users[v].append(i + 1) }
        }
        return users
    }
}
