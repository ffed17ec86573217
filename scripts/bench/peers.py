#!/usr/bin/env python3
"""Peer timings for attn-bench: the same attention block in PyTorch eager and in ONNX Runtime.

Reads a JSON list of jobs (a file path, or stdin with "-"), one per block and shape:

    {"id": "se 1x64x56x56", "spec": {<attn-gen canonical spec>},
     "resolved": {"rd": 4, "bias": true, "kernel_size": 5, "spatial_kernel_size": 7},
     "seconds": 0.2, "clock": "wall"}   # clock "cpu": the thread's CPU time, not elapsed time

and prints one JSON object on stdout:

    {"torch": "2.15.0", "onnxruntime": "1.31.1", "threads": 1,
     "results": [{"id": ..., "torch_s": 1.2e-4, "ort_s": 9e-5, "error": null}, ...]}

Both runtimes get one thread: torch.set_num_threads(1); onnxruntime with intra_op_num_threads=1,
inter_op_num_threads=1 and sequential execution. PyTorch runs eager under torch.no_grad();
ONNX Runtime runs the model exported from that same module (TorchScript exporter, opset 17),
with all graph optimisations and the output bound to a preallocated buffer (no allocation per
call, as for the C kernels). Weights are random: timing does not depend on their values.
Times are medians of per-call times, measured like attn-bench measures the C: warm up, then
batches of calls of at least 50 us each, until `seconds` have passed (at least 5 batches).
"""

import io
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import onnxruntime as ort
from timm.layers import EcaModule, SEModule
from timm.layers.cbam import CbamModule


def median_seconds(fn, seconds, clock="wall"):
    """Median per-call time of fn(), in seconds. clock "cpu": each sample is the calling thread's
    CPU time (both runtimes run one thread, the caller's), so time spent waiting for a core on a
    shared machine is not counted; "wall": elapsed time."""
    sample_ns = time.thread_time_ns if clock == "cpu" else time.perf_counter_ns
    start = time.perf_counter()
    fn()
    while time.perf_counter() - start < min(0.02, seconds / 4):
        fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-9)
    batch = max(1, int(50e-6 / one))
    samples = []
    begin = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - begin < seconds:
        t0 = sample_ns()
        for _ in range(batch):
            fn()
        samples.append((sample_ns() - t0) / batch / 1e9)
    samples.sort()
    return samples[len(samples) // 2]


class GraphBlock(nn.Module):
    """An attn-gen custom graph (`"graph": [...]`) for the ops simple blocks use."""

    def __init__(self, graph, channels):
        super().__init__()
        self.graph = graph
        self.convs = nn.ModuleDict()
        for layer in graph:
            op = layer["op"]
            if op == "channel_conv1d":
                k = layer["kernel_size"]
                self.convs[layer["param"].replace(".", "_")] = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)
            elif op not in ("global_pool", "channel_pool", "relu", "sigmoid", "hard_sigmoid", "mul", "add"):
                raise ValueError(f"peers.py does not translate op {op!r}")

    def forward(self, x):
        values = {"x": x}
        prev = x
        for layer in self.graph:
            op = layer["op"]
            named = [prev if n == "_" else values[n] for n in layer.get("inputs", [])]
            arity = 2 if op in ("mul", "add") else 1
            args = ([prev] + named) if len(named) < arity else named
            a = args[0]
            if op == "global_pool":
                y = a.mean(dim=(2, 3), keepdim=True) if layer["mode"] == "mean" else a.amax(dim=(2, 3), keepdim=True)
            elif op == "channel_pool":
                y = a.mean(dim=1, keepdim=True) if layer["mode"] == "mean" else a.amax(dim=1, keepdim=True)
            elif op == "channel_conv1d":
                n, c = a.shape[0], a.shape[1]
                y = self.convs[layer["param"].replace(".", "_")](a.view(n, 1, c)).view(n, c, 1, 1)
            elif op == "relu":
                y = F.relu(a)
            elif op == "sigmoid":
                y = torch.sigmoid(a)
            elif op == "hard_sigmoid":
                y = F.hardsigmoid(a)
            elif op == "mul":
                y = a * args[1]
            else:
                y = a + args[1]
            if "as" in layer:
                values[layer["as"]] = y
            prev = y
        return prev


def _reference_modules():
    """The PyTorch reference modules of the later catalog kinds: the ones the fixtures were made
    with (scripts/make_catalog_fixtures.py), so the peer computes exactly the same block."""
    import importlib.util
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "make_catalog_fixtures.py")
    loader = importlib.util.spec_from_file_location("make_catalog_fixtures", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


_REF = None
_KINDS = None


def _kind_modules():
    """The reference modules of issue 13's kinds, built as scripts/make_kind_fixtures.py builds
    them (official code outside timm from the checkout its environment variable names there)."""
    global _KINDS
    if _KINDS is None:
        import importlib.util
        import os
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        sys.path.insert(0, folder)
        loader = importlib.util.spec_from_file_location("make_kind_fixtures", os.path.join(folder, "make_kind_fixtures.py"))
        _KINDS = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(_KINDS)
    return _KINDS


def build_catalog(spec):
    """A later catalog kind, with the spec's fields and the reference code's defaults."""
    global _REF
    if _REF is None:
        _REF = _reference_modules()
    m, c, kind = _REF, spec["input"]["c"], spec["kind"]
    get = spec.get
    if kind == "se_var1":
        return m.SEVar1()
    if kind in ("se_var2", "se_var3", "se_gc"):
        return m.SEGrouped(c, {"se_var2": c, "se_var3": 1}.get(kind, get("groups")))
    if kind == "bam":
        return m.BAM(c, get("reduction", 16), get("dilation_conv_num", 2), get("dilation_val", 4))
    if kind == "sk":
        return m._sk(c, {"out_channels": get("out_channels", c), "kernel_size": get("kernel_size", [3, 5]),
                         "stride": get("stride", 1), "dilation": get("dilation", 1), "groups": get("groups", 1),
                         "reduction": get("reduction", 16), "rd_divisor": get("rd_divisor", 8),
                         "keep_3x3": get("keep_3x3", True), "split_input": get("split_input", True)})
    if kind == "danet_pam":
        return m.PAMModule(c)
    if kind == "danet_cam":
        return m.CAMModule(c)
    if kind == "scconv":
        dilation = get("dilation", 1)
        return m.SCConv(c, c, get("stride", 1), get("padding", dilation), dilation, get("groups", 1), get("pooling_r", 4))
    if kind == "psa":
        return m.PSAModule(c, get("planes", c), get("conv_kernels", [3, 5, 7, 9]), get("stride", 1),
                           get("conv_groups", [1, 4, 8, 16]))
    if kind == "emsa":
        return m.EMSA(c, get("num_heads", 8), get("qkv_bias", False), get("sr_ratio", 1), get("apply_transform", False))
    if kind == "external_attention":
        return m.ExternalAttention(c, get("S", 64))
    if kind == "fusion":
        return m.Fusion(c, get("inputs", 3), get("reduction", 16), get("gate", "softmax"), get("interaction", False))
    kinds = _kind_modules()
    if kind in kinds.BUILDERS:
        return kinds.BUILDERS[kind](c, spec)
    raise ValueError(f"peers.py does not know kind {kind!r}")


def build(spec, resolved):
    c = spec["input"]["c"]
    kind = spec.get("kind")
    if kind == "se":
        return SEModule(c, rd_channels=resolved["rd"], bias=resolved["bias"])
    if kind == "eca":
        if spec.get("use_mlp", False):  # timm's ecam, from the channels as timm builds it
            return EcaModule(c, use_mlp=True, rd_ratio=1 / spec.get("reduction", 8), rd_channels=spec.get("reduced_channels"),
                             rd_divisor=spec.get("rd_divisor", 8))
        return EcaModule(kernel_size=resolved["kernel_size"])
    if kind == "cbam":
        return CbamModule(
            c, rd_channels=resolved["rd"], spatial_kernel_size=resolved["spatial_kernel_size"],
            mlp_bias=resolved["bias"])
    if "graph" in spec:
        return GraphBlock(spec["graph"], c)
    zoo = _zoo_modules()
    if kind in zoo.BUILDERS:
        return zoo.BUILDERS[kind](c, spec)
    return build_catalog(spec)


_ZOO = None


def _zoo_modules():
    """The reference modules of issue 13's strip-pooling kinds, built as
    scripts/make_zoo_fixtures.py builds them."""
    global _ZOO
    if _ZOO is None:
        import importlib.util
        import os
        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        sys.path.insert(0, folder)
        loader = importlib.util.spec_from_file_location("make_zoo_fixtures", os.path.join(folder, "make_zoo_fixtures.py"))
        _ZOO = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(_ZOO)
    return _ZOO


class GatheredHalo(nn.Module):
    """timm's HaloAttn with its key/value windows taken by one gather from the zero-padded plane
    instead of `Tensor.unfold`, which the TorchScript exporter cannot export ("input size not
    accessible"). Same parameters, same arithmetic: only how the windows are indexed differs, and
    run_job checks that ONNX Runtime's output matches timm's module before timing it."""

    def __init__(self, halo, shape):
        super().__init__()
        self.m = halo
        _, _, h, w = shape
        bs, pad, win = halo.block_size, halo.halo_size, halo.win_size
        padded_w = w + 2 * pad
        # Window (bh, bw), element (i, j) reads padded pixel (bh·bs + i, bw·bs + j): the order
        # unfold(2, win, bs).unfold(3, win, bs) leaves them in.
        rows = torch.arange(h // bs).view(-1, 1, 1, 1) * bs + torch.arange(win).view(1, 1, -1, 1)
        cols = torch.arange(w // bs).view(1, -1, 1, 1) * bs + torch.arange(win).view(1, 1, 1, -1)
        self.register_buffer("index", (rows * padded_w + cols).reshape(-1), persistent=False)

    def forward(self, x):
        m = self.m
        b, _, h, w = x.shape
        nh, nw, bq = h // m.block_size, w // m.block_size, m.block_size_ds
        heads, dqk, dv = m.num_heads, m.dim_head_qk, m.dim_head_v
        q = m.q(x).reshape(-1, dqk, nh, bq, nw, bq).permute(0, 1, 3, 5, 2, 4)
        q = q.reshape(b * heads, dqk, bq * bq, nh * nw).transpose(1, 3)
        kv = F.pad(m.kv(x), [m.halo_size] * 4).flatten(2)
        kv = kv.index_select(2, self.index)
        kv = kv.reshape(b * heads, dqk + dv, nh * nw, -1).permute(0, 2, 3, 1)
        k, v = torch.split(kv, [dqk, dv], dim=-1)
        logits = q @ k.transpose(-1, -2)
        if m.scale_pos_embed:
            attn = (logits + m.pos_embed(q)) * m.scale
        else:
            attn = logits * m.scale + m.pos_embed(q)
        out = (attn.softmax(dim=-1) @ v).transpose(1, 3)
        out = out.reshape(-1, bq, bq, nh, nw).permute(0, 3, 1, 4, 2)
        out = out.contiguous().view(b, heads * dv, h // m.block_stride, w // m.block_stride)
        return m.pool(out)


def exportable(module, x):
    """The module the ONNX exporter is given: the module itself, or an equivalent formulation
    where the exporter cannot take the reference's."""
    from timm.layers.halo_attn import HaloAttn
    if isinstance(module, HaloAttn):
        return GatheredHalo(module, tuple(x.shape)).eval()
    return module


def onnx_session(module, x):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        # dynamo=False: the torch.export-based exporter needs onnxscript, which the venv lacks.
        torch.onnx.export(exportable(module, x), (x,), buffer, dynamo=False, input_names=["x"], output_names=["y"],
                          opset_version=17)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])


def run_job(job):
    spec, resolved, seconds = job["spec"], job["resolved"], job.get("seconds", 0.2)
    clock = job.get("clock", "wall")
    i = spec["input"]
    # fusion packs its M inputs along C
    inputs = spec.get("inputs", 3) if spec.get("kind") == "fusion" else 1
    shape = (i.get("n", 1), inputs * i["c"], i["h"], i["w"])
    torch.manual_seed(0)
    module = build(spec, resolved).eval()
    for p in module.parameters():  # random weights, like the C side's; values do not affect timing
        nn.init.uniform_(p, -0.5, 0.5)
    x = torch.rand(shape) * 4 - 2
    with torch.no_grad():
        torch_s = median_seconds(lambda: module(x), seconds, clock)
        expected = module(x).numpy()

    # ONNX Runtime runs the exported module; when the export does not compute the same block
    # (the TorchScript exporter turns EMSA's InstanceNorm into one with running statistics),
    # only the PyTorch time is kept.
    try:
        session = onnx_session(module, x)
        x_np = np.ascontiguousarray(x.numpy())
        y_np = np.empty_like(expected)
        binding = session.io_binding()
        binding.bind_cpu_input("x", x_np)
        binding.bind_output("y", "cpu", 0, np.float32, list(y_np.shape), y_np.ctypes.data)
        session.run_with_iobinding(binding)
        scale = max(float(np.abs(expected).max()), 1e-30)
        error = float(np.abs(y_np - expected).max()) / scale
        if error > 1e-4:  # the two peers must compute the same block before their times mean anything
            raise RuntimeError(f"onnxruntime differs from PyTorch by {error:.2e} of max|y|")
    except Exception as e:
        # The exporter's messages carry the whole graph: the first line says why.
        reason = (str(e).splitlines() or [""])[0][:300]
        return {"id": job["id"], "torch_s": torch_s, "ort_s": None, "error": f"ONNX Runtime: {type(e).__name__}: {reason}"}
    ort_s = median_seconds(lambda: session.run_with_iobinding(binding), seconds, clock)
    return {"id": job["id"], "torch_s": torch_s, "ort_s": ort_s, "error": None}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    jobs = json.load(sys.stdin if path == "-" else open(path))
    # stdout carries only the JSON: whatever the runtimes print while they work (the TorchScript
    # exporter dumps its graph to stdout when an export fails) goes to stderr, file descriptor 1
    # included, since C++ code writes there without passing through sys.stdout.
    sys.stdout.flush()
    result_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    results = []
    for job in jobs:
        print(f"peers: {job['id']}", file=sys.stderr, flush=True)
        try:
            results.append(run_job(job))
        except Exception as e:  # one block failing must not hide the others' numbers
            results.append({"id": job["id"], "torch_s": None, "ort_s": None, "error": f"{type(e).__name__}: {e}"})
    sys.stdout.flush()
    json.dump({"torch": torch.__version__.split("+")[0], "onnxruntime": ort.__version__, "threads": 1,
               "results": results}, result_stream)
    result_stream.write("\n")
    result_stream.close()


if __name__ == "__main__":
    main()
