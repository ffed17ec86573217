// Fills a program's flat parameter array from a checkpoint by following the lowering's recipe:
// plain tensors (with 1×1 dims tolerated), and BatchNorms folded to scale and shift.

import AttnIR
import AttnLower
import AttnSpec
import Foundation

extension Checkpoint {
    /// The flat parameter array of `lowered`, in its declaration order. Every tensor of the
    /// block must be read by some layer: one left over means the spec and the checkpoint
    /// describe different blocks (a conv with `"bias": false` whose file has the bias).
    func parameters(for lowered: Lowered) throws(SpecError) -> [Float] {
        var flat: [Float] = []
        var read: Set<String> = []
        flat.reserveCapacity(lowered.program.paramCount)
        for (decl, source) in zip(lowered.program.params, lowered.sources) {
            let values: [Float]
            switch source {
            case .tensor(let name):
                values = try tensor(name, decl.dims)
                read.insert(name)
            case .batchNormScale(let prefix, let eps):
                values = try batchNorm(prefix, decl.dims, eps).scale
                read.formUnion(Self.batchNormTensors(prefix))
            case .batchNormShift(let prefix, let eps):
                values = try batchNorm(prefix, decl.dims, eps).shift
                read.formUnion(Self.batchNormTensors(prefix))
            }
            flat += values
        }
        try refuseUnread(read, block: lowered.program.name)
        return flat
    }

    private static func batchNormTensors(_ prefix: String) -> [String] {
        ["weight", "bias", "running_mean", "running_var"].map { prefix + "." + $0 }
    }

    /// A tensor of the expected dims; extra dims of extent 1 (`[O,I,1,1]` for `[O,I]`, `[1,1,k]`
    /// for `[k]`) are accepted since PyTorch stores 1×1 convs and conv1d that way.
    private func tensor(_ name: String, _ expected: [Int]) throws(SpecError) -> [Float] {
        guard let found = dims(name) else { throw missing(name, expected: expected) }
        // A Conv1d weight goes to the middle column; the k×k kernel itself (as attn-gen's own
        // files hold it) is read as any tensor.
        if scheme.conv1dColumns.contains(name), found.count == 3 { return try column(name, found, expected) }
        guard found.filter({ $0 != 1 }) == expected.filter({ $0 != 1 }),
            found.reduce(1, *) == expected.reduce(1, *)
        else {
            throw SpecError(
                "weights", "\(file.source): tensor \"\(displayName(name))\" has shape \(found), expected \(expected)")
        }
        var values = try self.values(name)
        if scheme.swappedPlanes.contains(name) { values = swapInputPlanes(values, expected) }
        return values
    }

    /// A Conv1d weight `[O, I, k]` as the middle column of the k×k kernel `[O, I, k, k]`, zeros
    /// elsewhere.
    private func column(_ name: String, _ found: [Int], _ expected: [Int]) throws(SpecError) -> [Float] {
        guard expected.count == 4, expected[2] == expected[3], found == Array(expected.prefix(3)) else {
            throw SpecError(
                "weights", "\(file.source): tensor \"\(displayName(name))\" has shape \(found), expected \(expected.prefix(3).map { $0 }) (a Conv1d weight)")
        }
        let values = try self.values(name)
        let k = expected[2]
        var out = [Float](repeating: 0, count: values.count * k)
        for (i, v) in values.enumerated() { out[i * k + k / 2] = v }
        return out
    }

    /// Exchanges the two input channels of a `[O, 2, k, k]` conv weight.
    private func swapInputPlanes(_ w: [Float], _ dims: [Int]) -> [Float] {
        precondition(dims.count == 4 && dims[1] == 2, "plane swap on \(dims)")
        let plane = dims[2] * dims[3]
        var out = w
        for o in 0..<dims[0] {
            for i in 0..<plane {
                out[(o * 2) * plane + i] = w[(o * 2 + 1) * plane + i]
                out[(o * 2 + 1) * plane + i] = w[(o * 2) * plane + i]
            }
        }
        return out
    }

    /// `scale = γ / sqrt(var + eps)`, `shift = β - mean·scale`, computed in Double.
    private func batchNorm(_ prefix: String, _ dims: [Int], _ eps: Double) throws(SpecError) -> (scale: [Float], shift: [Float]) {
        let names = Self.batchNormTensors(prefix)
        let gamma = try tensor(names[0], dims)
        let beta = try tensor(names[1], dims)
        let mean = try tensor(names[2], dims)
        let variance = try tensor(names[3], dims)
        var scale: [Float] = []
        var shift: [Float] = []
        for i in 0..<gamma.count {
            guard Double(variance[i]) + eps > 0 else {
                throw SpecError(
                    "weights", "\(file.source): tensor \"\(displayName(prefix + ".running_var"))\": element \(i) is \(variance[i]); a variance must be ≥ 0")
            }
            let s = Double(gamma[i]) / (Double(variance[i]) + eps).squareRoot()
            let t = Double(beta[i]) - Double(mean[i]) * s
            // Finite inputs can still fold past Float's range (γ = 3e38, var = 0); the emitter
            // cannot print an infinite constant, so refuse here and name the tensors.
            guard Float(s).isFinite, Float(t).isFinite else {
                throw SpecError(
                    "weights", "\(file.source): tensor \"\(displayName(prefix + ".weight"))\": element \(i) folds to scale \(s), shift \(t) with running_var \(variance[i]); the folded BatchNorm must be finite in float32")
            }
            scale.append(Float(s))
            shift.append(Float(t))
        }
        return (scale, shift)
    }
}
