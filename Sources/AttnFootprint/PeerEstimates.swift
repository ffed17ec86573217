// What two established MCU code paths would need in RAM for the same block, computed from the
// same IR under their documented memory models (see README "Embedded" and
// ../shared/reference/codegen-anchors.md). Both materialise every op's result: neither fuses a
// pool into a scale, nor recomputes `x·gate` where it is read, which is what attn-gen's schedule
// does.
//
// The graph is the IR, one node per op, as a clean exporter would give it (a real export may add
// Reshape/Expand/Squeeze nodes, e.g. timm ECA's `expand_as`, which only add to these figures), with
// the fusions each toolchain does: BatchNorm after a conv is folded into it (TFLite converter,
// PyTorch's ONNX export in eval mode); TFLite also fuses a ReLU into the FULLY_CONNECTED or
// CONV_2D before it.
//
// TFLite Micro (tensorflow/lite/micro/docs/memory_management.md): one arena holds the head
// (activation buffers, including the model's input and output tensors, planned by the
// GreedyMemoryPlanner, 16-byte aligned) and the tail (persistent structs: one TfLiteEvalTensor
// per tensor, 24 B each, and one NodeAndRegistration per op, 56 B each, as in the document's
// RecordingMicroAllocator example). The head can be no smaller than the largest sum of buffers
// live at one op (input, output and every tensor still to be read), which is the figure used:
// a lower bound the greedy planner reaches on chains like these, never beats. Kernel scratch
// requests and the planner's own temporary scratch (about 36 B per buffer, freed after planning)
// are not counted.
//
// onnx2c (kraiskil/onnx2c): the caller passes input and output to `entry()`; every intermediate
// tensor is a static global. With `-p none` each has its own buffer; with the default `unionize`
// pass (src/optimization_passes/unionize_tensors.cpp) each node's output takes the first free
// union slot and a slot frees when all readers of its tensor have run; a union is as large as
// its largest member.

import AttnIR

/// RAM that TFLite Micro and onnx2c would need for a block, in bytes.
package struct PeerEstimates: Sendable {
    /// TFLM arena head lower bound: peak of live activation buffers (16-B aligned).
    package let tflmHeadBytes: Int
    /// TFLM arena tail: TfLiteEvalTensor per tensor + NodeAndRegistration per op.
    package let tflmTailBytes: Int
    package let tflmTensors: Int
    package let tflmOps: Int
    /// Caller-owned input and output of onnx2c's `entry()`.
    package let onnx2cIOBytes: Int
    /// Static intermediate buffers, one per tensor (`-p none`).
    package let onnx2cStaticBytes: Int
    /// Static intermediate unions after the `unionize` pass (onnx2c's default).
    package let onnx2cUnionBytes: Int

    package var tflmArenaBytes: Int { tflmHeadBytes + tflmTailBytes }
    package var onnx2cRAMBytes: Int { onnx2cIOBytes + onnx2cUnionBytes }
    package var onnx2cNoReuseRAMBytes: Int { onnx2cIOBytes + onnx2cStaticBytes }

    package static let tflmEvalTensorBytes = 24
    package static let tflmNodeBytes = 56
    package static let tflmAlignment = 16

    package init(_ p: Program) {
        let tflite = Graph(p, fuseReLU: true)
        let onnx = Graph(p, fuseReLU: false)

        // TFLM: peak over ops of what is live while the op runs.
        var peak = 0
        for step in tflite.nodes.indices {
            var live = 0
            for t in tflite.tensors where t.producer <= step && t.lastUse >= step {
                live += (t.floats * 4 + Self.tflmAlignment - 1) / Self.tflmAlignment * Self.tflmAlignment
            }
            peak = max(peak, live)
        }
        tflmHeadBytes = peak
        tflmTensors = tflite.tensors.count + p.params.count
        tflmOps = tflite.nodes.count
        tflmTailBytes = tflmTensors * Self.tflmEvalTensorBytes + tflmOps * Self.tflmNodeBytes

        onnx2cIOBytes = (p.input.count + p.outputShape.count) * 4
        let intermediates = onnx.tensors.filter { !$0.isInput && !$0.isOutput }
        onnx2cStaticBytes = intermediates.reduce(0) { $0 + $1.floats * 4 }
        // unionize: first free slot at production; slots free once every reader has run.
        var slots: [(tensor: Int?, floats: Int)] = []
        for step in onnx.nodes.indices {
            for (i, t) in onnx.tensors.enumerated() where t.producer == step && !t.isInput && !t.isOutput {
                if let free = slots.firstIndex(where: { $0.tensor == nil }) {
                    slots[free] = (i, max(slots[free].floats, t.floats))
                } else {
                    slots.append((i, t.floats))
                }
            }
            for s in slots.indices {
                if let i = slots[s].tensor, onnx.tensors[i].lastUse <= step { slots[s].tensor = nil }
            }
        }
        onnx2cUnionBytes = slots.reduce(0) { $0 + $1.floats * 4 }
    }

    /// The IR as a toolchain's op graph: nodes in program order, one tensor per node output.
    struct Graph {
        struct Tensor {
            let floats: Int
            /// Node index producing it (-1 for the block input).
            let producer: Int
            /// Last node index reading it (the last node for the block output).
            var lastUse: Int
            let isInput: Bool
            var isOutput: Bool
        }
        var nodes: [ValueID] = []
        var tensors: [Tensor] = []

        init(_ p: Program, fuseReLU: Bool) {
            let users = p.users()
            // A value folded into its producer: BN (affine) after conv2d, ReLU after FC/conv2d.
            var foldedInto: [ValueID: ValueID] = [:]
            for (i, instr) in p.instrs.enumerated() {
                let v = i + 1
                guard let src = instr.operands.first, src != 0, users[src] == [v], src != p.output else { continue }
                let producer = p.instrs[src - 1].op
                switch (instr.op, producer) {
                case (.affine, .conv2d): foldedInto[src] = v
                case (.unary(.relu), .linear) where fuseReLU, (.unary(.relu), .conv2d) where fuseReLU: foldedInto[src] = v
                default: break
                }
            }
            // Resolve chains (conv → bn → relu): the value that carries the tensor.
            func carrier(_ v: ValueID) -> ValueID {
                var v = v
                while let next = foldedInto[v] { v = next }
                return v
            }
            var tensorOf: [ValueID: Int] = [0: 0]
            tensors.append(Tensor(floats: p.input.count, producer: -1, lastUse: -1, isInput: true, isOutput: false))
            for (i, instr) in p.instrs.enumerated() {
                let v = i + 1
                if foldedInto[v] != nil { continue }  // its op runs as part of the op that carries it
                let node = nodes.count
                nodes.append(v)
                // Inputs: the operands of every op folded into this node.
                var chain = [v]
                var cursor = v
                while let src = p.instrs[cursor - 1].operands.first, foldedInto[src] == cursor {
                    chain.append(src)
                    cursor = src
                }
                for member in chain {
                    for o in p.instrs[member - 1].operands where !chain.contains(o) {
                        let t = tensorOf[carrier(o)]!
                        tensors[t].lastUse = max(tensors[t].lastUse, node)
                    }
                }
                tensorOf[v] = tensors.count
                tensors.append(
                    Tensor(floats: instr.shape.count, producer: node, lastUse: node, isInput: false, isOutput: v == p.output))
            }
            if let out = tensorOf[p.output] { tensors[out].lastUse = nodes.count - 1 }
        }
    }
}
