// Public Swift entry points throw typed errors on a caller's mistake instead of trapping:
// DSL shapes are checked at lowering (SpecError), kernels and the interpreter check the
// buffers they are handed (KernelError).

import AttnGen
import AttnCEmit
import AttnInterp
import AttnLower
import AttnWeights
import Foundation
import Testing

@Suite struct APITrapTests {
    private func lowerError(_ spec: BlockSpec) -> SpecError? {
        do {
            _ = try Lowering.lower(spec)
            return nil
        } catch {
            return error
        }
    }

    @Test func dslParameterShapesAreChecked() {
        for dims in [[8], [], [1, 8, 1, 1, 1], [1, 0, 1, 1]] {
            let spec = Block("p", input: .nchw(1, 8, 2, 2)) {
                Primitive(.parameter(param: "gamma", shape: dims)).named("g")
                Multiply("x", "g")
            }
            let error = lowerError(spec)
            #expect(error?.path.hasPrefix("graph[0].shape") == true, "\(dims): \(String(describing: error))")
        }
    }

    @Test func dslReshapeMustBeFourDims() {
        // [128] used to trap; [1, 2, 4, 4, 1] (5-D) used to lose its last dimension silently.
        for dims in [[128], [1, 2, 4, 4, 1], [2, 64]] {
            let spec = Block("r", input: .nchw(1, 8, 4, 4)) { Primitive(.reshape(dims)) }
            let error = lowerError(spec)
            #expect(error?.path == "graph[0].shape", "\(dims): \(String(describing: error))")
            #expect(error?.message.contains("[n, c, h, w]") == true)
        }
    }

    @Test func dslTransposeMustPermuteFourAxes() {
        let spec = Block("t", input: .nchw(1, 8, 4, 4)) { Primitive(.transpose([0, 1])) }
        #expect(lowerError(spec)?.path == "graph[0].perm")
    }

    @Test func kernelInputLengthThrows() throws {
        let kernel = try Kernel(SqueezeExcite("se_len", input: .nchw(1, 16, 4, 4)), weights: .random(seed: 1))
        #expect(throws: KernelError.wrongCount(buffer: "input", expected: 256, given: 3)) { try kernel([1, 2, 3]) }
        #expect(throws: KernelError.wrongCount(buffer: "input", expected: 256, given: 0)) { try kernel([]) }
        #expect(try kernel([Float](repeating: 1, count: 256)).count == 256)
    }

    @Test func nilScratchThrowsWhenTheKernelNeedsOne() throws {
        let kernel = try Kernel(CBAM("cbam_scratch", input: .nchw(1, 16, 4, 4)), weights: .random(seed: 1))
        try #require(kernel.scratchCount > 0)
        let x = [Float](repeating: 1, count: kernel.inputCount)
        var y = [Float](repeating: 0, count: kernel.outputCount)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                #expect(throws: KernelError.missingScratch(needed: kernel.scratchCount)) {
                    try kernel.run(input: xp.baseAddress!, output: yp.baseAddress!, scratch: nil)
                }
                #expect(throws: KernelError.missingScratch(needed: kernel.scratchCount)) {
                    try kernel.parallelRun(samples: 1, input: xp.baseAddress!, output: yp.baseAddress!, scratch: nil)
                }
            }
        }
    }

    @Test func parallelCountsThrow() throws {
        let kernel = try Kernel(SqueezeExcite("se_par", input: .nchw(1, 16, 4, 4)), weights: .random(seed: 1))
        #expect(throws: KernelError.tooSmall(argument: "samples", given: 0, minimum: 1)) {
            try ParallelKernel(sample: kernel, samples: 0)
        }
        #expect(throws: KernelError.tooSmall(argument: "threads", given: 0, minimum: 1)) {
            try ParallelKernel(sample: kernel, samples: 2, threads: 0)
        }
        let x = [Float](repeating: 1, count: kernel.inputCount)
        var y = [Float](repeating: 0, count: kernel.outputCount)
        var s = [Float](repeating: 0, count: max(1, kernel.scratchCount))
        _ = x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                s.withUnsafeMutableBufferPointer { sp in
                    #expect(throws: KernelError.tooSmall(argument: "samples", given: -1, minimum: 0)) {
                        try kernel.parallelRun(samples: -1, input: xp.baseAddress!, output: yp.baseAddress!, scratch: sp.baseAddress!)
                    }
                }
            }
        }
    }

    @Test func interpreterChecksLengths() throws {
        let program = try Lowering.lower(SqueezeExcite("se_interp", input: .nchw(1, 16, 4, 4))).program
        let params = program.randomParams(seed: 1)
        #expect(throws: KernelError.wrongCount(buffer: "input", expected: 256, given: 255)) {
            try Interpreter.run(program, input: [Float](repeating: 0, count: 255), params: params)
        }
        #expect(throws: KernelError.wrongCount(buffer: "params", expected: params.count, given: 1)) {
            try Interpreter.run(program, input: [Float](repeating: 0, count: 256), params: [1])
        }
        #expect(throws: KernelError.wrongCount(buffer: "output", expected: 2, given: 1)) { try Comparison([1], reference: [1, 2]) }
    }

    @Test func nativeKernelChecksParameterCount() throws {
        let generated = try Pipeline.generate(SqueezeExcite("se_native", input: .nchw(1, 16, 4, 4)))
        do {
            _ = try NativeKernel(generated: generated, params: [1, 2, 3])
            Issue.record("three parameters were accepted")
        } catch {
            #expect(error.kind == .wrongParameters, "\(error)")
        }
        let kernel = try NativeKernel(generated: generated, params: generated.program.randomParams(seed: 1))
        do {
            _ = try kernel.library.function("se_native_forward", as: (Int, Int).self)
            Issue.record("a tuple was taken for a function pointer")
        } catch {
            #expect(error.kind == .notAFunctionType, "\(error)")
        }
    }

    @Test func emitterAndLayoutCheckTheirArrays() throws {
        let program = try Lowering.lower(SqueezeExcite("se_emit", input: .nchw(1, 16, 4, 4), bias: false)).program
        #expect(throws: KernelError.wrongCount(buffer: "weights", expected: program.paramCount, given: 2)) {
            try CEmitter.emit(program, specText: "", weights: [1, 2])
        }
        var weights = [Float](repeating: 0.5, count: program.paramCount)
        weights[3] = .nan
        #expect(throws: KernelError.self) { try CEmitter.emit(program, specText: "", weights: weights) }
        let bad = Selftest(seed: 1, checks: [Selftest.Check(index: 256, value: 1)], tolerance: 1e-4)
        #expect(throws: KernelError.outOfRange(buffer: "output", index: 256, count: 256)) {
            try CEmitter.emit(program, specText: "", weights: [Float](repeating: 0.5, count: program.paramCount), options: EmitOptions(selftest: bad))
        }
        #expect(throws: KernelError.wrongCount(buffer: "weights", expected: program.paramCount, given: 0)) {
            try CEmitter.emit(program, specText: "", options: EmitOptions(selftest: bad))
        }
        #expect(throws: KernelError.wrongCount(buffer: "tensor", expected: 256, given: 3)) {
            try TensorLayout.nhwc.toNCHW([1, 2, 3], program.input)
        }
        #expect(throws: KernelError.wrongCount(buffer: "tensor", expected: 256, given: 3)) {
            try TensorLayout.nhwc.fromNCHW([1, 2, 3], program.input)
        }
    }

    @Test func safetensorsWriterRefusesWhatTheReaderWould() {
        let cases: [([(name: String, shape: [Int], values: [Float])], WeightsError.Rule)] = [
            ([("a", [2], [1, 2]), ("a", [1], [3])], .duplicateName),
            ([("__metadata__", [1], [1])], .duplicateName),
            ([("a", [-1, 2], [])], .invalidShape),
            ([("a", [Int.max, 2], [])], .shapeOverflow),
            ([("a", [3], [1, 2])], .byteLengthMismatch),
        ]
        for (tensors, rule) in cases {
            do {
                _ = try SafeTensorsWriter.encode(tensors)
                Issue.record("\(tensors) was written")
            } catch {
                #expect(error.rule == rule, "\(error)")
                #expect(error.tensor == tensors.last?.name)
            }
        }
    }
}
