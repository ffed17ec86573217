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
            case .derived(.fixed(let fixed, let name, let reference, let dims, let what)):
                // A checkpoint need not hold the buffer; one that does must hold these values.
                if has(name) {
                    try check(name, holds: reference, dims, what)
                    read.insert(name)
                }
                values = fixed
            case .derived(.relativePositionKernel(let name, let h, let w)):
                values = try relativePositionKernel(name, h, w, channels: decl.dims[0])
                read.insert(name)
            }
            flat += values
        }
        try refuseUnread(read, block: lowered.program.name)
        return flat
    }

    /// Refuses a stored buffer that is not the one the hyperparameters give: another buffer
    /// is another block. Float rounding of the same computation is all that may differ.
    private func check(_ name: String, holds reference: [Float], _ dims: [Int], _ what: String) throws(SpecError) {
        guard let found = self.dims(name), found.filter({ $0 != 1 }) == dims.filter({ $0 != 1 }) else {
            throw SpecError(
                "weights", "\(file.source): tensor \"\(displayName(name))\" has shape \(self.dims(name) ?? []), expected \(dims) (\(what))")
        }
        let stored = try values(name)
        for (i, (s, r)) in zip(stored, reference).enumerated() where abs(s - r) > 1e-6 * max(1, abs(r)) {
            throw SpecError(
                "weights",
                "\(file.source): tensor \"\(displayName(name))\" is not \(what): element \(i) is \(s), the computed value \(r); "
                    + "a different buffer is a different block (leave the tensor out to use the computed one)")
        }
    }

    /// timm's `pos_emb` [2H−1, 2W−1, K] as the position-lambda conv's kernel (`DerivedTensor`).
    private func relativePositionKernel(_ name: String, _ h: Int, _ w: Int, channels k: Int) throws(SpecError) -> [Float] {
        let expected = [2 * h - 1, 2 * w - 1, k]
        guard let found = dims(name) else { throw missing(name, expected: expected) }
        guard found == expected else {
            throw SpecError(
                "weights", "\(file.source): tensor \"\(displayName(name))\" has shape \(found), expected \(expected) (feat_size \(h)×\(w))")
        }
        return DerivedTensor.relativePositionKernel(try values(name), height: h, width: w, channels: k)
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
