// The verifier against hand-made bad programs, built with `Program(...)` directly so the
// builder's own checks do not get in the way.

import AttnIR
import Testing

private let x = Shape(n: 1, c: 8, h: 4, w: 4)
private let vec = Shape(n: 1, c: 8, h: 1, w: 1)
private let small = Shape(n: 1, c: 2, h: 1, w: 1)

private func instr(_ op: Op, _ operands: [ValueID], _ shape: Shape, _ role: String) -> Instr {
    Instr(op: op, operands: operands, shape: shape, role: role)
}

/// The message `Verifier.verify` throws, or nil when the program passes.
private func verifierMessage(_ p: Program) -> String? {
    do {
        try Verifier.verify(p)
        return nil
    } catch {
        return error.message
    }
}

/// `x · σ(mean_HW(x))`, with `extra` instructions spliced in before the gate if needed.
private func gateProgram(params: [ParamDecl] = [], instrs: [Instr]? = nil, output: ValueID = 3) -> Program {
    Program(
        name: "p", input: x, params: params,
        instrs: instrs ?? [
            instr(.globalPool(.mean), [0], vec, "pool"),
            instr(.unary(.sigmoid), [1], vec, "gate"),
            instr(.binary(.mul), [0, 2], x, "out"),
        ], output: output)
}

@Suite("Verifier")
struct VerifierTests {
    @Test func acceptsAWellFormedProgram() {
        #expect(verifierMessage(gateProgram()) == nil)
    }

    @Test func rejectsAnOperandDefinedAfterItsUse() {
        let p = gateProgram(instrs: [
            instr(.unary(.sigmoid), [2], vec, "gate"),
            instr(.globalPool(.mean), [0], vec, "pool"),
            instr(.binary(.mul), [0, 1], x, "out"),
        ])
        #expect(verifierMessage(p) == "%1 reads %2, which is not defined before it")
    }

    @Test func rejectsAnInstructionReadingItself() {
        let p = gateProgram(instrs: [
            instr(.globalPool(.mean), [0], vec, "pool"),
            instr(.unary(.sigmoid), [2], vec, "gate"),
            instr(.binary(.mul), [0, 2], x, "out"),
        ])
        #expect(verifierMessage(p) == "%2 reads %2, which is not defined before it")
    }

    @Test func rejectsANegativeOperand() {
        let p = gateProgram(instrs: [
            instr(.globalPool(.mean), [-1], vec, "pool"),
            instr(.unary(.sigmoid), [1], vec, "gate"),
            instr(.binary(.mul), [0, 2], x, "out"),
        ])
        #expect(verifierMessage(p) == "%1 reads %-1, which is not defined before it")
    }

    @Test func rejectsAWrongClaimedShape() {
        let p = gateProgram(instrs: [
            instr(.globalPool(.mean), [0], x, "pool"),  // really [1,8,1,1]
            instr(.unary(.sigmoid), [1], x, "gate"),
            instr(.binary(.mul), [0, 2], x, "out"),
        ])
        #expect(verifierMessage(p) == "%1 claims shape [1,8,4,4] but global_pool.mean gives [1,8,1,1]")
    }

    @Test func rejectsAParameterOfWrongDims() {
        let p = gateProgram(
            params: [ParamDecl(name: "fc.weight", dims: [2, 9], role: .weight)],
            instrs: [
                instr(.globalPool(.mean), [0], vec, "pool"),
                instr(.linear(weight: 0, bias: nil, outFeatures: 2), [1], small, "fc"),
                instr(.binary(.mul), [0, 2], Shape(n: 1, c: 8, h: 4, w: 4), "out"),
            ])
        #expect(verifierMessage(p) == "linear weight: parameter fc.weight is [2, 9], expected [2, 8]")
    }

    @Test(arguments: [[Int](), [0], [2, 0], [-1, 8]])
    func rejectsAParameterWithEmptyOrNonPositiveDims(dims: [Int]) {
        let p = gateProgram(params: [ParamDecl(name: "w", dims: dims, role: .weight)])
        #expect(verifierMessage(p) == "parameter w has dims \(dims)")
    }

    @Test func rejectsAnUnusedParameter() {
        let p = gateProgram(params: [ParamDecl(name: "fc1.weight", dims: [2, 8], role: .weight)])
        #expect(verifierMessage(p) == "parameter fc1.weight is never used")
    }

    @Test func rejectsDeadCode() {
        let p = gateProgram(instrs: [
            instr(.globalPool(.mean), [0], vec, "pool"),
            instr(.globalPool(.max), [0], vec, "unused_max"),
            instr(.unary(.sigmoid), [1], vec, "gate"),
            instr(.binary(.mul), [0, 3], x, "out"),
        ], output: 4)
        #expect(verifierMessage(p) == "%2 (unused_max) does not reach the output")
    }

    @Test func rejectsInstructionsAfterTheOutput() {
        // The gate is the output; the final mul is computed and thrown away.
        let p = gateProgram(output: 2)
        #expect(verifierMessage(p) == "%3 (out) does not reach the output")
    }

    @Test func rejectsADuplicateParameterName() {
        let w = ParamDecl(name: "fc.weight", dims: [8, 8], role: .weight)
        let p = gateProgram(
            params: [w, w],
            instrs: [
                instr(.globalPool(.mean), [0], vec, "pool"),
                instr(.linear(weight: 0, bias: nil, outFeatures: 8), [1], vec, "fc_a"),
                instr(.linear(weight: 1, bias: nil, outFeatures: 8), [2], vec, "fc_b"),
                instr(.binary(.mul), [0, 3], x, "out"),
            ], output: 4)
        #expect(verifierMessage(p) == "parameter fc.weight declared twice")
    }

    @Test(arguments: [0, 4, -1])
    func rejectsAnOutputThatIsNotAnInstruction(output: ValueID) {
        #expect(verifierMessage(gateProgram(output: output)) == "output %\(output) is not an instruction")
    }

    @Test func rejectsAProgramWithNoInstructions() {
        let p = Program(name: "empty", input: x, params: [], instrs: [], output: 0)
        #expect(verifierMessage(p) == "output %0 is not an instruction")
    }

    @Test func rejectsAnEmptyInputAxis() {
        let p = Program(
            name: "p", input: Shape(n: 1, c: 0, h: 4, w: 4), params: [],
            instrs: [instr(.unary(.relu), [0], Shape(n: 1, c: 0, h: 4, w: 4), "r")], output: 1)
        #expect(verifierMessage(p) == "input shape [1,0,4,4] has an empty axis")
    }

    @Test func irErrorDescriptionSaysItIsABug() {
        #expect(IRError("x").description == "invalid IR: x")
    }
}

@Suite("ProgramBuilder")
struct ProgramBuilderTests {
    @Test func sharesAParameterRedeclaredWithTheSameDims() throws {
        var b = ProgramBuilder(name: "b", input: x)
        let first = try b.param("mlp.weight", [8, 8], .weight)
        let again = try b.param("mlp.weight", [8, 8], .weight)
        #expect(first == again)
        #expect(b.params.count == 1)
    }

    @Test func refusesAParameterRedeclaredWithOtherDims() throws {
        var b = ProgramBuilder(name: "b", input: x)
        _ = try b.param("mlp.weight", [8, 8], .weight)
        #expect(throws: IRError("parameter mlp.weight used as [8, 8] and as [4, 8]")) {
            _ = try b.param("mlp.weight", [4, 8], .weight)
        }
    }

    @Test func refusesAnOperandNotYetDefined() throws {
        var b = ProgramBuilder(name: "b", input: x)
        #expect(throws: IRError("operand %1 is not defined before use")) {
            try b.add(.unary(.relu), [1], role: "r")
        }
        #expect(throws: IRError("operand %-1 is not defined before use")) {
            try b.add(.unary(.relu), [-1], role: "r")
        }
    }

    @Test func infersShapesAsItGoes() throws {
        var b = ProgramBuilder(name: "b", input: x)
        let pool = try b.add(.channelPool(.max), [b.x], role: "cp")
        #expect(b.shape(of: pool) == Shape(n: 1, c: 1, h: 4, w: 4))
        #expect(b.shape(of: b.x) == x)
    }

    @Test func finishRunsTheVerifier() throws {
        var b = ProgramBuilder(name: "b", input: x)
        let dead = try b.add(.globalPool(.max), [b.x], role: "dead")
        let out = try b.add(.unary(.relu), [b.x], role: "out")
        #expect(dead == 1)
        #expect(throws: IRError("%1 (dead) does not reach the output")) { try b.finish(output: out) }
    }
}
