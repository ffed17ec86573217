// Ops that move or resample elements without arithmetic, and the windowed pools.

import AttnIR
import Foundation

extension Interpreter {
    /// PyTorch's legacy nearest source index (ATen `nearest_idx`): identity and doubling have fast
    /// paths; otherwise `min(floor(dst · scale), in − 1)` with the scale in float32.
    package static func nearestSource(_ dst: Int, input: Int, output: Int) -> Int {
        if output == input { return dst }
        if output == 2 * input { return dst >> 1 }
        let scale = Float(input) / Float(output)
        return min(Int((Float(dst) * scale).rounded(.down)), input - 1)
    }

    static func evaluateLayout(_ op: Op, _ args: [([Float], Shape)], _ out: Shape, _ param: (ParamID) -> ArraySlice<Float>) -> [Float] {
        switch op {
        case .slice(let start, _):
            let (x, s) = args[0]
            return tensor(out) { n, c, h, w in x[s.offset(n: n, c: c + start, h: h, w: w)] }
        case .reshape:
            return args[0].0
        case .transpose(let perm):
            let (x, s) = args[0]
            return tensor(out) { n, c, h, w in
                var src = [0, 0, 0, 0]
                for (axis, i) in [n, c, h, w].enumerated() { src[perm[axis]] = i }
                return x[s.offset(n: src[0], c: src[1], h: src[2], w: src[3])]
            }
        case .upsampleNearest:
            let (x, s) = args[0]
            return tensor(out) { n, c, h, w in
                x[s.offset(n: n, c: c, h: nearestSource(h, input: s.h, output: out.h), w: nearestSource(w, input: s.w, output: out.w))]
            }
        case .blockUnfold(let k, let step, let pad):
            let (x, s) = args[0]
            let nw = (s.w + 2 * pad - k) / step + 1
            return tensor(out) { n, c, b, j in
                let (row, col) = (b / nw * step + j / k - pad, b % nw * step + j % k - pad)
                guard row >= 0, row < s.h, col >= 0, col < s.w else { return 0 }
                return x[s.offset(n: n, c: c, h: row, w: col)]
            }
        case .constant(let id, _):
            return Array(param(id))
        case .pool2d(let mode, let k, let stride, let pad, let includePad):
            let (x, s) = args[0]
            return tensor(out) { n, c, h, w in
                var window: [Float] = []
                for dy in 0..<k {
                    let y = h * stride + dy - pad
                    guard y >= 0, y < s.h else { continue }
                    for dx in 0..<k {
                        let xx = w * stride + dx - pad
                        guard xx >= 0, xx < s.w else { continue }
                        window.append(x[s.offset(n: n, c: c, h: y, w: xx)])
                    }
                }
                // A padded element adds 0 to the sum and, when it counts, 1 to the divisor.
                guard mode == .mean, includePad, window.count < k * k else { return pool(mode, window) }
                return Float(window.reduce(0.0) { $0 + Double($1) } / Double(k * k))
            }
        case .weightedPool(let id):
            let (x, s) = args[0]
            let f = Array(param(id))
            return tensor(out) { n, c, _, _ in
                var acc = 0.0
                for p in 0..<s.plane { acc += Double(f[c * s.plane + p]) * Double(x[(n * s.c + c) * s.plane + p]) }
                return Float(acc)
            }
        case .globalPool, .channelPool, .axisPool, .linear, .channelConv1d, .axisConv1d, .conv2d, .matmul, .blockMatmul, .relPosWeights, .attention,
            .affine, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .groupNorm, .variance, .unary, .binary, .concat:
            preconditionFailure("\(op) is not a layout op")
        }
    }
}
