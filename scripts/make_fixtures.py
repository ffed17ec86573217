#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures under Tests/Fixtures/.

Run by hand (never in CI):

    .venv/bin/python scripts/make_fixtures.py

For every case it writes Tests/Fixtures/<case>/ with
  spec.json           block description read by attn-gen's importer
  weights.safetensors the module's state_dict exactly as PyTorch gives it
  io.safetensors      "input" [N,C,H,W] and "output" (eval mode), float32

Every parameter and buffer is randomised (seeded) so that nothing is a
trivial default, and the saved files are re-read and checked against an
independent float64 numpy implementation of each block.
"""

import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file as np_load_file
from safetensors.torch import save_file

import timm
from timm.layers import EcaModule, SEModule
from timm.layers.cbam import CbamModule

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES_DIR = os.path.join(REPO_ROOT, "Tests", "Fixtures")
TOLERANCE = 1e-5  # max |numpy - torch| relative to max |y|
BN_EPS = 1e-5


# ---------------------------------------------------------------------------
# Local equivalents of two reference implementations.  They keep the same
# state_dict names and forward math as the public originals
# (moskomule/senet.pytorch SELayer, Jongchan/attention-module CBAM) but are
# written here from scratch.
# ---------------------------------------------------------------------------

class MoskomuleSE(nn.Module):
    """SE with bias-free Linear layers; keys fc.0.weight, fc.2.weight."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        hidden = channels // reduction
        self.fc = nn.Sequential(
            nn.Linear(channels, hidden, bias=False),
            nn.ReLU(),
            nn.Linear(hidden, channels, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        squeezed = x.mean(dim=(2, 3))
        gate = self.fc(squeezed).reshape(n, c, 1, 1)
        return x * gate


class _OfficialChannelGate(nn.Module):
    def __init__(self, channels, reduction_ratio):
        super().__init__()
        hidden = channels // reduction_ratio
        # index 0 is a flatten, 2 the ReLU: keeps keys mlp.1.* and mlp.3.*
        self.mlp = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels, hidden),
            nn.ReLU(),
            nn.Linear(hidden, channels),
        )

    def forward(self, x):
        avg = x.mean(dim=(2, 3), keepdim=True)
        mx = x.amax(dim=(2, 3), keepdim=True)
        logits = self.mlp(avg) + self.mlp(mx)
        return x * torch.sigmoid(logits)[:, :, None, None]


class _OfficialConvBN(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, stride=1,
                              padding=(kernel_size - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(1, eps=BN_EPS, momentum=0.01, affine=True)

    def forward(self, x):
        return self.bn(self.conv(x))


class _OfficialSpatialGate(nn.Module):
    def __init__(self, kernel_size=7):
        super().__init__()
        self.spatial = _OfficialConvBN(kernel_size)

    def forward(self, x):
        # the official code orders the pooled planes [max, mean]
        planes = torch.cat([x.amax(dim=1, keepdim=True),
                            x.mean(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.spatial(planes))


class OfficialCBAM(nn.Module):
    def __init__(self, channels, reduction_ratio=16):
        super().__init__()
        self.ChannelGate = _OfficialChannelGate(channels, reduction_ratio)
        self.SpatialGate = _OfficialSpatialGate(7)

    def forward(self, x):
        return self.SpatialGate(self.ChannelGate(x))


class _Block(nn.Module):
    """A ResNet-block-like container: conv1, bn1 and an SE under 'se'."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.se = SEModule(channels)


class PrefixNet(nn.Module):
    """Whole-network-like state_dict; the SE under test is layer3.0.se."""

    def __init__(self, channels):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, bias=False)
        self.layer3 = nn.Sequential(_Block(channels), _Block(channels))
        self.fc = nn.Linear(channels, 10)

    def target(self):
        return self.layer3[0].se


# ---------------------------------------------------------------------------
# Randomisation
# ---------------------------------------------------------------------------

@torch.no_grad()
def randomise_batch_norm(mod):
    """Gives an eval-mode BatchNorm non-trivial statistics and affine parameters; returns the
    ids of the tensors it set (make_catalog_fixtures.py uses it too)."""
    mod.weight.uniform_(0.5, 1.5)
    mod.bias.normal_(0.0, 0.1)
    mod.running_mean.normal_(0.0, 0.1)
    mod.running_var.uniform_(0.5, 2.0)
    mod.num_batches_tracked.fill_(int(torch.randint(1, 100000, ())))
    return {id(t) for t in (mod.weight, mod.bias, mod.running_mean, mod.running_var, mod.num_batches_tracked)}


@torch.no_grad()
def randomise(model):
    bn_params = set()
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            bn_params |= randomise_batch_norm(mod)
    for name, p in model.named_parameters():
        if id(p) in bn_params:
            continue
        if name.endswith("bias"):
            p.normal_(0.0, 0.1)
        else:
            p.normal_(0.0, 0.3)
    for name, b in model.named_buffers():
        if id(b) not in bn_params:
            raise RuntimeError(f"unhandled buffer {name}")


# ---------------------------------------------------------------------------
# Independent numpy (float64) references
# ---------------------------------------------------------------------------

def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _dense(w, v, b=None):
    """w: [out, in] (or [out, in, 1, 1]); v: [N, in] -> [N, out]."""
    w = w.reshape(w.shape[0], w.shape[1])
    out = v @ w.T
    if b is not None:
        out = out + b
    return out


def _conv2d_single_out(planes, w):
    """planes [N, P, H, W], w [1, P, k, k], zero padding (k-1)/2, no bias."""
    n, p, h, wd = planes.shape
    k = w.shape[-1]
    pad = (k - 1) // 2
    padded = np.zeros((n, p, h + 2 * pad, wd + 2 * pad))
    padded[:, :, pad:pad + h, pad:pad + wd] = planes
    out = np.zeros((n, h, wd))
    for ci in range(p):
        for dy in range(k):
            for dx in range(k):
                out += w[0, ci, dy, dx] * padded[:, ci, dy:dy + h, dx:dx + wd]
    return out[:, None]


def _bn_eval(y, sd, prefix):
    scale = sd[prefix + "weight"] / np.sqrt(sd[prefix + "running_var"] + BN_EPS)
    shift = sd[prefix + "bias"] - sd[prefix + "running_mean"] * scale
    return y * scale[None, :, None, None] + shift[None, :, None, None]


def np_se(x, sd, style):
    s = x.mean(axis=(2, 3))
    if style == "timm":
        h = np.maximum(_dense(sd["fc1.weight"], s, sd.get("fc1.bias")), 0.0)
        g = _sigmoid(_dense(sd["fc2.weight"], h, sd.get("fc2.bias")))
    else:  # moskomule
        h = np.maximum(_dense(sd["fc.0.weight"], s), 0.0)
        g = _sigmoid(_dense(sd["fc.2.weight"], h))
    return x * g[:, :, None, None]


def np_eca(x, sd):
    w = sd["conv.weight"].reshape(-1)
    k = w.shape[0]
    pad = (k - 1) // 2
    s = x.mean(axis=(2, 3))
    n, c = s.shape
    sp = np.zeros((n, c + 2 * pad))
    sp[:, pad:pad + c] = s
    y = np.zeros((n, c))
    for j in range(k):
        y += w[j] * sp[:, j:j + c]
    return x * _sigmoid(y)[:, :, None, None]


def np_cbam(x, sd, style):
    if style == "timm":
        w1, b1 = sd["channel.fc1.weight"], sd.get("channel.fc1.bias")
        w2, b2 = sd["channel.fc2.weight"], sd.get("channel.fc2.bias")
        conv_w = sd["spatial.conv.conv.weight"]
        bn_prefix = "spatial.conv.bn."
    else:  # official Jongchan
        w1, b1 = sd["ChannelGate.mlp.1.weight"], sd["ChannelGate.mlp.1.bias"]
        w2, b2 = sd["ChannelGate.mlp.3.weight"], sd["ChannelGate.mlp.3.bias"]
        conv_w = sd["SpatialGate.spatial.conv.weight"]
        bn_prefix = "SpatialGate.spatial.bn."

    def mlp(v):
        return _dense(w2, np.maximum(_dense(w1, v, b1), 0.0), b2)

    att = mlp(x.mean(axis=(2, 3))) + mlp(x.max(axis=(2, 3)))
    x1 = x * _sigmoid(att)[:, :, None, None]

    mean_plane = x1.mean(axis=1, keepdims=True)
    max_plane = x1.max(axis=1, keepdims=True)
    if style == "timm":
        planes = np.concatenate([mean_plane, max_plane], axis=1)
    else:
        planes = np.concatenate([max_plane, mean_plane], axis=1)
    y = _bn_eval(_conv2d_single_out(planes, conv_w), sd, bn_prefix)
    return x1 * _sigmoid(y)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def _case(name, kind, shape, build, ref, hyper=None, prefix=None):
    return dict(name=name, kind=kind, shape=shape, build=build, ref=ref,
                hyper=hyper or {}, prefix=prefix)


CASES = [
    _case("se_timm_c64", "se", (2, 64, 7, 9),
          lambda: SEModule(64),
          lambda x, sd: np_se(x, sd, "timm")),
    _case("se_timm_c256", "se", (1, 256, 14, 14),
          lambda: SEModule(256),
          lambda x, sd: np_se(x, sd, "timm"),
          hyper={"reduced_channels": 16}),
    _case("se_moskomule_c48", "se", (3, 48, 5, 5),
          lambda: MoskomuleSE(48, reduction=16),
          lambda x, sd: np_se(x, sd, "moskomule"),
          hyper={"reduction": 16, "bias": False}),
    _case("se_prefix", "se", (1, 32, 6, 6),
          lambda: PrefixNet(32),
          lambda x, sd: np_se(x, sd, "timm"),
          prefix="layer3.0.se."),
    _case("eca_timm_k3_c32", "eca", (2, 32, 8, 8),
          lambda: EcaModule(kernel_size=3),
          np_eca,
          hyper={"kernel_size": 3}),
    _case("eca_timm_k5_c100", "eca", (1, 100, 6, 11),
          lambda: EcaModule(kernel_size=5),
          np_eca,
          hyper={"kernel_size": 5}),
    _case("eca_timm_c2048", "eca", (1, 2048, 3, 3),
          lambda: EcaModule(channels=2048),
          np_eca),
    _case("cbam_timm_c64_k7", "cbam", (2, 64, 9, 7),
          lambda: CbamModule(64),
          lambda x, sd: np_cbam(x, sd, "timm"),
          hyper={"spatial_kernel_size": 7, "reduced_channels": 4,
                 "bias": False}),
    _case("cbam_timm_c40_k3_bias", "cbam", (1, 40, 5, 6),
          lambda: CbamModule(40, spatial_kernel_size=3, mlp_bias=True),
          lambda x, sd: np_cbam(x, sd, "timm"),
          hyper={"spatial_kernel_size": 3, "bias": True}),
    _case("cbam_official_c64", "cbam", (2, 64, 7, 7),
          lambda: OfficialCBAM(64, reduction_ratio=16),
          lambda x, sd: np_cbam(x, sd, "official"),
          hyper={"reduction": 16, "spatial_kernel_size": 7}),
]


def _check_bn_eps(model):
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            assert mod.eps == BN_EPS, f"unexpected BN eps {mod.eps}"


def make_case(case):
    name = case["name"]
    torch.manual_seed(zlib.crc32(name.encode()))  # per case: order-independent

    model = case["build"]()
    randomise(model)
    model.eval()
    _check_bn_eps(model)
    block = model.target() if case["prefix"] else model

    n, c, h, w = case["shape"]
    x = torch.randn(n, c, h, w, dtype=torch.float32)
    with torch.no_grad():
        y = block(x).to(torch.float32).contiguous()
    assert tuple(y.shape) == (n, c, h, w)

    out_dir = os.path.join(FIXTURES_DIR, name)
    os.makedirs(out_dir, exist_ok=True)

    spec = {
        "name": name,
        "kind": case["kind"],
        "input": {"n": n, "c": c, "h": h, "w": w},
        "weights": "weights.safetensors",
    }
    spec.update(case["hyper"])
    if case["prefix"]:
        spec["weights_prefix"] = case["prefix"]
    with open(os.path.join(out_dir, "spec.json"), "w") as f:
        f.write(json.dumps(spec, indent=2, sort_keys=True) + "\n")

    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(out_dir, "weights.safetensors"))
    save_file({"input": x.contiguous(), "output": y},
              os.path.join(out_dir, "io.safetensors"))

    # ---- verify from the files on disk with the numpy reference ----------
    sd = np_load_file(os.path.join(out_dir, "weights.safetensors"))
    io = np_load_file(os.path.join(out_dir, "io.safetensors"))
    assert set(sd) == set(state), "weights file keys differ from state_dict"
    for k, v in state.items():
        assert sd[k].dtype == v.numpy().dtype and sd[k].shape == tuple(v.shape), k
    assert io["input"].dtype == np.float32 and io["output"].dtype == np.float32
    prefix = case["prefix"] or ""
    sub = {k[len(prefix):]: v.astype(np.float64)
           for k, v in sd.items() if k.startswith(prefix)
           and v.dtype != np.int64}
    ref = case["ref"](io["input"].astype(np.float64), sub)
    got = io["output"].astype(np.float64)
    scale = float(np.abs(ref).max())
    err = float(np.abs(ref - got).max())
    rel = err / scale
    extra = f"  ({len(state)} tensors, prefix {prefix})" if prefix else ""
    print(f"{name:24s} {str(list(case['shape'])):18s} "
          f"max|err|={err:.3e} max|y|={scale:.3e} rel={rel:.3e}{extra}")
    if not rel <= TOLERANCE:
        raise SystemExit(f"{name}: numpy/torch mismatch rel={rel:.3e}")
    return rel


def main():
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, timm {timm.__version__}, "
          f"numpy {np.__version__}")
    worst = 0.0
    for case in CASES:
        worst = max(worst, make_case(case))
    print(f"{len(CASES)} cases written to {FIXTURES_DIR}; worst rel err {worst:.3e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
