#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the newer catalog blocks.

Run by hand (never in CI):

    .venv/bin/python scripts/make_catalog_fixtures.py [OUTDIR]

OUTDIR defaults to the repo's Tests/Fixtures.  For every case it writes
OUTDIR/<case>/ with
  spec.json            block description read by attn-gen's importer
  weights.safetensors  the module's state_dict with the reference names
                       (omitted, together with the "weights" spec field,
                       for parameter-free blocks)
  io.safetensors       "input" [N,C,H,W] and "output" (eval mode), float32

Blocks covered: SE variants from the ECA-Net ablation (se_var1/2/3, se_gc),
BAM, SK (timm), DANet PAM/CAM, SC-Conv, EPSANet PSA, ResT EMSA, EANet
External Attention and a multi-input fusion block.

Only SK uses library code (timm.layers.SelectiveKernel).  Every other
module is written here from scratch so that its forward math and its
state_dict names equal those of the public reference named in its class
docstring (the project's reference notes on each block list the commits read).
Where no public code exists (SE variants, fusion) the module below *is*
the reference.

Every parameter and buffer is randomised with a per-case seed
(zlib.crc32 of the case name).  Weights are scaled by 1/sqrt(fan_in) so
that activations stay O(1) and no gate or softmax saturates; BatchNorm
affine parameters and running statistics are random too.
"""

import json
import os
import shutil
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file as np_load_file
from safetensors.torch import save_file

import timm
from timm.layers import SelectiveKernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import randomise_batch_norm  # noqa: E402  (the same BatchNorm statistics)

DEFAULT_OUTDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")
BN_EPS = 1e-5


# ---------------------------------------------------------------------------
# SE variants (ECA-Net paper, Table 2 ablation).  There is no official code
# for these; the modules below are the reference.  All use the global mean
# over H,W and a sigmoid gate; they differ only in the C -> C mapping.
# ---------------------------------------------------------------------------

class SEVar1(nn.Module):
    """SE-Var1: no parameters, y = x * sigmoid(mean_hw(x))."""

    def forward(self, x):
        return x * torch.sigmoid(x.mean(dim=(2, 3), keepdim=True))


class SEGrouped(nn.Module):
    """SE-Var2 (groups=C), SE-Var3 (groups=1), SE-GC (groups=G).

    gate = sigmoid(Conv2d(C, C, 1, groups=G, bias=False)(gap)); key fc.weight.
    """

    def __init__(self, channels, groups):
        super().__init__()
        self.fc = nn.Conv2d(channels, channels, 1, groups=groups, bias=False)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc(s))


# ---------------------------------------------------------------------------
# BAM (Jongchan/attention-module MODELS/bam.py), product form.  Same module
# tree and names as the official file; the official BAM class hard-codes the
# gate hyper-parameters, here they are constructor arguments.
# ---------------------------------------------------------------------------

class _BamFlatten(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class BamChannelGate(nn.Module):
    def __init__(self, channels, reduction=16, num_layers=1):
        super().__init__()
        dims = [channels] + [channels // reduction] * num_layers + [channels]
        self.gate_c = nn.Sequential()
        self.gate_c.add_module("flatten", _BamFlatten())
        for i in range(len(dims) - 2):
            self.gate_c.add_module(f"gate_c_fc_{i}", nn.Linear(dims[i], dims[i + 1]))
            self.gate_c.add_module(f"gate_c_bn_{i + 1}", nn.BatchNorm1d(dims[i + 1]))
            self.gate_c.add_module(f"gate_c_relu_{i + 1}", nn.ReLU())
        self.gate_c.add_module("gate_c_fc_final", nn.Linear(dims[-2], dims[-1]))

    def forward(self, x):
        # official: avg_pool2d with kernel = stride = H, so H must equal W
        pooled = F.avg_pool2d(x, x.shape[2], stride=x.shape[2])
        return self.gate_c(pooled)[:, :, None, None].expand_as(x)


class BamSpatialGate(nn.Module):
    def __init__(self, channels, reduction=16, dilation_conv_num=2, dilation_val=4):
        super().__init__()
        rd = channels // reduction
        self.gate_s = nn.Sequential()
        self.gate_s.add_module("gate_s_conv_reduce0", nn.Conv2d(channels, rd, 1))
        self.gate_s.add_module("gate_s_bn_reduce0", nn.BatchNorm2d(rd))
        self.gate_s.add_module("gate_s_relu_reduce0", nn.ReLU())
        for i in range(dilation_conv_num):
            self.gate_s.add_module(
                f"gate_s_conv_di_{i}",
                nn.Conv2d(rd, rd, 3, padding=dilation_val, dilation=dilation_val))
            self.gate_s.add_module(f"gate_s_bn_di_{i}", nn.BatchNorm2d(rd))
            self.gate_s.add_module(f"gate_s_relu_di_{i}", nn.ReLU())
        self.gate_s.add_module("gate_s_conv_final", nn.Conv2d(rd, 1, 1))

    def forward(self, x):
        return self.gate_s(x).expand_as(x)


class BAM(nn.Module):
    def __init__(self, channels, reduction=16, dilation_conv_num=2, dilation_val=4):
        super().__init__()
        self.channel_att = BamChannelGate(channels, reduction, num_layers=1)
        self.spatial_att = BamSpatialGate(channels, reduction,
                                          dilation_conv_num, dilation_val)

    def forward(self, x):
        att = 1 + torch.sigmoid(self.channel_att(x) * self.spatial_att(x))
        return att * x


# ---------------------------------------------------------------------------
# DANet (junfu1115/DANet encoding/nn/da_att.py)
# ---------------------------------------------------------------------------

class PAMModule(nn.Module):
    """Position attention: energy = Q^T K (unscaled), softmax over keys."""

    def __init__(self, in_dim):
        super().__init__()
        self.query_conv = nn.Conv2d(in_dim, in_dim // 8, 1)
        self.key_conv = nn.Conv2d(in_dim, in_dim // 8, 1)
        self.value_conv = nn.Conv2d(in_dim, in_dim, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query_conv(x).reshape(n, -1, h * w).transpose(1, 2)  # [N,HW,C']
        k = self.key_conv(x).reshape(n, -1, h * w)                    # [N,C',HW]
        attn = torch.softmax(torch.bmm(q, k), dim=-1)                 # [N,HW,HW]
        v = self.value_conv(x).reshape(n, -1, h * w)                  # [N,C,HW]
        out = torch.bmm(v, attn.transpose(1, 2)).reshape(n, c, h, w)
        return self.gamma * out + x


class CAMModule(nn.Module):
    """Channel attention with the official `max - energy` logits."""

    def __init__(self, in_dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        a = x.reshape(n, c, -1)
        energy = torch.bmm(a, a.transpose(1, 2))                      # [N,C,C]
        energy_new = energy.max(dim=-1, keepdim=True)[0].expand_as(energy) - energy
        attn = torch.softmax(energy_new, dim=-1)
        out = torch.bmm(attn, a).reshape(n, c, h, w)
        return self.gamma * out + x


# ---------------------------------------------------------------------------
# SC-Conv (MCG-NKU/SCNet scnet.py, the SCConv with padding/dilation/groups
# arguments; k4 has no ReLU in that version)
# ---------------------------------------------------------------------------

class SCConv(nn.Module):
    def __init__(self, inplanes, planes, stride, padding, dilation, groups,
                 pooling_r, norm_layer=nn.BatchNorm2d):
        super().__init__()

        def conv(s):
            return nn.Conv2d(inplanes, planes, 3, stride=s, padding=padding,
                             dilation=dilation, groups=groups, bias=False)

        self.k2 = nn.Sequential(nn.AvgPool2d(pooling_r, pooling_r), conv(1),
                                norm_layer(planes))
        self.k3 = nn.Sequential(conv(1), norm_layer(planes))
        self.k4 = nn.Sequential(conv(stride), norm_layer(planes))

    def forward(self, x):
        up = F.interpolate(self.k2(x), x.shape[2:])  # default legacy 'nearest'
        gate = torch.sigmoid(x + up)
        return self.k4(self.k3(x) * gate)


# ---------------------------------------------------------------------------
# PSA module (murufeng/EPSANet models/epsanet.py + SE_weight_module.py)
# ---------------------------------------------------------------------------

class SEWeightModule(nn.Module):
    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)
        return torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


class PSAModule(nn.Module):
    def __init__(self, inplans, planes, conv_kernels=(3, 5, 7, 9), stride=1,
                 conv_groups=(1, 4, 8, 16)):
        super().__init__()
        self.split_channel = planes // 4
        for i, (k, g) in enumerate(zip(conv_kernels, conv_groups)):
            setattr(self, f"conv_{i + 1}",
                    nn.Conv2d(inplans, planes // 4, k, stride=stride,
                              padding=k // 2, groups=g, bias=False))
        self.se = SEWeightModule(planes // 4)

    def forward(self, x):
        n = x.shape[0]
        feats = [getattr(self, f"conv_{i + 1}")(x) for i in range(4)]
        weights = torch.stack([self.se(f) for f in feats], dim=1)  # [N,4,P/4,1,1]
        weights = torch.softmax(weights, dim=1)
        weighted = torch.stack(feats, dim=1) * weights
        # official loop prepends each scale: output order is f4, f3, f2, f1
        return torch.cat([weighted[:, i] for i in (3, 2, 1, 0)], dim=1)


# ---------------------------------------------------------------------------
# EMSA (wofmanaf/ResT models/rest.py Attention), wrapped for NCHW tensors
# ---------------------------------------------------------------------------

class EMSA(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias, sr_ratio, apply_transform):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, 2 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)  # always with bias in ResT
        self.sr_ratio = sr_ratio
        if sr_ratio > 1:
            self.sr = nn.Conv2d(dim, dim, sr_ratio + 1, stride=sr_ratio,
                                padding=sr_ratio // 2, groups=dim)
            self.sr_norm = nn.LayerNorm(dim)
        self.apply_transform = apply_transform and num_heads > 1
        if self.apply_transform:
            self.transform_conv = nn.Conv2d(num_heads, num_heads, 1)
            self.transform_norm = nn.InstanceNorm2d(num_heads)

    def attend(self, x, h, w):
        b, n, c = x.shape
        nh, d = self.num_heads, c // self.num_heads
        q = self.q(x).reshape(b, n, nh, d).permute(0, 2, 1, 3)
        if self.sr_ratio > 1:
            x_ = x.permute(0, 2, 1).reshape(b, c, h, w)
            x_ = self.sr(x_).reshape(b, c, -1).permute(0, 2, 1)
            x_ = self.sr_norm(x_)
        else:
            x_ = x
        kv = self.kv(x_).reshape(b, -1, 2, nh, d).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        if self.apply_transform:
            attn = self.transform_norm(torch.softmax(self.transform_conv(attn), dim=-1))
        else:
            attn = torch.softmax(attn, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(out)

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = x.flatten(2).transpose(1, 2)  # [N,HW,C]
        return self.attend(tokens, h, w).transpose(1, 2).reshape(n, c, h, w)


# ---------------------------------------------------------------------------
# External attention (MenghaoGuo/EANet model_torch.py External_attention);
# the memory size (hard-coded 64 there) is a parameter here.  SyncBN is a
# plain BatchNorm2d in eval.
# ---------------------------------------------------------------------------

class ExternalAttention(nn.Module):
    def __init__(self, c, k=64):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 1)
        self.k = k
        self.linear_0 = nn.Conv1d(c, k, 1, bias=False)
        self.linear_1 = nn.Conv1d(k, c, 1, bias=False)
        self.conv2 = nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        idn = x
        x = self.conv1(x)
        b, c, h, w = x.shape
        a = self.linear_0(x.reshape(b, c, h * w))        # [N,S,HW]
        a = torch.softmax(a, dim=-1)                       # over pixels
        a = a / (1e-9 + a.sum(dim=1, keepdim=True))        # L1 over slots
        x = self.linear_1(a).reshape(b, c, h, w)
        return F.relu(self.conv2(x) + idn)


# ---------------------------------------------------------------------------
# Multi-input fusion (SK-style selection across M given inputs).  No public
# code: this module is the reference.
# ---------------------------------------------------------------------------

class Fusion(nn.Module):
    def __init__(self, channels, inputs, reduction, gate, interaction):
        super().__init__()
        self.c, self.m, self.gate = channels, inputs, gate
        rd = channels // reduction
        self.fc1 = nn.Linear(channels, rd)
        self.fc2 = nn.Linear(rd, inputs * channels)
        self.fc_mix = nn.Linear(inputs * channels, inputs * channels) if interaction else None

    def forward(self, x):
        n, _, h, w = x.shape
        xs = x.reshape(n, self.m, self.c, h, w)  # chunk m = channels [m*C,(m+1)*C)
        s = xs.sum(dim=1).mean(dim=(2, 3))
        a = self.fc2(F.relu(self.fc1(s)))
        if self.fc_mix is not None:
            a = self.fc_mix(a)
        a = a.reshape(n, self.m, self.c)
        g = torch.sigmoid(a) if self.gate == "sigmoid" else torch.softmax(a, dim=1)
        return (xs * g[:, :, :, None, None]).sum(dim=1)


# ---------------------------------------------------------------------------
# Randomisation
# ---------------------------------------------------------------------------

_NORMS = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)


@torch.no_grad()
def randomise(model):
    done = set()
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            done |= randomise_batch_norm(mod)
        elif isinstance(mod, nn.LayerNorm):
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.normal_(0.0, 0.1)
            done.update((id(mod.weight), id(mod.bias)))
    for name, p in model.named_parameters():
        if id(p) in done:
            continue
        if name.endswith("gamma"):  # DANet residual scale: nonzero, random sign
            sign = 1.0 if torch.rand(()) < 0.5 else -1.0
            p.uniform_(0.5, 1.5).mul_(sign)
        elif name.endswith("bias"):
            p.normal_(0.0, 0.1)
        else:
            fan_in = p[0].numel()  # in/groups * kernel volume
            p.normal_(0.0, 1.0 / fan_in ** 0.5)
    for name, b in model.named_buffers():
        if id(b) not in done:
            raise RuntimeError(f"unhandled buffer {name}")


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def _case(name, kind, shape, build, hyper=None, input_scale=1.0, in_mult=1,
          keys=None, dc=1.0, fix=None):
    """shape = (N, C, H, W) as recorded in spec.input; the io input tensor has
    in_mult*C channels (fusion concatenates its M inputs).

    The input is input_scale * (randn(N,C,H,W) + dc * randn(N,C,1,1)): the
    per-channel offset gives global means of order 1, so that squeeze-style
    gates see a real spread of values instead of means close to zero."""
    return dict(name=name, kind=kind, shape=shape, build=build,
                hyper=hyper or {}, input_scale=input_scale, in_mult=in_mult,
                keys=keys, dc=dc, fix=fix)


def _bn(prefix):
    return [prefix + s for s in ("weight", "bias", "running_mean",
                                 "running_var", "num_batches_tracked")]


def _bam_keys(num):
    k = ["channel_att.gate_c.gate_c_fc_0.weight", "channel_att.gate_c.gate_c_fc_0.bias",
         *_bn("channel_att.gate_c.gate_c_bn_1."),
         "channel_att.gate_c.gate_c_fc_final.weight", "channel_att.gate_c.gate_c_fc_final.bias",
         "spatial_att.gate_s.gate_s_conv_reduce0.weight",
         "spatial_att.gate_s.gate_s_conv_reduce0.bias",
         *_bn("spatial_att.gate_s.gate_s_bn_reduce0."),
         "spatial_att.gate_s.gate_s_conv_final.weight",
         "spatial_att.gate_s.gate_s_conv_final.bias"]
    for i in range(num):
        k += [f"spatial_att.gate_s.gate_s_conv_di_{i}.weight",
              f"spatial_att.gate_s.gate_s_conv_di_{i}.bias",
              *_bn(f"spatial_att.gate_s.gate_s_bn_di_{i}.")]
    return k


def _sk(c, hyper):
    return SelectiveKernel(
        c, out_channels=hyper["out_channels"], kernel_size=hyper["kernel_size"],
        stride=hyper["stride"], dilation=hyper["dilation"], groups=hyper["groups"],
        rd_ratio=1.0 / hyper["reduction"], rd_divisor=hyper["rd_divisor"],
        keep_3x3=hyper["keep_3x3"], split_input=hyper["split_input"])


def _sk_keys(m):
    k = []
    for i in range(m):
        k += [f"paths.{i}.conv.weight", *_bn(f"paths.{i}.bn.")]
    return k + ["attn.fc_reduce.weight", *_bn("attn.bn."), "attn.fc_select.weight"]


_PAM_KEYS = ["query_conv.weight", "query_conv.bias", "key_conv.weight",
             "key_conv.bias", "value_conv.weight", "value_conv.bias", "gamma"]
_SC_KEYS = ["k2.1.weight", *_bn("k2.2."), "k3.0.weight", *_bn("k3.1."),
            "k4.0.weight", *_bn("k4.1.")]
_PSA_KEYS = ["conv_1.weight", "conv_2.weight", "conv_3.weight", "conv_4.weight",
             "se.fc1.weight", "se.fc1.bias", "se.fc2.weight", "se.fc2.bias"]
_EA_KEYS = ["conv1.weight", "conv1.bias", "linear_0.weight", "linear_1.weight",
            "conv2.0.weight", *_bn("conv2.1.")]


def _emsa_keys(h, s, qkv_bias, transform):
    k = ["q.weight", "kv.weight", "proj.weight", "proj.bias"]
    if qkv_bias:
        k += ["q.bias", "kv.bias"]
    if s > 1:
        k += ["sr.weight", "sr.bias", "sr_norm.weight", "sr_norm.bias"]
    if transform and h > 1:
        k += ["transform_conv.weight", "transform_conv.bias"]
    return k


def _fusion_keys(interaction):
    k = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    return k + (["fc_mix.weight", "fc_mix.bias"] if interaction else [])


SK1 = {"out_channels": 32, "kernel_size": [3, 5], "stride": 1, "dilation": 1,
       "groups": 1, "reduction": 16, "rd_divisor": 8, "keep_3x3": True,
       "split_input": True}
SK2 = {"out_channels": 64, "kernel_size": [3, 5], "stride": 1, "dilation": 1,
       "groups": 8, "reduction": 16, "rd_divisor": 32, "keep_3x3": True,
       "split_input": False}
SK3 = {"out_channels": 64, "kernel_size": [3, 5], "stride": 2, "dilation": 1,
       "groups": 2, "reduction": 8, "rd_divisor": 16, "keep_3x3": True,
       "split_input": True}

BAM1 = {"reduction": 16, "dilation_val": 4, "dilation_conv_num": 2}
BAM2 = {"reduction": 8, "dilation_val": 2, "dilation_conv_num": 1}

SC1 = {"pooling_r": 4, "stride": 1, "padding": 1, "dilation": 1, "groups": 1}
SC3 = {"pooling_r": 4, "stride": 2, "padding": 1, "dilation": 1, "groups": 4}

PSA1 = {"planes": 64, "conv_kernels": [3, 5, 7, 9], "conv_groups": [1, 4, 8, 16], "stride": 1}
PSA2 = {"planes": 64, "conv_kernels": [3, 5, 7, 9], "conv_groups": [1, 2, 4, 8], "stride": 2}

EMSA1 = {"num_heads": 1, "sr_ratio": 1, "qkv_bias": False, "apply_transform": True}
EMSA2 = {"num_heads": 4, "sr_ratio": 2, "qkv_bias": True, "apply_transform": True}
EMSA3 = {"num_heads": 2, "sr_ratio": 4, "qkv_bias": True, "apply_transform": False}
EMSA4 = {"num_heads": 2, "sr_ratio": 3, "qkv_bias": True, "apply_transform": True}

FU1 = {"inputs": 3, "reduction": 4, "gate": "sigmoid", "interaction": False}
FU2 = {"inputs": 3, "reduction": 4, "gate": "softmax", "interaction": True}
FU3 = {"inputs": 2, "reduction": 2, "gate": "softmax", "interaction": False}


def _bam(c, p):
    return BAM(c, p["reduction"], p["dilation_conv_num"], p["dilation_val"])


def _scconv(c, p):
    return SCConv(c, c, p["stride"], p["padding"], p["dilation"], p["groups"],
                  p["pooling_r"])


def _psa(c, p):
    return PSAModule(c, p["planes"], p["conv_kernels"], p["stride"], p["conv_groups"])


@torch.no_grad()
def _psa_fix(m):
    # planes/4 = 16 gives a single SE hidden unit; with a random bias its ReLU
    # can be dead for every scale, which makes all four weights equal and the
    # softmax exactly uniform.  A positive bias keeps it alive.
    m.se.fc1.bias.uniform_(1.0, 1.5)


def _emsa(c, p):
    return EMSA(c, p["num_heads"], p["qkv_bias"], p["sr_ratio"], p["apply_transform"])


def _fusion(c, p):
    return Fusion(c, p["inputs"], p["reduction"], p["gate"], p["interaction"])


CASES = [
    # --- SE variants (ECA-Net ablation; this script is the reference) -----
    _case("se_var1_c32", "se_var1", (2, 32, 8, 8), lambda: SEVar1(), keys=[]),
    _case("se_var2_c48", "se_var2", (1, 48, 7, 5), lambda: SEGrouped(48, 48),
          keys=["fc.weight"]),
    _case("se_var3_c32", "se_var3", (2, 32, 6, 6), lambda: SEGrouped(32, 1),
          keys=["fc.weight"]),
    _case("se_gc_c64_g4", "se_gc", (1, 64, 5, 7), lambda: SEGrouped(64, 4),
          {"groups": 4}, keys=["fc.weight"]),
    _case("se_gc_c32_g8", "se_gc", (2, 32, 4, 4), lambda: SEGrouped(32, 8),
          {"groups": 8}, keys=["fc.weight"]),
    # --- BAM ---------------------------------------------------------------
    _case("bam_c64_r16", "bam", (1, 64, 8, 8), lambda: _bam(64, BAM1), BAM1,
          keys=_bam_keys(2)),
    _case("bam_c32_r8_d2", "bam", (2, 32, 6, 6), lambda: _bam(32, BAM2), BAM2,
          keys=_bam_keys(1)),
    # --- SK (timm) ---------------------------------------------------------
    _case("sk_c32_split", "sk", (1, 32, 8, 8), lambda: _sk(32, SK1), SK1,
          keys=_sk_keys(2)),
    _case("sk_c64_g8_paper", "sk", (2, 64, 10, 10), lambda: _sk(64, SK2), SK2,
          keys=_sk_keys(2)),
    _case("sk_c32_o64_s2", "sk", (1, 32, 9, 9), lambda: _sk(32, SK3), SK3,
          keys=_sk_keys(2)),
    # --- DANet ---------------------------------------------------------------
    _case("danet_pam_c32", "danet_pam", (1, 32, 8, 8), lambda: PAMModule(32),
          keys=_PAM_KEYS),
    _case("danet_pam_c64_6x10", "danet_pam", (2, 64, 6, 10), lambda: PAMModule(64),
          keys=_PAM_KEYS),
    # CAM inputs carry no per-channel offset (dc=0): an offset would make
    # every channel pair strongly correlated and the attention one-hot.
    _case("danet_cam_c16", "danet_cam", (1, 16, 8, 8), lambda: CAMModule(16),
          keys=["gamma"], dc=0.0),
    # small inputs: energies O(1), a soft (not one-hot) channel attention
    _case("danet_cam_c16_soft", "danet_cam", (2, 16, 8, 8), lambda: CAMModule(16),
          input_scale=0.3, keys=["gamma"], dc=0.0),
    # large inputs: energies ~1e3, exercises the max - energy rounding
    _case("danet_cam_c32_large", "danet_cam", (1, 32, 12, 12), lambda: CAMModule(32),
          input_scale=3.0, keys=["gamma"], dc=0.0),
    # --- SC-Conv -------------------------------------------------------------
    _case("scconv_c16", "scconv", (1, 16, 8, 8), lambda: _scconv(16, SC1), SC1,
          keys=_SC_KEYS),
    _case("scconv_c16_10x13", "scconv", (1, 16, 10, 13), lambda: _scconv(16, SC1), SC1,
          keys=_SC_KEYS),
    _case("scconv_c32_g4_s2", "scconv", (2, 32, 12, 12), lambda: _scconv(32, SC3), SC3,
          keys=_SC_KEYS),
    # --- PSA (EPSANet) -------------------------------------------------------
    _case("psa_c64_p64", "psa", (1, 64, 8, 8), lambda: _psa(64, PSA1), PSA1,
          keys=_PSA_KEYS, fix=_psa_fix),
    _case("psa_c32_p64_s2", "psa", (2, 32, 6, 6), lambda: _psa(32, PSA2), PSA2,
          keys=_PSA_KEYS, fix=_psa_fix),
    # --- EMSA (ResT) ---------------------------------------------------------
    _case("emsa_c32_h1_s1", "emsa", (1, 32, 8, 8), lambda: _emsa(32, EMSA1), EMSA1,
          keys=_emsa_keys(1, 1, False, True)),
    _case("emsa_c32_h4_s2", "emsa", (1, 32, 8, 8), lambda: _emsa(32, EMSA2), EMSA2,
          keys=_emsa_keys(4, 2, True, True)),
    _case("emsa_c64_h2_s4", "emsa", (2, 64, 16, 16), lambda: _emsa(64, EMSA3), EMSA3,
          keys=_emsa_keys(2, 4, True, False)),
    _case("emsa_c32_h2_s3", "emsa", (1, 32, 9, 9), lambda: _emsa(32, EMSA4), EMSA4,
          keys=_emsa_keys(2, 3, True, True)),
    # --- External attention (EANet) -----------------------------------------
    _case("external_attention_c32_s64", "external_attention", (1, 32, 8, 8),
          lambda: ExternalAttention(32, 64), {"S": 64}, keys=_EA_KEYS),
    _case("external_attention_c16_s8", "external_attention", (2, 16, 6, 10),
          lambda: ExternalAttention(16, 8), {"S": 8}, keys=_EA_KEYS),
    # --- Multi-input fusion (this script is the reference) -------------------
    _case("fusion_m3_c32_sigmoid", "fusion", (1, 32, 6, 6), lambda: _fusion(32, FU1),
          FU1, in_mult=3, keys=_fusion_keys(False)),
    _case("fusion_m3_c32_softmax_mix", "fusion", (2, 32, 5, 7), lambda: _fusion(32, FU2),
          FU2, in_mult=3, keys=_fusion_keys(True)),
    _case("fusion_m2_c16_softmax", "fusion", (1, 16, 8, 8), lambda: _fusion(16, FU3),
          FU3, in_mult=2, keys=_fusion_keys(False)),
]


def _check_bn_eps(model):
    for mod in model.modules():
        if isinstance(mod, _NORMS):
            assert mod.eps == BN_EPS, f"unexpected norm eps {mod.eps}"


def make_case(case, outdir):
    name = case["name"]
    assert name.isidentifier() and name.isascii(), name
    torch.manual_seed(zlib.crc32(name.encode()))  # per case: order-independent

    model = case["build"]()
    randomise(model)
    if case["fix"] is not None:
        case["fix"](model)
    model.eval()
    _check_bn_eps(model)

    n, c, h, w = case["shape"]
    ct = c * case["in_mult"]
    x = torch.randn(n, ct, h, w, dtype=torch.float32)
    x = x + case["dc"] * torch.randn(n, ct, 1, 1, dtype=torch.float32)
    x = (x * case["input_scale"]).contiguous()
    with torch.no_grad():
        y = model(x).to(torch.float32).contiguous()
    assert y.dtype == torch.float32 and torch.isfinite(y).all(), name

    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    if case["keys"] is not None:
        assert set(state) == set(case["keys"]), \
            f"{name}: state_dict keys {sorted(state)} != {sorted(case['keys'])}"

    out_dir = os.path.join(outdir, name)
    # The case's folder is replaced whole: a file an older version of the case wrote (weights of
    # a block that now has none) must not linger beside the new ones.
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    spec = {"name": name, "kind": case["kind"],
            "input": {"n": n, "c": c, "h": h, "w": w}}
    if state:
        spec["weights"] = "weights.safetensors"
    spec.update(case["hyper"])
    with open(os.path.join(out_dir, "spec.json"), "w") as f:
        f.write(json.dumps(spec, indent=2, sort_keys=True) + "\n")

    wpath = os.path.join(out_dir, "weights.safetensors")
    if state:
        save_file(state, wpath)
    elif os.path.exists(wpath):
        os.remove(wpath)
    save_file({"input": x, "output": y}, os.path.join(out_dir, "io.safetensors"))

    # re-read to make sure what is on disk is what was computed
    io = np_load_file(os.path.join(out_dir, "io.safetensors"))
    assert io["input"].dtype == np.float32 and io["output"].dtype == np.float32
    assert np.array_equal(io["output"], y.numpy())
    if state:
        sd = np_load_file(wpath)
        assert set(sd) == set(state)
        for k, v in state.items():
            assert sd[k].shape == tuple(v.shape) and np.array_equal(sd[k], v.numpy()), k

    print(f"{name:28s} in {str(list(x.shape)):18s} out {str(list(y.shape)):18s} "
          f"max|y|={float(y.abs().max()):8.4f}  std(y)={float(y.std()):7.4f}  "
          f"{len(state):2d} tensors")
    return y


def main(argv):
    outdir = os.path.abspath(argv[1] if len(argv) > 1 else DEFAULT_OUTDIR)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, timm {timm.__version__}, numpy {np.__version__}")
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    for case in CASES:
        make_case(case, outdir)
    print(f"{len(CASES)} cases written to {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
