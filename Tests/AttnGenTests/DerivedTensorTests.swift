// Parameters a kind derives rather than reads as is: FcaNet's DCT filter, computed at lowering and
// checked against a checkpoint's buffer; timm's lambda `pos_emb`, read as a conv kernel.

import AttnGen
import AttnSpec
import AttnWeights
import Foundation
import Testing

@Suite struct DerivedTensorTests {
    private static func fcaSpec(_ weights: String?) throws -> BlockSpec {
        let file = weights.map { #", "weights": "\#($0)""# } ?? ""
        let json = #"{"name": "fca", "kind": "fca", "input": {"c": 8, "h": 6, "w": 6}, "reduction": 2, "freq_sel_method": "low4"\#(file)}"#
        return try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
    }

    private static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("derived-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private static func fcs(_ c: Int, _ rd: Int) -> [(String, [Int], [Float])] {
        [
            ("fc.0.weight", [rd, c], (0..<(rd * c)).map { Float(sin(Double($0))) * 0.3 }),
            ("fc.2.weight", [c, rd], (0..<(rd * c)).map { Float(cos(Double($0))) * 0.3 }),
        ]
    }

    /// The buffer a checkpoint holds must be the official filter; without it the computed one is
    /// used, and the two give the same kernel.
    @Test func fcaBufferIsCheckedOrComputed() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let filter = fcaDCTFilter(channels: 8, h: 6, w: 6, frequencies: .low(4))
        try Data(SafeTensorsWriter.encode(Self.fcs(8, 4) + [("dct_layer.weight", [8, 6, 6], filter)]))
            .write(to: dir.appendingPathComponent("with.safetensors"))
        try Data(SafeTensorsWriter.encode(Self.fcs(8, 4))).write(to: dir.appendingPathComponent("without.safetensors"))
        var other = filter
        other[40] += 1e-3
        try Data(SafeTensorsWriter.encode(Self.fcs(8, 4) + [("dct_layer.weight", [8, 6, 6], other)]))
            .write(to: dir.appendingPathComponent("other.safetensors"))
        try Data(SafeTensorsWriter.encode(Self.fcs(8, 4) + [("dct_layer.weight", [8, 3, 12], filter)]))
            .write(to: dir.appendingPathComponent("shape.safetensors"))

        let with = try Pipeline.generate(try Self.fcaSpec("with.safetensors"), baseDirectory: dir)
        let without = try Pipeline.generate(try Self.fcaSpec("without.safetensors"), baseDirectory: dir)
        #expect(with.params == without.params)
        #expect(Array(with.params?.prefix(filter.count) ?? []) == filter)

        let other_ = try Self.fcaSpec("other.safetensors"), shape = try Self.fcaSpec("shape.safetensors")
        do throws(SpecError) {
            _ = try Pipeline.generate(other_, baseDirectory: dir)
            Issue.record("a different DCT buffer was accepted")
        } catch {
            expectError(error, path: "weights", "\"dct_layer.weight\" is not the DCT filter of low4 on 6×6", "element 40", "different block")
        }
        do throws(SpecError) {
            _ = try Pipeline.generate(shape, baseDirectory: dir)
            Issue.record("a DCT buffer of another shape was accepted")
        } catch {
            // The buffer's shape says another DCT plane than the input's: the spec is checked first.
            #expect(error.message.contains("dct_layer.weight"), "\(error)")
        }
    }

    /// Random weights (the grid, `verify`) keep the DCT filter: it is not a weight.
    @Test func randomWeightsKeepTheDCTFilter() throws {
        let kernel = try Kernel(try Self.fcaSpec(nil), weights: .random(seed: 3))
        let filter = fcaDCTFilter(channels: 8, h: 6, w: 6, frequencies: .low(4))
        #expect(Array(kernel.params.prefix(filter.count)) == filter)
    }

    /// An adaptive pool with uneven windows is folded into the filter: its sum is still the
    /// DCT coefficient of the pooled plane.
    @Test func unevenAdaptivePoolFoldsIntoTheFilter() throws {
        let json = #"{"name": "fca", "kind": "fca", "input": {"c": 4, "h": 5, "w": 3}, "dct_h": 2, "dct_w": 2, "reduction": 2, "freq_sel_method": "low4"}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first)
        guard case .fixed(let folded, _, let reference, let dims, _)? = try spec.derivedTensors()["dct_layer.weight"] else {
            Issue.record("no fixed DCT filter")
            return
        }
        #expect(dims == [4, 2, 2] && folded.count == 4 * 5 * 3)
        // A plane that is 1 in pooled cell (i, j)'s rows and columns and 0 elsewhere has pooled
        // values that are products of window overlaps; check against PyTorch's windows directly.
        let rows = [(0, 3), (2, 5)], cols = [(0, 2), (1, 3)]
        let x = (0..<15).map { Float(sin(Double($0) * 1.7)) }
        for c in 0..<4 {
            var pooledSum = 0.0
            for i in 0..<2 {
                for j in 0..<2 {
                    var mean = 0.0
                    for y in rows[i].0..<rows[i].1 { for xx in cols[j].0..<cols[j].1 { mean += Double(x[y * 3 + xx]) } }
                    mean /= Double((rows[i].1 - rows[i].0) * (cols[j].1 - cols[j].0))
                    pooledSum += Double(reference[(c * 2 + i) * 2 + j]) * mean
                }
            }
            let foldedSum = (0..<15).reduce(0.0) { $0 + Double(folded[c * 15 + $1]) * Double(x[$1]) }
            #expect(abs(foldedSum - pooledSum) < 1e-5, "channel \(c): \(foldedSum) vs \(pooledSum)")
        }
    }

    /// pos_emb laid out as the conv kernel: tap (a, b) reads pos_emb[a − (S−H), b − (S−W)].
    @Test func relativePositionKernelLayout() {
        let (h, w, k) = (2, 3, 2)
        let emb = (0..<((2 * h - 1) * (2 * w - 1) * k)).map(Float.init)
        let kernel = DerivedTensor.relativePositionKernel(emb, height: h, width: w, channels: k)
        let side = 2 * max(h, w) - 1
        #expect(kernel.count == k * side * side)
        for c in 0..<k {
            for a in 0..<side {
                for b in 0..<side {
                    let (p, q) = (a - (max(h, w) - h), b - (max(h, w) - w))
                    let expected: Float = p >= 0 && p < 2 * h - 1 && q >= 0 && q < 2 * w - 1 ? emb[(p * (2 * w - 1) + q) * k + c] : 0
                    #expect(kernel[(c * side + a) * side + b] == expected)
                }
            }
        }
    }

    /// A pos_emb for another plane, or beside a stated r, is refused naming the field.
    @Test func lambdaCheckpointMustMatchTheSpec() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (c, k, heads) = (8, 2, 2)
        func t(_ name: String, _ dims: [Int]) -> (String, [Int], [Float]) {
            (name, dims, (0..<dims.reduce(1, *)).map { Float(sin(Double($0))) * 0.5 + (name.hasSuffix("var") ? 1 : 0) })
        }
        var tensors = [t("qkv.weight", [heads * k + k + c / heads, c, 1, 1])]
        for (bn, n) in [("norm_q", heads * k), ("norm_v", c / heads)] {
            tensors += ["weight", "bias", "running_mean", "running_var"].map { t("\(bn).\($0)", [n]) }
        }
        try Data(SafeTensorsWriter.encode(tensors + [t("pos_emb", [7, 5, k])])).write(to: dir.appendingPathComponent("l.safetensors"))
        func generate(_ extra: String, h: Int = 4, w: Int = 3) throws(SpecError) {
            let json = #"{"name": "l", "kind": "lambda", "input": {"c": 8, "h": \#(h), "w": \#(w)}, "num_heads": 2, "weights": "l.safetensors"\#(extra)}"#
            let spec = try BlockSpec.decodeFile(Data(json.utf8))[0]
            _ = try Pipeline.generate(spec, baseDirectory: dir)
        }
        #expect(throws: Never.self) { try generate("") }  // feat_size [4, 3] and dim_head from pos_emb
        #expect(throws: Never.self) { try generate(#", "feat_size": [4, 3]"#) }
        do throws(SpecError) {
            try generate(#", "r": 3"#)
            Issue.record("r beside pos_emb was accepted")
        } catch { expectError(error, path: "r", "pos_emb", "r=None") }
        do throws(SpecError) {
            try generate(#", "feat_size": 4"#, h: 4, w: 4)
            Issue.record("pos_emb of another feat_size was accepted")
        } catch { expectError(error, path: "feat_size", "pos_emb", "[7, 5, 2]") }
        do throws(SpecError) {
            try generate("", h: 5, w: 3)
            Issue.record("an input of another plane than pos_emb's was accepted")
        } catch { expectError(error, path: "feat_size", "4×3", "5×3") }
    }
}
