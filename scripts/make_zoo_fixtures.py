#!/usr/bin/env python3
"""Reference fixtures for the zoo kinds of issue 13 (coord, scoord, lcbam, strip, ela, splat, nl,
bat, bottleneck, lambda, halo).

Run by hand (never in CI), with the venv that has torch and timm:

    .venv/bin/python scripts/make_zoo_fixtures.py [--out OUTDIR] [--coordatt DIR] [case ...]

Same folder format and conventions as make_catalog_fixtures.py (whose case runner it reuses):
OUTDIR/<case>/spec.json, weights.safetensors (the reference module's own state_dict, every
parameter and buffer randomised from a per-case seed, BatchNorm statistics included),
io.safetensors (input, and the module's output in eval mode).

Each case is made by the reference module itself:
  - timm's classes, from the installed timm (CoordAttn, SimpleCoordAttn, LightCbamModule,
    StripAttn, EfficientLocalAttn, SplitAttn, NonLocalAttn, BatNonLocalAttn, BottleneckAttn, LambdaLayer,
    HaloAttn);
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
from timm.layers.bottleneck_attn import BottleneckAttn
from timm.layers.coord_attn import CoordAttn, SimpleCoordAttn
from timm.layers.split_attn import SplitAttn
from timm.layers.non_local_attn import BatNonLocalAttn, NonLocalAttn
from timm.layers.halo_attn import HaloAttn
from timm.layers.lambda_layer import LambdaLayer
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
# splat: timm SplitAttn (ResNeSt's conv2)
# ---------------------------------------------------------------------------

def splat_keys(bias, norm):
    return (_conv("conv", bias) + (_bn("bn0.") if norm else []) + _conv("fc1", True) + (_bn("bn1.") if norm else [])
            + _conv("fc2", True))


def splat_cases():
    return [
        # ResNeSt's block: radix 2, BatchNorm, attn = make_divisible(32·2/4, 8, min 32) = 32; the
        # norm and the widths come from the file.
        _case("splat_timm_c32_r2", "splat", (2, 32, 7, 6),
              lambda: SplitAttn(32, radix=2, norm_layer=nn.BatchNorm2d), keys=splat_keys(False, True)),
        # radix 1 (the sigmoid gate), cardinality 2, stride 2, out 16 read from conv.weight.
        _case("splat_timm_c24_r1_g2_s2", "splat", (1, 24, 9, 8),
              lambda: SplitAttn(24, 16, stride=2, groups=2, radix=1, norm_layer=nn.BatchNorm2d),
              {"radix": 1, "groups": 2, "stride": 2}, keys=splat_keys(False, True)),
        # 5×5 dilated conv with bias, no norm, SiLU, rd_channels 12 (fc1 24 wide), groups 2.
        _case("splat_timm_c16_r2_g2_k5", "splat", (2, 16, 6, 7),
              lambda: SplitAttn(16, 24, kernel_size=5, padding=4, dilation=2, groups=2, bias=True, radix=2,
                                rd_channels=12, act_layer=nn.SiLU),
              {"out_channels": 24, "padding": 4, "dilation": 2, "groups": 2, "reduced_channels": 12, "act_layer": "silu"},
              keys=splat_keys(True, False)),
        # radix 4 (resnest50d_4s2x40d's), no norm, a 1-wide plane.
        _case("splat_timm_c16_r4", "splat", (1, 16, 5, 1), lambda: SplitAttn(16, radix=4),
              {"radix": 4}, keys=splat_keys(False, False)),
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
# bottleneck: timm BottleneckAttn (BoTNet), relative position logits
# ---------------------------------------------------------------------------

def bottleneck_keys(bias):
    return _conv("qkv", bias) + ["pos_embed.height_rel", "pos_embed.width_rel"]


def bottleneck_cases():
    return [
        # timm's defaults: 4 heads, dim_head = make_divisible(32, 8) // 4 = 8, no bias, stride 1,
        # on a plane taller than wide (the H and W tables differ in length).
        _case("bottleneck_timm_c32", "bottleneck", (2, 32, 6, 5), lambda: BottleneckAttn(32, feat_size=(6, 5)),
              {"feat_size": [6, 5]}, keys=bottleneck_keys(False)),
        # dim_out 24 in 3 heads, dim_head from qk_ratio 0.5: make_divisible(12, 8) // 3 = 5; a qkv
        # bias, position logits inside the scale, and the 2×2 average pool of stride 2 on an odd
        # 7×9 plane (floor: 3×4).
        _case("bottleneck_timm_c48_s2_scaled", "bottleneck", (1, 48, 7, 9),
              lambda: BottleneckAttn(48, dim_out=24, feat_size=(7, 9), stride=2, num_heads=3, qk_ratio=0.5,
                                     qkv_bias=True, scale_pos_embed=True),
              {"dim_out": 24, "stride": 2, "num_heads": 3, "qk_ratio": 0.5, "scale_pos_embed": True},
              keys=bottleneck_keys(True)),
        # An explicit dim_head unrelated to the width, 2 heads, a square plane.
        _case("bottleneck_timm_c16_dh6", "bottleneck", (2, 16, 4, 4),
              lambda: BottleneckAttn(16, feat_size=4, num_heads=2, dim_head=6), {"num_heads": 2, "dim_head": 6},
              keys=bottleneck_keys(False)),
    ]


# ---------------------------------------------------------------------------
# nl: timm NonLocalAttn (its norm is zero-initialised: randomised here like every parameter, so
# the attention term shows in the output)
# ---------------------------------------------------------------------------

def nl_keys():
    return _conv("t", True) + _conv("p", True) + _conv("g", True) + _conv("z", True) + _bn("norm.")


def nl_cases():
    return [
        # timm's defaults: rd = make_divisible(64/8, 8) = 8, scale 64^-1/2.
        _case("nl_timm_c64", "nl", (2, 64, 7, 6), lambda: NonLocalAttn(64), keys=nl_keys()),
        # rd = make_divisible(40/4 = 10, 4) = 12 (checked against the file), no scale, odd plane.
        _case("nl_timm_c40_r4_noscale", "nl", (1, 40, 5, 9),
              lambda: NonLocalAttn(40, use_scale=False, rd_ratio=1 / 4, rd_divisor=4),
              {"reduction": 4, "rd_divisor": 4, "use_scale": False}, keys=nl_keys()),
        # make_divisible's round limit: 72/8 = 9 rounds to 8 < 0.9·9, so timm bumps it to 16.
        _case("nl_timm_c72_round_limit", "nl", (1, 72, 4, 4), lambda: NonLocalAttn(72), keys=nl_keys()),
    ]


# ---------------------------------------------------------------------------
# bat: timm BatNonLocalAttn (eval: its Dropout2d is the identity)
# ---------------------------------------------------------------------------

def _cna(prefix):
    return [prefix + ".conv.weight"] + _bn(prefix + ".bn.")


def bat_keys():
    return (_cna("conv1") + _cna("ba.conv1") + _conv("ba.conv_p", True) + _conv("ba.conv_q", True) + _cna("ba.conv2")
            + _cna("conv2"))


def bat_cases():
    return [
        # timm's defaults on a 14×14 plane: rd = make_divisible(64/4, 8) = 16, 2 groups of 7×7
        # transforms, each a Kronecker product with I_2.
        _case("bat_timm_c64", "bat", (2, 64, 14, 14), lambda: BatNonLocalAttn(64), keys=bat_keys()),
        # b = 3 on a 9×6 plane (H/b = 3, W/b = 2), 4 groups, rd = make_divisible(40/2, 4) = 20,
        # SiLU after every norm; checked against the file.
        _case("bat_timm_c40_b3_g4_silu", "bat", (1, 40, 9, 6),
              lambda: BatNonLocalAttn(40, block_size=3, groups=4, rd_ratio=1 / 2, rd_divisor=4, act_layer=nn.SiLU),
              {"block_size": 3, "groups": 4, "reduction": 2, "rd_divisor": 4, "act_layer": "silu"}, keys=bat_keys()),
        # b = H = W: the transforms are full b×b matrices (timm's resize_mat returns them as
        # they are); one group; the round limit bumps make_divisible(36/4 = 9, 8) = 8 to 16.
        _case("bat_timm_c36_b5_g1", "bat", (1, 36, 5, 5), lambda: BatNonLocalAttn(36, block_size=5, groups=1),
              {"block_size": 5, "groups": 1}, keys=bat_keys()),
    ]


# ---------------------------------------------------------------------------
# lambda: timm LambdaLayer with local position lambdas (conv_lambda) or its relative-position
# embedding (feat_size, r=None: pos_emb)
# ---------------------------------------------------------------------------

def lambda_keys(bias, relative=False):
    return (_conv("qkv", bias) + _bn("norm_q.") + _bn("norm_v.")
            + (["pos_emb"] if relative else _conv("conv_lambda", True)))


def lambda_cases():
    return [
        # timm's defaults: 4 heads, dim_head 16, r = 9 (wider than the 6×5 plane: most taps read
        # the zero padding).
        _case("lambda_timm_c32", "lambda", (2, 32, 6, 5), lambda: LambdaLayer(32), keys=lambda_keys(False)),
        # 3 heads of dim_head 6, r = 5, a qkv bias, and stride 2's 2×2 average pool on an odd plane.
        _case("lambda_timm_c24_s2_r5", "lambda", (1, 24, 7, 9),
              lambda: LambdaLayer(24, stride=2, num_heads=3, dim_head=6, r=5, qkv_bias=True),
              {"stride": 2, "num_heads": 3, "dim_head": 6, "r": 5, "qkv_bias": True}, keys=lambda_keys(True)),
        # 2 heads, dim_head 8, r = 3.
        _case("lambda_timm_c16_r3", "lambda", (2, 16, 4, 5), lambda: LambdaLayer(16, num_heads=2, dim_head=8, r=3),
              {"num_heads": 2, "dim_head": 8, "r": 3}, keys=lambda_keys(False)),
        # The relative-position variant (pos_emb [2H-1, 2W-1, dim_head]) with timm's other
        # defaults on a non-square plane.
        _case("lambda_timm_c32_feat6x5", "lambda", (2, 32, 6, 5), lambda: LambdaLayer(32, feat_size=(6, 5), r=None),
              {"feat_size": [6, 5]}, keys=lambda_keys(False, relative=True)),
        # feat_size as one integer, 3 heads of dim_head 6, a qkv bias and stride 2's pool.
        _case("lambda_timm_c24_feat7_s2", "lambda", (1, 24, 7, 7),
              lambda: LambdaLayer(24, feat_size=7, stride=2, num_heads=3, dim_head=6, r=None, qkv_bias=True),
              {"feat_size": 7, "stride": 2, "num_heads": 3, "dim_head": 6, "qkv_bias": True},
              keys=lambda_keys(True, relative=True)),
        # 2 heads, dim_head 8, a wide 4x8 plane.
        _case("lambda_timm_c16_feat4x8_h2", "lambda", (2, 16, 4, 8),
              lambda: LambdaLayer(16, feat_size=(4, 8), num_heads=2, dim_head=8, r=None),
              {"feat_size": [4, 8], "num_heads": 2, "dim_head": 8}, keys=lambda_keys(False, relative=True)),
        # lambda_resnet26rpt's last stage in miniature: 8x8, 4 heads of 16.
        _case("lambda_timm_c64_feat8", "lambda", (1, 64, 8, 8), lambda: LambdaLayer(64, feat_size=8, r=None),
              {"feat_size": [8, 8]}, keys=lambda_keys(False, relative=True)),
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
# halo: timm HaloAttn (HaloNet), blocked unfold with halo padding, relative position logits
# ---------------------------------------------------------------------------

def halo_keys(bias):
    return _conv("q", bias) + _conv("kv", bias) + ["pos_embed.height_rel", "pos_embed.width_rel"]


def halo_cases():
    return [
        # 4×4 blocks with a halo of 2 on an 8×12 plane (2×3 blocks, the corner windows mostly
        # zero padding), 4 heads, dim_head = make_divisible(32, 8) // 4 = 8.
        _case("halo_timm_c32_b4_h2", "halo", (2, 32, 8, 12),
              lambda: HaloAttn(32, num_heads=4, block_size=4, halo_size=2),
              {"num_heads": 4, "block_size": 4, "halo_size": 2}, keys=halo_keys(False)),
        # Stride 2 with an even block: strided queries (2×2 query blocks in 6×6 windows), biases,
        # position logits inside the scale, dim_out 24 in 3 heads of dim_head 5.
        _case("halo_timm_c16_s2_scaled", "halo", (1, 16, 8, 8),
              lambda: HaloAttn(16, dim_out=24, stride=2, num_heads=3, dim_head=5, block_size=4, halo_size=1,
                               qkv_bias=True, scale_pos_embed=True),
              {"dim_out": 24, "stride": 2, "num_heads": 3, "dim_head": 5, "block_size": 4, "halo_size": 1,
               "scale_pos_embed": True}, keys=halo_keys(True)),
        # Stride 2 with avg_down: full-resolution blocks of 3 (odd), then the 2×2 average pool.
        _case("halo_timm_c24_avg_down", "halo", (2, 24, 6, 9),
              lambda: HaloAttn(24, stride=2, num_heads=2, block_size=3, halo_size=1, avg_down=True),
              {"stride": 2, "num_heads": 2, "block_size": 3, "halo_size": 1, "avg_down": True}, keys=halo_keys(False)),
        # timm's defaults (8 heads, 8×8 blocks, halo 3: 14×14 windows) on a 16×24 plane, 2×3 blocks.
        _case("halo_timm_c64_defaults", "halo", (1, 64, 16, 24), lambda: HaloAttn(64), keys=halo_keys(False)),
        # qk_ratio 0.5: dim_head = make_divisible(10, 8) // 4 = 16 // 4 = 4 (the round limit adds a
        # divisor); no halo (windows are the blocks); stride 2 with an odd block pools 2×2 at the end
        # without avg_down.
        _case("halo_timm_c20_qk05_h0_s2", "halo", (2, 20, 10, 15),
              lambda: HaloAttn(20, stride=2, num_heads=4, block_size=5, halo_size=0, qk_ratio=0.5),
              {"stride": 2, "num_heads": 4, "block_size": 5, "halo_size": 0, "qk_ratio": 0.5}, keys=halo_keys(False)),
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


def _splat(c, spec):
    norm = nn.BatchNorm2d if spec.get("norm_layer") == "batchnorm" else None
    k = spec.get("kernel_size", 3)
    return SplitAttn(c, spec.get("out_channels", c), kernel_size=k, stride=spec.get("stride", 1),
                     padding=spec.get("padding", k // 2), dilation=spec.get("dilation", 1), groups=spec.get("groups", 1),
                     bias=spec.get("bias", False), radix=spec.get("radix", 2), rd_ratio=1 / spec.get("reduction", 4),
                     rd_channels=spec.get("reduced_channels"), rd_divisor=spec.get("rd_divisor", 8),
                     act_layer=ACTS[spec.get("act_layer", "relu")], norm_layer=norm)


def _nl(c, spec):
    return NonLocalAttn(c, use_scale=spec.get("use_scale", True), rd_ratio=1 / spec.get("reduction", 8),
                        rd_channels=spec.get("reduced_channels"), rd_divisor=spec.get("rd_divisor", 8))


def _bat(c, spec):
    return BatNonLocalAttn(c, block_size=spec.get("block_size", 7), groups=spec.get("groups", 2),
                           rd_ratio=1 / spec.get("reduction", 4), rd_channels=spec.get("reduced_channels"),
                           rd_divisor=spec.get("rd_divisor", 8), act_layer=ACTS[spec.get("act_layer", "relu")])



def _plane(spec):
    return (spec["input"]["h"], spec["input"]["w"])


def _bottleneck(c, spec):
    return BottleneckAttn(c, dim_out=spec.get("dim_out"), feat_size=_plane(spec), stride=spec.get("stride", 1),
                          num_heads=spec.get("num_heads", 4), dim_head=spec.get("dim_head"),
                          qk_ratio=spec.get("qk_ratio", 1.0), qkv_bias=spec.get("qkv_bias", False),
                          scale_pos_embed=spec.get("scale_pos_embed", False))


def _lambda(c, spec):
    feat = spec.get("feat_size")
    return LambdaLayer(c, dim_out=spec.get("dim_out"), feat_size=None if feat is None else tuple(feat) if isinstance(feat, list) else feat,
                       stride=spec.get("stride", 1), num_heads=spec.get("num_heads", 4), dim_head=spec.get("dim_head", 16),
                       r=None if feat is not None else spec.get("r", 9), qkv_bias=spec.get("qkv_bias", False))


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


def _halo(c, spec):
    return HaloAttn(c, dim_out=spec.get("dim_out"), stride=spec.get("stride", 1), num_heads=spec.get("num_heads", 8),
                    dim_head=spec.get("dim_head"), block_size=spec.get("block_size", 8),
                    halo_size=spec.get("halo_size", 3), qk_ratio=spec.get("qk_ratio", 1.0),
                    qkv_bias=spec.get("qkv_bias", False), avg_down=spec.get("avg_down", False),
                    scale_pos_embed=spec.get("scale_pos_embed", False))


BUILDERS = {"coord": _coord, "scoord": _scoord, "lcbam": _lcbam, "splat": _splat, "nl": _nl, "bat": _bat,
            "bottleneck": _bottleneck, "lambda": _lambda, "strip": _strip, "ela": _ela, "halo": _halo}


def cases(args):
    return (coord_cases(args) + scoord_cases() + lcbam_cases() + splat_cases() + nl_cases() + bat_cases()
            + bottleneck_cases() + lambda_cases() + strip_cases() + ela_cases() + halo_cases())


_randomise = catalog.randomise


@torch.no_grad()
def randomise(model):
    """make_catalog_fixtures' randomisation, keeping LambdaLayer's rel_pos_indices: a fixed index
    buffer (not saved: non-persistent) that the relative-position variant gathers with."""
    kept = [(m, m._buffers.pop("rel_pos_indices")) for m in model.modules()
            if isinstance(m, LambdaLayer) and m._buffers.get("rel_pos_indices") is not None]
    try:
        _randomise(model)
    finally:
        for m, b in kept:
            m._buffers["rel_pos_indices"] = b


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=catalog.DEFAULT_OUTDIR)
    parser.add_argument("--coordatt", help="checkout of Andrew-Qibin/CoordAttention (the folder with coordatt.py)")
    parser.add_argument("only", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv[1:])
    outdir = os.path.abspath(args.out)
    torch.set_num_threads(1)
    catalog.randomise = randomise
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
