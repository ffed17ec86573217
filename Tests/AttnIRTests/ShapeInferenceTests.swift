// `Op.resultShape` for every op: the shape it gives, and the operands and parameters it refuses.

import AttnIR
import Testing

private func s(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Shape { Shape(n: n, c: c, h: h, w: w) }

private func p(_ name: String, _ dims: [Int], _ role: ParamRole = .weight) -> ParamDecl {
    ParamDecl(name: name, dims: dims, role: role)
}

/// The IRError message `resultShape` throws, or nil when it succeeds.
private func failure(_ op: Op, _ operands: [Shape], _ params: [ParamDecl] = []) -> String? {
    do {
        _ = try op.resultShape(operands: operands, params: params)
        return nil
    } catch {
        return error.message
    }
}

@Suite("Shape inference")
struct ShapeInferenceTests {
    // MARK: reductions

    @Test(arguments: PoolMode.allCases)
    func globalPoolKeepsNAndC(mode: PoolMode) throws {
        #expect(try Op.globalPool(mode).resultShape(operands: [s(2, 64, 7, 9)], params: []) == s(2, 64, 1, 1))
    }

    @Test(arguments: PoolMode.allCases)
    func channelPoolKeepsNHW(mode: PoolMode) throws {
        #expect(try Op.channelPool(mode).resultShape(operands: [s(3, 64, 7, 9)], params: []) == s(3, 1, 7, 9))
    }

    @Test func unaryOpsTakeExactlyOneOperand() {
        #expect(failure(.globalPool(.mean), []) == "global_pool.mean takes 1 operand(s), got 0")
        #expect(failure(.channelPool(.max), [s(1, 2, 3, 3), s(1, 2, 3, 3)]) == "channel_pool.max takes 1 operand(s), got 2")
        #expect(failure(.unary(.relu), [s(1, 1, 1, 1), s(1, 1, 1, 1)]) != nil)
    }

    // MARK: dense

    @Test func linearMapsVectorToOutFeatures() throws {
        let params = [p("fc.weight", [16, 64]), p("fc.bias", [16], .bias)]
        let withBias = Op.linear(weight: 0, bias: 1, outFeatures: 16)
        #expect(try withBias.resultShape(operands: [s(2, 64, 1, 1)], params: params) == s(2, 16, 1, 1))
        let noBias = Op.linear(weight: 0, bias: nil, outFeatures: 16)
        #expect(try noBias.resultShape(operands: [s(1, 64, 1, 1)], params: params) == s(1, 16, 1, 1))
    }

    @Test func linearRefusesPlanesAndWrongParameters() {
        let params = [p("fc.weight", [16, 64]), p("fc.bias", [8], .bias)]
        let op = Op.linear(weight: 0, bias: nil, outFeatures: 16)
        #expect(failure(op, [s(1, 64, 2, 1)], params)?.contains("linear needs a vector [N,C,1,1], got [1,64,2,1]") == true)
        #expect(failure(op, [s(1, 32, 1, 1)], params) == "linear weight: parameter fc.weight is [16, 64], expected [16, 32]")
        #expect(failure(.linear(weight: 0, bias: 1, outFeatures: 16), [s(1, 64, 1, 1)], params)
            == "linear bias: parameter fc.bias is [8], expected [16]")
        #expect(failure(.linear(weight: 5, bias: nil, outFeatures: 16), [s(1, 64, 1, 1)], params)
            == "linear weight: no parameter #5")
    }

    @Test(arguments: [1, 3, 5, 7])
    func channelConv1dKeepsShape(kernel: Int) throws {
        let op = Op.channelConv1d(weight: 0, kernel: kernel)
        #expect(try op.resultShape(operands: [s(2, 100, 1, 1)], params: [p("conv.weight", [kernel])]) == s(2, 100, 1, 1))
    }

    @Test func channelConv1dRefusesEvenKernelsPlanesAndWrongWeights() {
        #expect(failure(.channelConv1d(weight: 0, kernel: 4), [s(1, 8, 1, 1)], [p("w", [4])])
            == "channel conv1d kernel 4 is not odd")
        #expect(failure(.channelConv1d(weight: 0, kernel: 0), [s(1, 8, 1, 1)], [p("w", [1])])
            == "channel conv1d kernel 0 is not odd")
        #expect(failure(.channelConv1d(weight: 0, kernel: 3), [s(1, 8, 2, 2)], [p("w", [3])])?
            .contains("channel conv1d needs a vector") == true)
        #expect(failure(.channelConv1d(weight: 0, kernel: 3), [s(1, 8, 1, 1)], [p("w", [5])])
            == "conv1d weight: parameter w is [5], expected [3]")
    }

    /// `out = in + 2·padding − dilation·(kernel − 1)`, stride 1.
    @Test(arguments: [
        // (h, w, kernel, padding, dilation, expected h, expected w)
        (10, 10, 3, 0, 1, 8, 8),
        (10, 10, 3, 1, 1, 10, 10),
        (9, 7, 7, 3, 1, 9, 7),
        (10, 12, 3, 2, 2, 10, 12),
        (10, 10, 5, 0, 2, 2, 2),
        (14, 14, 3, 4, 4, 14, 14),
        (5, 6, 1, 0, 1, 5, 6),
        (5, 6, 1, 2, 3, 9, 10),
        (7, 7, 7, 0, 1, 1, 1),
    ])
    func conv2dOutputSize(_ c: (Int, Int, Int, Int, Int, Int, Int)) throws {
        let (h, w, k, pad, dil, eh, ew) = c
        let op = Op.conv2d(Conv2dAttrs(weight: 0, bias: 1, outChannels: 3, kernel: k, padding: pad, dilation: dil))
        let params = [p("conv.weight", [3, 2, k, k]), p("conv.bias", [3], .bias)]
        #expect(try op.resultShape(operands: [s(2, 2, h, w)], params: params) == s(2, 3, eh, ew))
    }

    @Test func conv2dRefusesKernelsWiderThanThePaddedInput() {
        let op = Op.conv2d(Conv2dAttrs(weight: 0, bias: nil, outChannels: 1, kernel: 5, padding: 0, dilation: 2))
        #expect(failure(op, [s(1, 2, 8, 8)], [p("w", [1, 2, 5, 5])]) == "conv2d k=5 d=2 p=0 does not fit [1,2,8,8]")
        let negative = Op.conv2d(Conv2dAttrs(weight: 0, bias: nil, outChannels: 1, kernel: 3, padding: -1, dilation: 1))
        #expect(failure(negative, [s(1, 2, 8, 8)], [p("w", [1, 2, 3, 3])])?.contains("does not fit") == true)
        let zeroDilation = Op.conv2d(Conv2dAttrs(weight: 0, bias: nil, outChannels: 1, kernel: 3, padding: 1, dilation: 0))
        #expect(failure(zeroDilation, [s(1, 2, 8, 8)], [p("w", [1, 2, 3, 3])])?.contains("does not fit") == true)
    }

    @Test func conv2dChecksWeightAgainstInputChannels() {
        let op = Op.conv2d(Conv2dAttrs(weight: 0, bias: 1, outChannels: 1, kernel: 3, padding: 1, dilation: 1))
        #expect(failure(op, [s(1, 4, 8, 8)], [p("w", [1, 2, 3, 3]), p("b", [1], .bias)])
            == "conv2d weight: parameter w is [1, 2, 3, 3], expected [1, 4, 3, 3]")
        #expect(failure(op, [s(1, 2, 8, 8)], [p("w", [1, 2, 3, 3]), p("b", [2], .bias)])
            == "conv2d bias: parameter b is [2], expected [1]")
    }

    // MARK: per-channel

    @Test func affineKeepsShapeAndChecksChannelCount() throws {
        let params = [p("bn.scale", [4], .scale), p("bn.shift", [4], .shift)]
        #expect(try Op.affine(scale: 0, shift: 1).resultShape(operands: [s(2, 4, 3, 3)], params: params) == s(2, 4, 3, 3))
        #expect(failure(.affine(scale: 0, shift: 1), [s(2, 5, 3, 3)], params)
            == "affine scale: parameter bn.scale is [4], expected [5]")
        let badShift = [p("bn.scale", [4], .scale), p("bn.shift", [1], .shift)]
        #expect(failure(.affine(scale: 0, shift: 1), [s(2, 4, 3, 3)], badShift)
            == "affine shift: parameter bn.shift is [1], expected [4]")
    }

    // MARK: elementwise

    @Test(arguments: UnaryOp.allCases)
    func unaryKeepsShape(op: UnaryOp) throws {
        #expect(try Op.unary(op).resultShape(operands: [s(2, 3, 4, 5)], params: []) == s(2, 3, 4, 5))
    }

    /// numpy broadcasting per axis: equal extents, or one of them 1.
    @Test(arguments: [
        (s(1, 64, 7, 7), s(1, 64, 1, 1), s(1, 64, 7, 7)),  // SE / ECA gate
        (s(1, 64, 1, 1), s(1, 64, 7, 7), s(1, 64, 7, 7)),  // either order
        (s(2, 64, 7, 7), s(2, 1, 7, 7), s(2, 64, 7, 7)),  // CBAM spatial gate
        (s(2, 1, 7, 7), s(2, 64, 1, 1), s(2, 64, 7, 7)),  // plane × vector
        (s(1, 8, 1, 1), s(3, 8, 1, 1), s(3, 8, 1, 1)),  // batch broadcast
        (s(1, 1, 1, 1), s(2, 3, 4, 5), s(2, 3, 4, 5)),  // scalar
        (s(2, 3, 4, 5), s(2, 3, 4, 5), s(2, 3, 4, 5)),  // equal
    ])
    func binaryBroadcasts(_ c: (Shape, Shape, Shape)) throws {
        #expect(Shape.broadcast(c.0, c.1) == c.2)
        for op in BinaryOp.allCases {
            #expect(try Op.binary(op).resultShape(operands: [c.0, c.1], params: []) == c.2)
        }
    }

    @Test(arguments: [
        (s(1, 64, 7, 7), s(1, 32, 1, 1)),
        (s(1, 64, 7, 7), s(1, 64, 7, 8)),
        (s(2, 8, 1, 1), s(3, 8, 1, 1)),
        (s(1, 1, 7, 1), s(1, 1, 6, 1)),
    ])
    func binaryRefusesMismatchedAxes(_ c: (Shape, Shape)) {
        #expect(Shape.broadcast(c.0, c.1) == nil)
        #expect(failure(.binary(.mul), [c.0, c.1]) == "mul: \(c.0) and \(c.1) do not broadcast")
        #expect(failure(.binary(.add), [c.0, c.1]) == "add: \(c.0) and \(c.1) do not broadcast")
    }

    @Test func binaryTakesTwoOperands() {
        #expect(failure(.binary(.add), [s(1, 1, 1, 1)]) == "add takes 2 operand(s), got 1")
    }

    // MARK: layout

    @Test func concatSumsChannels() throws {
        #expect(try Op.concat.resultShape(operands: [s(2, 1, 7, 7), s(2, 1, 7, 7)], params: []) == s(2, 2, 7, 7))
        #expect(try Op.concat.resultShape(operands: [s(1, 3, 4, 5), s(1, 5, 4, 5), s(1, 1, 4, 5)], params: []) == s(1, 9, 4, 5))
        #expect(try Op.concat.resultShape(operands: [s(1, 3, 4, 5)], params: []) == s(1, 3, 4, 5))
    }

    @Test func concatRefusesOtherAxesAndNothing() {
        #expect(failure(.concat, []) == "concat of nothing")
        #expect(failure(.concat, [s(1, 1, 7, 7), s(1, 1, 7, 6)]) == "concat along C of [1,1,7,7] and [1,1,7,6]")
        #expect(failure(.concat, [s(1, 1, 7, 7), s(2, 1, 7, 7)]) != nil)
    }

    @Test func blockUnfoldGivesBlocksAsRows() throws {
        // HaloNet's windows: 8×12 in 4×4 blocks with a halo of 2 → 2×3 windows of 8×8.
        #expect(try Op.blockUnfold(window: 8, step: 4, padding: 2).resultShape(operands: [s(2, 5, 8, 12)], params: []) == s(2, 5, 6, 64))
        // Non-overlapping blocks of a plane they do not tile: the last partial row and column are left out.
        #expect(try Op.blockUnfold(window: 2, step: 2, padding: 0).resultShape(operands: [s(1, 3, 5, 7)], params: []) == s(1, 3, 6, 4))
    }

    @Test func blockUnfoldRefusesWindowsThatDoNotFit() {
        #expect(failure(.blockUnfold(window: 9, step: 1, padding: 0), [s(1, 1, 8, 12)])?.contains("does not fit") == true)
        #expect(failure(.blockUnfold(window: 3, step: 0, padding: 0), [s(1, 1, 8, 12)]) != nil)
        #expect(failure(.blockUnfold(window: 3, step: 1, padding: 3), [s(1, 1, 8, 12)]) != nil)
        #expect(failure(.blockUnfold(window: 3, step: 1, padding: 0), [s(1, 1, 8, 12), s(1, 1, 8, 12)]) != nil)
    }

    // MARK: Shape helpers

    @Test func shapeCountsAndOffsets() {
        let x = s(2, 3, 4, 5)
        #expect(x.count == 120)
        #expect(x.plane == 20)
        #expect(x.dims == [2, 3, 4, 5])
        #expect(x.description == "[2,3,4,5]")
        #expect(x.offset(n: 1, c: 2, h: 3, w: 4) == 119)
        #expect(x.offset(n: 0, c: 1, h: 0, w: 0) == 20)
        // A broadcast operand ignores the indices of its extent-1 axes.
        let gate = s(2, 3, 1, 1)
        #expect(gate.offset(n: 1, c: 2, h: 3, w: 4) == 5)
        let plane = s(1, 1, 4, 5)
        #expect(plane.offset(n: 1, c: 2, h: 3, w: 4) == 19)
    }

    @Test func paramCountsAndFanIn() {
        #expect(p("w", [16, 64, 1, 1]).count == 1024)
        #expect(p("w", [16, 64, 1, 1]).fanIn == 64)
        #expect(p("w", [1, 2, 7, 7]).fanIn == 98)
        #expect(p("b", [16], .bias).fanIn == 1)
    }
}
