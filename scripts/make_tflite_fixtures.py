#!/usr/bin/env python3
"""int8 .tflite fixtures for `attn-gen import-tflite`, run by TensorFlow Lite Micro itself.

    .venv/bin/python scripts/make_tflite_fixtures.py            # writes Tests/TFLiteFixtures/
    .venv/bin/python scripts/make_tflite_fixtures.py OUTDIR     # or elsewhere, to compare

No TensorFlow: each float model is written op by op as a TFLite flatbuffer with ai-edge-litert's
schema object API, then fully int8-quantised by ai-edge-litert's calibration wrapper (the same
quantiser the TFLite converter calls) on seeded float data: per-tensor asymmetric int8
activations, per-channel int8 weights, int32 biases, int8 model input and output. Each quantised
model runs in the tflite-micro interpreter (PyPI `tflite-micro`, reference kernels) on seeded int8
inputs drawn uniformly over the whole int8 range; ai-edge-litert's interpreter with its reference
op resolver must agree with it bit for bit or the script fails.

Blocks (the shapes MobileNetV3/EfficientNet-style networks give them, as the converter writes them):
  SE:              MEAN(H,W keep_dims) → CONV_2D 1×1 (ReLU) → CONV_2D 1×1 → LOGISTIC → MUL(x, gate)
  hard-sigmoid SE: Keras MobileNetV3's relu6(x + 3) · (1/6) gate: the converter folds the +3 into the
                   second conv's bias and fuses the ReLU6 into it, leaving
                   MEAN → CONV_2D (ReLU) → CONV_2D (ReLU6) → MUL(gate, 1/6) → MUL(x, gate)
  ECA:             MEAN (no keep_dims) → RESHAPE [1,1,C,1] → CONV_2D [1,1,k,1] → RESHAPE → LOGISTIC
                   → MUL, as the converter lowers a Keras Conv1D (one model with LOGISTIC before the RESHAPE)
  SE with HARD_SWISH: as SE or hard-sigmoid SE with a HARD_SWISH op after the reduce conv
  HARD_SWISH alone: hard_swish_op_* (no block; the HARD_SWISH table is checked against them)
  CBAM:            MEAN and REDUCE_MAX over H,W → shared CONV_2D 1×1 (ReLU) → CONV_2D 1×1 → ADD →
                   LOGISTIC → MUL(x); MEAN and REDUCE_MAX over C → QUANTIZE (the quantiser's, to
                   one scale) → CONCATENATION → CONV_2D 7×7 → LOGISTIC → MUL

Writes per model NAME.tflite, NAME.input.bin and NAME.output.bin (CASES samples of int8, one after
another, NHWC) and index.json (per model: its blocks' kinds, input/output shapes, sample count).
"""

import json
import os
import sys

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as tfl
from ai_edge_litert import _pywrap_tensorflow_lite_calibration_wrapper as calibration
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from tflite_micro import runtime as tflm

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = 8           # int8 input samples per model
CALIBRATION = 32    # float calibration samples per model


class Graph:
    """A float TFLite subgraph under construction (tensors, buffers, operators)."""

    def __init__(self):
        self.tensors, self.buffers, self.operators, self.codes = [], [tfl.BufferT()], [], []

    def tensor(self, name, shape, data=None, dtype=tfl.TensorType.FLOAT32):
        t = tfl.TensorT()
        t.name, t.shape, t.type = name, list(shape), dtype
        if data is not None:
            b = tfl.BufferT()
            b.data = np.ascontiguousarray(data).tobytes()
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.codes:
            self.codes.append(code)
        o = tfl.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes.index(code), list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = options_type, options
        self.operators.append(o)
        return outputs[0]

    def serialise(self, inputs, outputs):
        sg = tfl.SubGraphT()
        sg.tensors, sg.operators, sg.inputs, sg.outputs, sg.name = (
            self.tensors, self.operators, list(inputs), list(outputs), "main")
        m = tfl.ModelT()
        m.version, m.subgraphs, m.buffers, m.description = 3, [sg], self.buffers, "attn-gen fixture"
        m.operatorCodes = []
        for code in self.codes:
            c = tfl.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
            m.operatorCodes.append(c)
        b = flatbuffers.Builder(1024)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def conv1x1(g, name, x, cin, cout, shape_hw, act, rng, bias_shift=0.0, n=1):
    w = (rng.standard_normal((cout, 1, 1, cin)) / np.sqrt(cin)).astype(np.float32)
    bias = (rng.standard_normal(cout) * 0.3 + bias_shift).astype(np.float32)
    wt = g.tensor(f"{name}.weight", w.shape, w)
    bt = g.tensor(f"{name}.bias", bias.shape, bias)
    out = g.tensor(f"{name}.out", (n, *shape_hw, cout))
    opts = tfl.Conv2DOptionsT()
    opts.padding, opts.strideW, opts.strideH, opts.fusedActivationFunction = tfl.Padding.SAME, 1, 1, act
    return g.op(tfl.BuiltinOperator.CONV_2D, [x, wt, bt], [out], tfl.BuiltinOptions.Conv2DOptions, opts)


def mean_hw(g, name, x, c, n=1):
    axes = g.tensor(f"{name}.axes", (2,), np.array([1, 2], np.int32), tfl.TensorType.INT32)
    out = g.tensor(f"{name}.out", (n, 1, 1, c))
    opts = tfl.ReducerOptionsT()
    opts.keepDims = True
    return g.op(tfl.BuiltinOperator.MEAN, [x, axes], [out], tfl.BuiltinOptions.ReducerOptions, opts)


def mul(g, name, a, b, shape):
    out = g.tensor(f"{name}.out", shape)
    opts = tfl.MulOptionsT()
    opts.fusedActivationFunction = tfl.ActivationFunctionType.NONE
    return g.op(tfl.BuiltinOperator.MUL, [a, b], [out], tfl.BuiltinOptions.MulOptions, opts)


def se_block(g, name, x, shape, rd, rng, gate):
    """One SE block on x [1,H,W,C]; gate "sigmoid" or "hard_sigmoid" (Keras MobileNetV3's form),
    "hswish_" before either: a HARD_SWISH op after the reduce conv instead of its fused ReLU."""
    n, h, w, c = shape
    s = mean_hw(g, f"{name}.mean", x, c, n)
    hswish = gate.startswith("hswish_")
    gate = gate.removeprefix("hswish_")
    act = tfl.ActivationFunctionType.NONE if hswish else tfl.ActivationFunctionType.RELU
    r = conv1x1(g, f"{name}.conv_reduce", s, c, rd, (1, 1), act, rng, n=n)
    if hswish:
        r = g.op(tfl.BuiltinOperator.HARD_SWISH, [r], [g.tensor(f"{name}.hard_swish", (n, 1, 1, rd))])
    if gate == "sigmoid":
        e = conv1x1(g, f"{name}.conv_expand", r, rd, c, (1, 1), tfl.ActivationFunctionType.NONE, rng, n=n)
        out = g.tensor(f"{name}.gate", (n, 1, 1, c))
        gt = g.op(tfl.BuiltinOperator.LOGISTIC, [e], [out])
    else:
        e = conv1x1(g, f"{name}.conv_expand", r, rd, c, (1, 1), tfl.ActivationFunctionType.RELU6, rng,
                    bias_shift=3.0, n=n)
        sixth = g.tensor(f"{name}.one_sixth", (1,), np.array([1.0 / 6.0], np.float32))
        gt = mul(g, f"{name}.hsig", e, sixth, (n, 1, 1, c))
    return mul(g, f"{name}.scale", x, gt, shape)


def reshape(g, name, x, shape):
    st = g.tensor(f"{name}.shape", (len(shape),), np.array(shape, np.int32), tfl.TensorType.INT32)
    out = g.tensor(f"{name}.out", shape)
    opts = tfl.ReshapeOptionsT()
    opts.newShape = list(shape)
    return g.op(tfl.BuiltinOperator.RESHAPE, [x, st], [out], tfl.BuiltinOptions.ReshapeOptions, opts)


def eca_block(g, name, x, shape, k, rng, gate_before_reshape):
    """ECA as the converter writes a Keras Conv1D on the pooled vector: MEAN (no keep_dims) →
    RESHAPE [1,1,C,1] → CONV_2D [1,1,k,1] (SAME, zero bias) → RESHAPE → LOGISTIC (or LOGISTIC, then
    RESHAPE) → MUL."""
    _, h, w, c = shape
    axes = g.tensor(f"{name}.mean.axes", (2,), np.array([1, 2], np.int32), tfl.TensorType.INT32)
    pooled = g.tensor(f"{name}.mean.out", (1, c))
    opts = tfl.ReducerOptionsT()
    opts.keepDims = False
    g.op(tfl.BuiltinOperator.MEAN, [x, axes], [pooled], tfl.BuiltinOptions.ReducerOptions, opts)
    v = reshape(g, f"{name}.to_conv", pooled, (1, 1, c, 1))
    wgt = (rng.standard_normal((1, 1, k, 1)) * 0.8).astype(np.float32)
    wt = g.tensor(f"{name}.conv.weight", wgt.shape, wgt)
    bt = g.tensor(f"{name}.conv.bias", (1,), np.zeros(1, np.float32))
    conv_out = g.tensor(f"{name}.conv.out", (1, 1, c, 1))
    copts = tfl.Conv2DOptionsT()
    copts.padding, copts.strideW, copts.strideH = tfl.Padding.SAME, 1, 1
    e = g.op(tfl.BuiltinOperator.CONV_2D, [v, wt, bt], [conv_out], tfl.BuiltinOptions.Conv2DOptions, copts)
    if gate_before_reshape:
        sg = g.tensor(f"{name}.gate", (1, 1, c, 1))
        gt = reshape(g, f"{name}.from_conv", g.op(tfl.BuiltinOperator.LOGISTIC, [e], [sg]), (1, 1, 1, c))
    else:
        e2 = reshape(g, f"{name}.from_conv", e, (1, 1, 1, c))
        sg = g.tensor(f"{name}.gate", (1, 1, 1, c))
        gt = g.op(tfl.BuiltinOperator.LOGISTIC, [e2], [sg])
    return mul(g, f"{name}.scale", x, gt, shape)


def reduce_op(g, name, code, x, axes, out_shape):
    at = g.tensor(f"{name}.axes", (len(axes),), np.array(axes, np.int32), tfl.TensorType.INT32)
    out = g.tensor(f"{name}.out", out_shape)
    opts = tfl.ReducerOptionsT()
    opts.keepDims = True
    return g.op(code, [x, at], [out], tfl.BuiltinOptions.ReducerOptions, opts)


def cbam_block(g, name, x, shape, rd, rng, k=7):
    """CBAM as a Keras port writes it: a shared 1x1-conv MLP on the average- and max-pooled
    descriptors, ADD, LOGISTIC, MUL; then a 7x7 conv on the channel mean and max, LOGISTIC, MUL."""
    n, h, w, c = shape
    avg = reduce_op(g, f"{name}.avg", tfl.BuiltinOperator.MEAN, x, [1, 2], (n, 1, 1, c))
    mx = reduce_op(g, f"{name}.max", tfl.BuiltinOperator.REDUCE_MAX, x, [1, 2], (n, 1, 1, c))
    w1 = (rng.standard_normal((rd, 1, 1, c)) / np.sqrt(c)).astype(np.float32)
    w2 = (rng.standard_normal((c, 1, 1, rd)) / np.sqrt(rd)).astype(np.float32)
    # Biases random rather than Keras's zeros, so the bias terms of the kernel are checked too.
    b1, b2 = (rng.standard_normal(rd) * 0.3).astype(np.float32), (rng.standard_normal(c) * 0.3).astype(np.float32)
    t = [g.tensor(f"{name}.fc1.weight", w1.shape, w1), g.tensor(f"{name}.fc1.bias", b1.shape, b1),
         g.tensor(f"{name}.fc2.weight", w2.shape, w2), g.tensor(f"{name}.fc2.bias", b2.shape, b2)]
    outs = []
    for branch, v in (("avg", avg), ("max", mx)):
        o1 = g.tensor(f"{name}.{branch}.fc1", (n, 1, 1, rd))
        opts = tfl.Conv2DOptionsT()
        opts.padding, opts.strideW, opts.strideH, opts.fusedActivationFunction = tfl.Padding.SAME, 1, 1, tfl.ActivationFunctionType.RELU
        g.op(tfl.BuiltinOperator.CONV_2D, [v, t[0], t[1]], [o1], tfl.BuiltinOptions.Conv2DOptions, opts)
        o2 = g.tensor(f"{name}.{branch}.fc2", (n, 1, 1, c))
        opts = tfl.Conv2DOptionsT()
        opts.padding, opts.strideW, opts.strideH = tfl.Padding.SAME, 1, 1
        g.op(tfl.BuiltinOperator.CONV_2D, [o1, t[2], t[3]], [o2], tfl.BuiltinOptions.Conv2DOptions, opts)
        outs.append(o2)
    added = g.tensor(f"{name}.channel.sum", (n, 1, 1, c))
    opts = tfl.AddOptionsT()
    g.op(tfl.BuiltinOperator.ADD, outs, [added], tfl.BuiltinOptions.AddOptions, opts)
    gate = g.tensor(f"{name}.channel.gate", (n, 1, 1, c))
    g.op(tfl.BuiltinOperator.LOGISTIC, [added], [gate])
    x1 = mul(g, f"{name}.channel.scale", x, gate, shape)
    cavg = reduce_op(g, f"{name}.cavg", tfl.BuiltinOperator.MEAN, x1, [3], (n, h, w, 1))
    cmax = reduce_op(g, f"{name}.cmax", tfl.BuiltinOperator.REDUCE_MAX, x1, [3], (n, h, w, 1))
    cat = g.tensor(f"{name}.spatial.cat", (n, h, w, 2))
    copts = tfl.ConcatenationOptionsT()
    copts.axis = 3
    g.op(tfl.BuiltinOperator.CONCATENATION, [cavg, cmax], [cat], tfl.BuiltinOptions.ConcatenationOptions, copts)
    sp = conv_kxk(g, f"{name}.spatial.conv", cat, 2, 1, k, (h, w), rng, n)
    sgate = g.tensor(f"{name}.spatial.gate", (n, h, w, 1))
    g.op(tfl.BuiltinOperator.LOGISTIC, [sp], [sgate])
    return mul(g, f"{name}.spatial.scale", x1, sgate, shape)


def conv_kxk(g, name, x, cin, cout, k, shape_hw, rng, n=1):
    w = (rng.standard_normal((cout, k, k, cin)) / np.sqrt(cin * k * k)).astype(np.float32)
    bias = (rng.standard_normal(cout) * 0.3).astype(np.float32)
    wt = g.tensor(f"{name}.weight", w.shape, w)
    bt = g.tensor(f"{name}.bias", bias.shape, bias)
    out = g.tensor(f"{name}.out", (n, *shape_hw, cout))
    opts = tfl.Conv2DOptionsT()
    opts.padding, opts.strideW, opts.strideH = tfl.Padding.SAME, 1, 1
    return g.op(tfl.BuiltinOperator.CONV_2D, [x, wt, bt], [out], tfl.BuiltinOptions.Conv2DOptions, opts)


def model(name, shape, blocks, seed):
    """blocks: [(rd, gate)], applied one after another (each block's output feeds the next)."""
    rng = np.random.default_rng(seed)
    g = Graph()
    x = g.tensor("input", shape)
    y = x
    for i, (rd, gate) in enumerate(blocks):
        if gate == "hard_swish_op":
            y = g.op(tfl.BuiltinOperator.HARD_SWISH, [y], [g.tensor(f"op{i}.out", shape)])
        elif gate.startswith("eca"):
            y = eca_block(g, f"block{i}", y, shape, rd, rng, gate == "eca_gate_first")
        elif gate.startswith("cbam"):
            y = cbam_block(g, f"block{i}", y, shape, rd, rng, 3 if gate == "cbam_k3" else 7)
        else:
            y = se_block(g, f"block{i}", y, shape, rd, rng, gate)
    return g.serialise([x], [y]), rng


def quantise(float_model, shape, rng, gain=1.0):
    w = calibration.CalibrationWrapper(float_model, [], [])
    w.Prepare()
    # Activations off centre and of differing spread per channel, so zero points are not 0;
    # `gain` scales the whole calibration range (so the input scale) up or down.
    centre = (rng.standard_normal(shape[-1]) * gain).astype(np.float32)
    spread = ((0.5 + rng.random(shape[-1]) * 2) * gain).astype(np.float32)
    for _ in range(CALIBRATION):
        w.FeedTensor([(rng.standard_normal(shape) * spread + centre).astype(np.float32)])
    i8, i32 = np.dtype(np.int8).num, np.dtype(np.int32).num
    return bytes(w.QuantizeModel(i8, i8, False, i8, i32, False, False))


def int8_sample(rng, shape, k):
    """Even samples: uniform over all of int8. Odd ones: each channel around its own level (some at
    the rails), so the channel means, and so the gates, spread over their whole range too."""
    if k % 2 == 0:
        return rng.integers(-128, 128, size=shape, dtype=np.int8)
    level = rng.integers(-160, 160, size=shape[-1])
    noise = rng.integers(-40, 41, size=shape)
    return np.clip(level + noise, -128, 127).astype(np.int8)


def run_tflm(model_bytes, xs):
    interp = tflm.Interpreter.from_bytes(model_bytes)
    ys = []
    for x in xs:
        interp.set_input(x, 0)
        interp.invoke()
        ys.append(np.array(interp.get_output(0), copy=True))
    return ys


def run_litert(model_bytes, xs):
    interp = Interpreter(model_content=model_bytes,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]
    ys = []
    for x in xs:
        interp.set_tensor(inp, x)
        interp.invoke()
        ys.append(np.array(interp.get_tensor(out), copy=True))
    return ys


MODELS = [
    # (name, NHWC input, [(rd or ECA's k, gate)...], seed)
    ("se_c16_5x5", (1, 5, 5, 16), [(4, "sigmoid")], 1),
    ("se_c40_7x7", (1, 7, 7, 40), [(10, "sigmoid")], 2),
    ("se_c24_6x3", (1, 6, 3, 24), [(8, "sigmoid")], 3),
    ("hsig_se_c32_4x4", (1, 4, 4, 32), [(8, "hard_sigmoid")], 4),
    ("hsig_se_c72_3x5", (1, 3, 5, 72), [(24, "hard_sigmoid")], 5),
    ("two_se_c16_4x4", (1, 4, 4, 16), [(4, "sigmoid"), (8, "hard_sigmoid")], 6),
    ("eca_c16_5x5", (1, 5, 5, 16), [(3, "eca")], 8),
    ("eca_c64_4x4", (1, 4, 4, 64), [(5, "eca_gate_first")], 9),
    ("cbam_c16_6x6", (1, 6, 6, 16), [(4, "cbam")], 7),
    ("cbam_c24_5x7", (1, 5, 7, 24), [(6, "cbam_k3")], 10),
    ("hswish_se_c24_5x5", (1, 5, 5, 24), [(8, "hswish_sigmoid")], 11),
    ("hswish_hsig_se_c40_4x3", (1, 4, 3, 40), [(16, "hswish_hard_sigmoid")], 12),
    # Batches: each image through the same ops (the kernels loop over N).
    ("se_n3_c16_4x5", (3, 4, 5, 16), [(4, "sigmoid")], 13),
    ("hsig_se_n2_c24_3x3", (2, 3, 3, 24), [(8, "hard_sigmoid")], 14),
    ("cbam_n2_c16_5x4", (2, 5, 4, 16), [(4, "cbam")], 15),
]

# HARD_SWISH alone on 256 values, so sample 0 holds every int8 input: checks the importer's
# HARD_SWISH table entry by entry, at input scales from small (negative relu-ish exponents) to large.
HARD_SWISH_OPS = [("hard_swish_op_g%s" % str(gain).replace(".", "p"), (1, 4, 64, 1), [(0, "hard_swish_op")], 20 + k, gain)
                  for k, gain in enumerate([0.05, 0.3, 1.0, 4.0, 40.0])]

KINDS = {"sigmoid": "se", "hard_sigmoid": "se_hard_sigmoid", "eca": "eca", "eca_gate_first": "eca", "cbam": "cbam", "cbam_k3": "cbam",
         "hswish_sigmoid": "se", "hswish_hard_sigmoid": "se_hard_sigmoid"}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO_ROOT, "Tests", "TFLiteFixtures")
    os.makedirs(out_dir, exist_ok=True)
    index = []
    for name, shape, blocks, seed, gain in [m + (1.0,) for m in MODELS] + HARD_SWISH_OPS:
        float_model, rng = model(name, shape, blocks, seed)
        q = quantise(float_model, shape, rng, gain)
        xs = [int8_sample(rng, shape, k) for k in range(CASES)]
        xs[0].flat[:256] = np.arange(-128, 128, dtype=np.int16)[: min(256, xs[0].size)].astype(np.int8)
        ys = run_tflm(q, xs)
        ys_ref = run_litert(q, xs)
        for k, (a, b) in enumerate(zip(ys, ys_ref)):
            if a.dtype != np.int8 or not np.array_equal(a, b):
                sys.exit(f"{name} sample {k}: tflite-micro and ai-edge-litert disagree "
                         f"({int(np.count_nonzero(a != b))} outputs)")
        with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
            f.write(q)
        with open(os.path.join(out_dir, f"{name}.input.bin"), "wb") as f:
            f.write(b"".join(x.tobytes() for x in xs))
        with open(os.path.join(out_dir, f"{name}.output.bin"), "wb") as f:
            f.write(b"".join(y.tobytes() for y in ys))
        index.append({"name": name, "input_shape": list(shape), "output_shape": list(ys[0].shape),
                      "samples": CASES, "blocks": [KINDS[gate] for _, gate in blocks if gate in KINDS]})
        print(f"{name}: {len(q)} bytes, {len(blocks)} block(s), tflite-micro == ai-edge-litert")
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump({"models": index}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
