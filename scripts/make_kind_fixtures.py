#!/usr/bin/env python3
"""Reference fixtures for the attention kinds of issue 13 (ese, ceca, eca with use_mlp, gc, ...).

Run by hand (never in CI), with the venv that has torch and timm:

    .venv/bin/python scripts/make_kind_fixtures.py [--out OUTDIR] [--gcnet DIR] [--fcanet DIR] [--triplet DIR]

Same folder format and conventions as make_catalog_fixtures.py (whose case runner it reuses):
OUTDIR/<case>/spec.json, weights.safetensors (the reference module's own state_dict, every
parameter and buffer randomised from a per-case seed, BatchNorm statistics and zero-initialised
parameters included), io.safetensors (input, and the module's output in eval mode).

Each case is made by the reference module itself:
  - timm's classes, from the installed timm (EffectiveSEModule, hgnet's EseModule, EcaModule,
    CecaModule, GlobalContext, GatherExcite);
  - official code outside timm, from a checkout of its repository given by path (fetched, never
    copied into this repository): --gcnet (xvjiarui/GCNet, mmdet/ops/gcb/context_block.py),
    --fcanet (cfzd/FcaNet, model/layer.py), --triplet (landskape-ai/triplet-attention,
    MODELS/triplet_attention.py). A case whose checkout is not given is skipped, and says so.
"""

import argparse
import importlib.util
import os
import sys
import types

import torch
import torch.nn as nn

import timm
from timm.layers import CecaModule, EffectiveSEModule, GlobalContext, LayerNorm2d
from timm.models.hgnet import EseModule

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog_fixtures as catalog  # noqa: E402  (the case runner, the randomisation, _bn)
from make_catalog_fixtures import _bn, _case  # noqa: E402,F401


def load_module(path, name, stubs=None):
    """Imports one Python file of an official checkout by path; `stubs` stand in for modules it
    imports that only its weight initialisation uses (the fixtures randomise every tensor)."""
    for module_name, attrs in (stubs or {}).items():
        stub = types.ModuleType(module_name)
        stub.__dict__.update(attrs)
        sys.modules.setdefault(module_name, stub)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def ese_cases():
    keys = ["fc.weight", "fc.bias"]
    return [
        _case("ese_timm_c32", "ese", (2, 32, 7, 5), lambda: EffectiveSEModule(32), keys=keys),
        _case("ese_timm_c48_maxpool", "ese", (1, 48, 6, 6), lambda: EffectiveSEModule(48, add_maxpool=True),
              {"add_maxpool": True}, keys=keys),
        _case("ese_timm_c24_sigmoid", "ese", (1, 24, 5, 9), lambda: EffectiveSEModule(24, gate_layer="sigmoid"),
              {"gate_layer": "sigmoid"}, keys=keys),
        # hgnet's EseModule: the conv is named `conv`; its sigmoid gate comes from the names.
        _case("ese_hgnet_c40", "ese", (2, 40, 4, 6), lambda: EseModule(40), keys=["conv.weight", "conv.bias"]),
    ]


# ---------------------------------------------------------------------------
# attn-bench --catalog peers (scripts/bench/peers.py): each kind from a spec's fields, with the
# reference's defaults where the spec leaves one out.
# ---------------------------------------------------------------------------

def _ese(c, spec):
    return EffectiveSEModule(c, add_maxpool=spec.get("add_maxpool", False),
                             gate_layer=spec.get("gate_layer", "hard_sigmoid"))


def _ceca(c, spec):
    if "kernel_size" in spec:  # timm ignores kernel_size when it is given the channels
        return CecaModule(kernel_size=spec["kernel_size"], gate_layer=spec.get("gate_layer", "sigmoid"))
    return CecaModule(c, gate_layer=spec.get("gate_layer", "sigmoid"))


def _gc(c, spec):
    rd_ratio = 1 / spec.get("reduction", 8)
    return GlobalContext(c, use_attn=spec.get("use_attn", True), fuse_add=spec.get("fuse_add", False),
                         fuse_scale=spec.get("fuse_scale", True), rd_ratio=rd_ratio,
                         rd_channels=spec.get("reduced_channels"), rd_divisor=spec.get("rd_divisor", 1),
                         gate_layer=spec.get("gate_layer", "sigmoid"))


BUILDERS = {"ese": _ese, "ceca": _ceca, "gc": _gc}


def ceca_cases():
    keys = ["conv.weight"]
    return [
        _case("ceca_timm_c64", "ceca", (2, 64, 5, 5), lambda: CecaModule(64), keys=keys),   # k 3
        _case("ceca_timm_c256", "ceca", (1, 256, 3, 4), lambda: CecaModule(256), keys=keys),  # k 5
        # k 7 on 6 channels (timm takes kernel_size only without channels): the ring wraps 3 deep.
        _case("ceca_timm_c6_k7", "ceca", (2, 6, 4, 5), lambda: CecaModule(kernel_size=7), keys=keys),
        _case("ceca_timm_c40_hard_sigmoid", "ceca", (1, 40, 6, 3),
              lambda: CecaModule(40, gate_layer="hard_sigmoid"), {"gate_layer": "hard_sigmoid"}, keys=keys),
    ]


def gc_keys(prefix, fc1, norm, fc2):
    return [prefix + fc1 + ".weight", prefix + fc1 + ".bias", prefix + norm + ".weight", prefix + norm + ".bias",
            prefix + fc2 + ".weight", prefix + fc2 + ".bias"]


def gc_cases(args):
    attn = ["conv_attn.weight", "conv_attn.bias"]
    timm_add = gc_keys("mlp_add.", "fc1", "norm", "fc2")
    timm_scale = gc_keys("mlp_scale.", "fc1", "norm", "fc2")
    out = [
        # timm's default: attention pooling, fuse by scaling, rd = round(32/8) = 4, eps 1e-6.
        _case("gc_timm_c32", "gc", (2, 32, 6, 5), lambda: GlobalContext(32), keys=attn + timm_scale),
        # timm's `gca` (gcresnet50t): the paper's channel add; rd = 20/8 = 2.5, rounded half up to 3.
        _case("gc_timm_gca_c20", "gc", (1, 20, 7, 7), lambda: GlobalContext(20, fuse_add=True, fuse_scale=False),
              {"fuse_add": True, "fuse_scale": False}, keys=attn + timm_add),
        # both fusions on the mean context, hard-sigmoid gate, rd 1/4.
        _case("gc_timm_c40_both_mean", "gc", (2, 40, 4, 6),
              lambda: GlobalContext(40, use_attn=False, fuse_add=True, fuse_scale=True, rd_ratio=1 / 4,
                                    gate_layer="hard_sigmoid"),
              {"use_attn": False, "fuse_add": True, "fuse_scale": True, "reduction": 4, "gate_layer": "hard_sigmoid"},
              keys=timm_add + timm_scale),
    ]
    if args.gcnet is None:
        print("skipping the official GCNet cases: no --gcnet checkout given")
        return out
    official = load_module(os.path.join(args.gcnet, "mmdet/ops/gcb/context_block.py"), "gcnet_context_block",
                           stubs={"mmcv": {}, "mmcv.cnn": {"constant_init": lambda *a, **k: None,
                                                           "kaiming_init": lambda *a, **k: None}})
    mask = ["conv_mask.weight", "conv_mask.bias"]
    add = gc_keys("channel_add_conv.", "0", "1", "3")
    mul = gc_keys("channel_mul_conv.", "0", "1", "3")
    return out + [
        # The paper's block (r16, channel add): names, eps 1e-5 and the fusion come from the file.
        _case("gc_official_c64_r16", "gc", (1, 64, 7, 6), lambda: official.ContextBlock(64, 1 / 16), keys=mask + add),
        _case("gc_official_c24_avg_mul_add", "gc", (2, 24, 5, 5),
              lambda: official.ContextBlock(24, 1 / 4, pooling_type="avg", fusion_types=("channel_add", "channel_mul")),
              keys=add + mul),
    ]


def check_norm_eps(model):
    """BatchNorms at PyTorch's 1e-5, LayerNorms at their reference's (timm's LayerNorm2d 1e-6)."""
    for mod in model.modules():
        if isinstance(mod, LayerNorm2d):
            assert mod.eps == 1e-6, mod
        elif isinstance(mod, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)):
            assert mod.eps == 1e-5, mod


def cases(args):
    return ese_cases() + ceca_cases() + gc_cases(args)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=catalog.DEFAULT_OUTDIR)
    parser.add_argument("--gcnet", help="checkout of xvjiarui/GCNet")
    parser.add_argument("--fcanet", help="checkout of cfzd/FcaNet")
    parser.add_argument("--triplet", help="checkout of landskape-ai/triplet-attention")
    parser.add_argument("only", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv[1:])
    outdir = os.path.abspath(args.out)
    torch.set_num_threads(1)
    catalog._check_bn_eps = check_norm_eps  # the runner's check knows only eps 1e-5
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
