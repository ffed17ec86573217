// Ops that work along one axis of a tensor: pools along H or W, softmax, L1 normalisation and the
// two non-foldable norms. Each visits the "lines" of the axis (all elements that differ only in
// that axis) in flat NCHW storage.

import AttnIR
import Foundation

extension Shape {
    /// Start, stride and length of every line along `axis`, in NCHW order of the other axes.
    func lines(along axis: Axis) -> [(start: Int, stride: Int, count: Int)] {
        var out: [(Int, Int, Int)] = []
        switch axis {
        case .c:
            for i in 0..<n { for p in 0..<plane { out.append((i * c * plane + p, plane, c)) } }
        case .h:
            for nc in 0..<n * c { for x in 0..<w { out.append((nc * plane + x, w, h)) } }
        case .w:
            for nch in 0..<n * c * h { out.append((nch * w, 1, w)) }
        case .hw:
            for nc in 0..<n * c { out.append((nc * plane, 1, plane)) }
        }
        return out
    }
}

extension Interpreter {
    /// Applies `f` to each line along `axis` of `x`, writing the line it returns in place.
    static func mapLines(_ x: [Float], _ s: Shape, _ axis: Axis, _ f: ([Float]) -> [Float]) -> [Float] {
        var y = x
        for (start, stride, count) in s.lines(along: axis) {
            let line = (0..<count).map { x[start + $0 * stride] }
            for (i, v) in f(line).enumerated() { y[start + i * stride] = v }
        }
        return y
    }

    /// Max-subtracted softmax, sums in Double; exponentials below `SoftmaxCut` are zero, as in C.
    static func softmax(_ line: [Float]) -> [Float] {
        let m = line.reduce(-Float.infinity) { $1 > $0 ? $1 : $0 }
        let cut = SoftmaxCut.cut(count: line.count)
        let e = line.map { $0 - m < cut ? 0 : Double(expf($0 - m)) }
        let sum = e.reduce(0, +)
        return e.map { Float($0 / sum) }
    }

    static func l1Normalize(_ line: [Float], eps: Float) -> [Float] {
        let sum = line.reduce(0.0) { $0 + Double(abs($1)) }
        return line.map { Float(Double($0) / (Double(eps) + sum)) }
    }

    /// `(x − mean) / sqrt(var + eps)` with the biased variance, as PyTorch's norms compute it.
    static func standardize(_ line: [Float], eps: Float) -> [Double] {
        let count = Double(line.count)
        let mean = line.reduce(0.0) { $0 + Double($1) } / count
        let variance = line.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        let inv = 1 / (variance + Double(eps)).squareRoot()
        return line.map { (Double($0) - mean) * inv }
    }

    static func evaluateAlongAxis(_ op: Op, _ x: [Float], _ s: Shape, _ out: Shape, _ param: (ParamID) -> ArraySlice<Float>) -> [Float] {
        switch op {
        case .axisPool(let mode, let axis):
            // The result has exactly one element per line, in the same NCHW order.
            return s.lines(along: axis).map { line in pool(mode, (0..<line.count).map { x[line.start + $0 * line.stride] }) }
        case .softmax(let axis):
            return mapLines(x, s, axis, softmax)
        case .l1Normalize(let axis, let eps):
            return mapLines(x, s, axis) { l1Normalize($0, eps: eps) }
        case .instanceNorm(let eps):
            return mapLines(x, s, .hw) { standardize($0, eps: eps).map(Float.init) }
        case .groupNorm(let groups, let scaleID, let shiftID, let eps):
            // A group's channels are one contiguous run of (C/groups)·H·W elements in NCHW.
            let scale = scaleID.map { Array(param($0)) }
            let shift = shiftID.map { Array(param($0)) }
            let run = s.c / groups * s.plane
            var y = x
            for start in stride(from: 0, to: x.count, by: run) {
                for (i, v) in standardize(Array(x[start..<start + run]), eps: eps).enumerated() {
                    let c = (start + i) / s.plane % s.c
                    y[start + i] = Float(v * Double(scale?[c] ?? 1) + Double(shift?[c] ?? 0))
                }
            }
            return y
        case .variance(let unbiased):
            // Two passes in Double, as torch.var's result to float rounding; one element per plane.
            return s.lines(along: .hw).map { line in
                let xs = (0..<line.count).map { Double(x[line.start + $0]) }
                let mean = xs.reduce(0, +) / Double(xs.count)
                let squares = xs.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
                return Float(squares / Double(unbiased ? xs.count - 1 : xs.count))
            }
        case .layerNorm(let scaleID, let shiftID, let eps):
            let scale = scaleID.map { Array(param($0)) }
            let shift = shiftID.map { Array(param($0)) }
            return mapLines(x, s, .c) { line in
                standardize(line, eps: eps).enumerated().map { c, v in
                    Float(v * Double(scale?[c] ?? 1) + Double(shift?[c] ?? 0))
                }
            }
        case .globalPool, .channelPool, .pool2d, .weightedPool, .linear, .channelConv1d, .axisConv1d, .conv2d, .matmul, .blockMatmul, .relPosWeights,
            .attention, .affine, .constant, .unary, .binary, .concat, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(op) is not an along-axis op")
        }
    }
}
