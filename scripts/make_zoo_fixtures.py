#!/usr/bin/env python3
"""Reference fixtures for the strip-pooling kinds of issue 13 (coord, scoord, lcbam, strip, ela).

Run by hand (never in CI), with the venv that has torch and timm:

    .venv/bin/python scripts/make_zoo_fixtures.py [--out OUTDIR] [--coordatt DIR] [case ...]

Same folder format and conventions as make_catalog_fixtures.py (whose case runner it reuses):
OUTDIR/<case>/spec.json, weights.safetensors (the reference module's own state_dict, every
parameter and buffer randomised from a per-case seed, BatchNorm statistics included),
io.safetensors (input, and the module's output in eval mode).

Each case is made by the reference module itself:
  - timm's classes, from the installed timm (CoordAttn, SimpleCoordAttn, LightCbamModule,
    StripAttn, EfficientLocalAttn);
  - Hou et al.'s official CoordAtt from a checkout of Andrew-Qibin/CoordAttention given by path
    (--coordatt DIR, the folder holding coordatt.py; fetched, never copied into this
    repository). Without it the official cases are skipped, and the script says so.
"""

import argparse
import importlib.util
import os
import sys

import torch
import torch.nn as nn

import timm
from timm.layers.cbam import LightCbamModule
from timm.layers.coord_attn import CoordAttn, EfficientLocalAttn, SimpleCoordAttn, StripAttn
from timm.layers.norm import GroupNorm, GroupNorm1

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog_fixtures as catalog  # noqa: E402  (the case runner, the randomisation, _bn)
from make_catalog_fixtures import _bn, _case  # noqa: E402

ACTS = {"relu": nn.ReLU, "relu6": nn.ReLU6, "silu": nn.SiLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
        "gelu": nn.GELU, "gelu_tanh": lambda: nn.GELU(approximate="tanh"), "hard_swish": nn.Hardswish,
        "hard_sigmoid": nn.Hardsigmoid}


def load_module(path, name):
    """Imports one Python file of an official checkout by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _conv(prefix, bias):
    return [prefix + ".weight"] + ([prefix + ".bias"] if bias else [])


# ---------------------------------------------------------------------------
# coord: timm CoordAttn and the official CoordAtt
# ---------------------------------------------------------------------------

def coord_keys(bias, norm=True):
    return _conv("conv1", bias) + (_bn("bn1.") if norm else []) + _conv("conv_h", bias) + _conv("conv_w", bias)


def coord_cases(args):
    out = [
        # timm's defaults: rd = make_divisible(48/16·2/3, 8) = 8, no biases; the variant comes
        # from the file (no conv1.bias).
        _case("coord_timm_c48", "coord", (2, 48, 5, 6), lambda: CoordAttn(48), keys=coord_keys(False)),
        # rd = make_divisible(160/8·2/3 = 13.3, 8) = 16 (the stated reduction is checked against
        # the file), biases, no norm, SiLU, hard-sigmoid gate, skip.
        _case("coord_timm_c160_r8_skip", "coord", (1, 160, 4, 7),
              lambda: CoordAttn(160, rd_ratio=1 / 8, bias=True, act_layer=nn.SiLU, norm_layer=None,
                                gate_layer="hard_sigmoid", has_skip=True),
              {"variant": "timm", "reduction": 8, "bias": True, "act_layer": "silu", "norm_layer": "none",
               "gate_layer": "hard_sigmoid", "has_skip": True}, keys=coord_keys(True, norm=False)),
        # GELU, rd_divisor 4, se_factor 1: rd = make_divisible(40/4, 4) = 12.
        _case("coord_timm_c40_gelu", "coord", (2, 40, 3, 9),
              lambda: CoordAttn(40, rd_ratio=1 / 4, rd_divisor=4, se_factor=1.0, act_layer=nn.GELU),
              {"variant": "timm", "reduction": 4, "rd_divisor": 4, "se_factor": 1.0, "act_layer": "gelu"},
              keys=coord_keys(False)),
    ]
    if args.coordatt is None:
        print("skipping the official CoordAtt cases: no --coordatt checkout given")
        return out
    official = load_module(os.path.join(args.coordatt, "coordatt.py"), "coordatt_official")
    return out + [
        # The paper's block: mip = max(8, 64 // 32) = 8, conv biases, h_swish.
        _case("coord_official_c64", "coord", (2, 64, 7, 5), lambda: official.CoordAtt(64, 64),
              keys=coord_keys(True)),
        # reduction 8: mip = max(8, 96 // 8) = 12, checked against the file.
        _case("coord_official_c96_r8", "coord", (1, 96, 6, 9), lambda: official.CoordAtt(96, 96, reduction=8),
              {"reduction": 8}, keys=coord_keys(True)),
    ]


# ---------------------------------------------------------------------------
# scoord: timm SimpleCoordAttn
# ---------------------------------------------------------------------------

def scoord_keys(bias):
    return _conv("fc1", bias) + _conv("fc_h", bias) + _conv("fc_w", bias)


def scoord_cases():
    return [
        # timm's defaults: rd = make_divisible(48/4·2/3, 8) = 8, Linear biases, SiLU, sigmoid.
        _case("scoord_timm_c48", "scoord", (2, 48, 5, 6), lambda: SimpleCoordAttn(48), keys=scoord_keys(True)),
        # rd = make_divisible(96/2·2/3 = 32, 8) = 32 (checked against the file), no biases,
        # hard-swish, hard-sigmoid gate, skip.
        _case("scoord_timm_c96_r2_skip", "scoord", (1, 96, 7, 3),
              lambda: SimpleCoordAttn(96, rd_ratio=0.5, bias=False, act_layer=nn.Hardswish,
                                      gate_layer="hard_sigmoid", has_skip=True),
              {"reduction": 2, "bias": False, "act_layer": "hard_swish", "gate_layer": "hard_sigmoid", "has_skip": True},
              keys=scoord_keys(False)),
        # GELU, rd_divisor 4, se_factor 1: rd = make_divisible(40/4, 4) = 12.
        _case("scoord_timm_c40_gelu", "scoord", (2, 40, 4, 9),
              lambda: SimpleCoordAttn(40, rd_divisor=4, se_factor=1.0, act_layer=nn.GELU),
              {"rd_divisor": 4, "se_factor": 1.0, "act_layer": "gelu"}, keys=scoord_keys(True)),
    ]


# ---------------------------------------------------------------------------
# lcbam: timm LightCbamModule
# ---------------------------------------------------------------------------

def lcbam_keys(bias):
    return _conv("channel.fc1", bias) + _conv("channel.fc2", bias) + ["spatial.conv.conv.weight"] + _bn("spatial.conv.bn.")


def lcbam_cases():
    return [
        # timm's defaults: rd = 64/16 = 4, no MLP biases, ReLU, 7×7 spatial conv.
        _case("lcbam_timm_c64", "lcbam", (2, 64, 8, 7), lambda: LightCbamModule(64), keys=lcbam_keys(False)),
        # rd = make_divisible(40/8, 4) = 8 (checked against the file), biases, SiLU, 3×3.
        _case("lcbam_timm_c40_r8_silu_k3", "lcbam", (1, 40, 6, 9),
              lambda: LightCbamModule(40, rd_ratio=1 / 8, rd_divisor=4, spatial_kernel_size=3, act_layer=nn.SiLU,
                                      mlp_bias=True),
              {"reduction": 8, "rd_divisor": 4, "act_layer": "silu", "mlp_bias": True}, keys=lcbam_keys(True)),
        # A 5×5 conv on a plane smaller than it in W: the padding is most of what it sees.
        _case("lcbam_timm_c24_k5", "lcbam", (2, 24, 5, 3), lambda: LightCbamModule(24, spatial_kernel_size=5),
              keys=lcbam_keys(False)),
    ]


# ---------------------------------------------------------------------------
# strip: timm StripAttn
# ---------------------------------------------------------------------------

def strip_keys(bias):
    return _conv("conv_h", bias) + _conv("conv_w", bias)


def strip_cases():
    return [
        # timm's defaults: (3, 1) and (1, 3) depthwise convs without bias, sigmoid.
        _case("strip_timm_c32", "strip", (2, 32, 7, 9), lambda: StripAttn(32), keys=strip_keys(False)),
        # k = 5 on a plane 3 wide (the W conv sees mostly padding), biases, hard-sigmoid, skip;
        # k and the biases come from the file.
        _case("strip_timm_c24_k5_skip", "strip", (1, 24, 6, 3),
              lambda: StripAttn(24, kernel_size=5, bias=True, gate_layer="hard_sigmoid", has_skip=True),
              {"gate_layer": "hard_sigmoid", "has_skip": True}, keys=strip_keys(True)),
        # No convs: the raw strip means under the gate; no weights at all.
        _case("strip_timm_c16_noconv", "strip", (2, 16, 5, 8), lambda: StripAttn(16, use_conv=False),
              {"use_conv": False}, keys=[]),
    ]


# ---------------------------------------------------------------------------
# ela: timm EfficientLocalAttn
# ---------------------------------------------------------------------------

def ela_keys(bias, norm="gn"):
    norms = {"gn": lambda p: [p + ".weight", p + ".bias"], "bn": lambda p: _bn(p + "."), None: lambda p: []}[norm]
    return _conv("conv_h", bias) + _conv("conv_w", bias) + norms("norm_h") + norms("norm_w")


@torch.no_grad()
def _randomise_group_norms(model):
    """GroupNorm's affine is initialised to 1 and 0, and randomise() treats it as a conv weight:
    a scale of either sign near 1 and a visible shift instead, so neither term hides."""
    for mod in model.modules():
        if isinstance(mod, nn.GroupNorm):
            sign = torch.where(torch.rand(mod.weight.shape) < 0.5, -1.0, 1.0)
            mod.weight.copy_(torch.empty_like(mod.weight).uniform_(0.5, 1.5) * sign)
            mod.bias.normal_(0.0, 0.3)


def ela_cases():
    return [
        # timm's defaults: k = 7, GroupNorm1 (one group over C·H of each strip), SiLU, sigmoid;
        # k is larger than H, so the H conv's edges see padding on both sides.
        _case("ela_timm_c32", "ela", (2, 32, 5, 9), lambda: EfficientLocalAttn(32), keys=ela_keys(False),
              fix=_randomise_group_norms),
        # BatchNorm2d on the strips, biases, hard-swish, hard-sigmoid gate, skip, k = 5 (from the
        # file, as are the biases and the norm).
        _case("ela_timm_c24_k5_bn_skip", "ela", (1, 24, 6, 11),
              lambda: EfficientLocalAttn(24, kernel_size=5, bias=True, act_layer=nn.Hardswish,
                                         gate_layer="hard_sigmoid", norm_layer=nn.BatchNorm2d, has_skip=True),
              {"act_layer": "hard_swish", "gate_layer": "hard_sigmoid", "has_skip": True},
              keys=ela_keys(True, "bn")),
        # timm GroupNorm: 32 groups of two channels, GELU, k = 3.
        _case("ela_timm_c64_gn32_k3", "ela", (2, 64, 7, 4),
              lambda: EfficientLocalAttn(64, kernel_size=3, act_layer=nn.GELU, norm_layer=GroupNorm),
              {"norm_layer": "groupnorm", "act_layer": "gelu"}, keys=ela_keys(False), fix=_randomise_group_norms),
        # No norm, k = 9 over a plane 4 high, ReLU, tanh gate.
        _case("ela_timm_c20_nonorm_k9", "ela", (1, 20, 4, 10),
              lambda: EfficientLocalAttn(20, kernel_size=9, act_layer=nn.ReLU, gate_layer="tanh", norm_layer=None),
              {"norm_layer": "none", "act_layer": "relu", "gate_layer": "tanh"}, keys=ela_keys(False, None)),
    ]


# ---------------------------------------------------------------------------
# attn-bench --catalog peers (scripts/bench/peers.py): each kind from a spec's fields, with the
# reference's defaults where the spec leaves one out (official CoordAtt's defaults written as
# CoordAttn arguments: the same module, the same math).
# ---------------------------------------------------------------------------

def _coord(c, spec):
    timm_variant = spec.get("variant", "official") == "timm"
    rd = spec.get("reduced_channels")
    if rd is None and not timm_variant:
        rd = max(8, c // spec.get("reduction", 32))
    norm = None if spec.get("norm_layer") == "none" else nn.BatchNorm2d
    return CoordAttn(c, rd_ratio=1 / spec.get("reduction", 16), rd_channels=rd, rd_divisor=spec.get("rd_divisor", 8),
                     se_factor=spec.get("se_factor", 2 / 3), bias=spec.get("bias", not timm_variant),
                     act_layer=ACTS[spec.get("act_layer", "hard_swish")], norm_layer=norm,
                     gate_layer=spec.get("gate_layer", "sigmoid"), has_skip=spec.get("has_skip", False))


def _scoord(c, spec):
    return SimpleCoordAttn(c, rd_ratio=1 / spec.get("reduction", 4), rd_channels=spec.get("reduced_channels"),
                           rd_divisor=spec.get("rd_divisor", 8), se_factor=spec.get("se_factor", 2 / 3),
                           bias=spec.get("bias", True), act_layer=ACTS[spec.get("act_layer", "silu")],
                           gate_layer=spec.get("gate_layer", "sigmoid"), has_skip=spec.get("has_skip", False))


def _lcbam(c, spec):
    return LightCbamModule(c, rd_ratio=1 / spec.get("reduction", 16), rd_channels=spec.get("reduced_channels"),
                           rd_divisor=spec.get("rd_divisor", 1), spatial_kernel_size=spec.get("spatial_kernel_size", 7),
                           act_layer=ACTS[spec.get("act_layer", "relu")], mlp_bias=spec.get("mlp_bias", False))


def _strip(c, spec):
    return StripAttn(c, use_conv=spec.get("use_conv", True), kernel_size=spec.get("kernel_size", 3),
                     bias=spec.get("bias", False), gate_layer=spec.get("gate_layer", "sigmoid"),
                     has_skip=spec.get("has_skip", False))


ELA_NORMS = {"groupnorm1": GroupNorm1, "groupnorm": GroupNorm, "batchnorm": nn.BatchNorm2d, "none": None}


def _ela(c, spec):
    return EfficientLocalAttn(c, kernel_size=spec.get("kernel_size", 7), bias=spec.get("bias", False),
                              act_layer=ACTS[spec.get("act_layer", "silu")], gate_layer=spec.get("gate_layer", "sigmoid"),
                              norm_layer=ELA_NORMS[spec.get("norm_layer", "groupnorm1")],
                              has_skip=spec.get("has_skip", False))


BUILDERS = {"coord": _coord, "scoord": _scoord, "lcbam": _lcbam, "strip": _strip, "ela": _ela}


def cases(args):
    return coord_cases(args) + scoord_cases() + lcbam_cases() + strip_cases() + ela_cases()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=catalog.DEFAULT_OUTDIR)
    parser.add_argument("--coordatt", help="checkout of Andrew-Qibin/CoordAttention (the folder with coordatt.py)")
    parser.add_argument("only", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv[1:])
    outdir = os.path.abspath(args.out)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, timm {timm.__version__}")
    todo = cases(args)
    names = [c["name"] for c in todo]
    assert len(set(names)) == len(names)
    for case in todo:
        if not args.only or case["name"] in args.only:
            catalog.make_case(case, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
