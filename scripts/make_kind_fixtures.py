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
  - timm's GatherExcite from timm 1.0.20's gather_excite.py, given by path (--timm-ge, from the
    wheel `pip download timm==1.0.20 --no-deps` fetches): timm 1.0.21 and later pass `*dd` as
    positional arguments and cannot construct it with its MLP or extra parameters; the forward
    is unchanged, and the file runs against the installed timm's helpers;
  - official code outside timm, from a checkout of its repository given by path (fetched, never
    copied into this repository): --gcnet (xvjiarui/GCNet, mmdet/ops/gcb/context_block.py),
    --fcanet (cfzd/FcaNet, model/layer.py), --triplet (landskape-ai/triplet-attention,
    MODELS/triplet_attention.py), --simam (ZjjConan/SimAM, networks/attentions/simam_module.py),
    --srm (hyunjaelee410/style-based-recalibration-module, models/recalibration_modules.py).
    A case whose checkout is not given is skipped, and says so.
"""

import argparse
import importlib.util
import os
import sys
import types

import torch
import torch.nn as nn

import timm
from timm.layers import CecaModule, EcaModule, EffectiveSEModule, GlobalContext, LayerNorm2d
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


def _official(module, path_env, file):
    """An official module for the peers: the checkout named by an environment variable."""
    folder = os.environ.get(path_env)
    if folder is None:
        raise RuntimeError(f"set {path_env} to a checkout of the official code to time this kind")
    return load_module(os.path.join(folder, file), module)


def _triplet(c, spec):
    models = _official("triplet_models", "ATTN_TRIPLET_REPO", "MODELS/triplet_attention.py")
    return models.TripletAttention(c, no_spatial=spec.get("no_spatial", False))


def _fca(c, spec):
    layer = _official("fcanet_layer", "ATTN_FCANET_REPO", "model/layer.py")
    i = spec["input"]
    return layer.MultiSpectralAttentionLayer(c, spec.get("dct_h", i["h"]), spec.get("dct_w", i["w"]),
                                             spec.get("reduction", 16), spec.get("freq_sel_method", "top16"))


def _ge(c, spec):
    path = os.environ.get("ATTN_TIMM_GE")
    if path is None:
        raise RuntimeError("set ATTN_TIMM_GE to timm 1.0.20's gather_excite.py to time this kind")
    i = spec["input"]
    extent = spec.get("extent", 0)
    return load_gather_excite(path)(
        c, feat_size=spec.get("feat_size", i["h"]) if extent == 0 else None, extra_params=spec.get("extra_params", False),
        extent=extent, use_mlp=spec.get("use_mlp", True), rd_ratio=1 / spec.get("reduction", 16),
        rd_channels=spec.get("reduced_channels"), rd_divisor=spec.get("rd_divisor", 1),
        add_maxpool=spec.get("add_maxpool", False), gate_layer=spec.get("gate_layer", "sigmoid"))


def _simam(c, spec):
    module = _official("simam_module", "ATTN_SIMAM_REPO", "networks/attentions/simam_module.py")
    return module.simam_module(e_lambda=spec.get("e_lambda", 1e-4))


def _srm(c, spec):
    module = _official("srm_modules", "ATTN_SRM_REPO", "models/recalibration_modules.py")
    return module.SRMLayer(c)


BUILDERS = {"srm": _srm, "simam": _simam, "ese": _ese, "ceca": _ceca, "gc": _gc, "triplet": _triplet, "fca": _fca, "ge": _ge}


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


def triplet_keys(gates, conv, bn):
    return [k for g in gates for k in (f"{g}.{conv}.weight", *_bn(f"{g}.{bn}."))]


def triplet_cases(args):
    if args.triplet is None:
        print("skipping the Triplet Attention cases: no --triplet checkout given")
        return []
    models = load_module(os.path.join(args.triplet, "MODELS/triplet_attention.py"), "triplet_models")
    root = load_module(os.path.join(args.triplet, "triplet_attention.py"), "triplet_root")
    gates = ["ChannelGateH", "ChannelGateW", "SpatialGate"]
    return [
        # MODELS/triplet_attention.py: the names of the released ImageNet weights.
        _case("triplet_official_c16", "triplet", (2, 16, 7, 9), lambda: models.TripletAttention(16),
              keys=triplet_keys(gates, "spatial.conv", "spatial.bn")),
        _case("triplet_official_c8_no_spatial", "triplet", (1, 8, 6, 5),
              lambda: models.TripletAttention(8, no_spatial=True), {"no_spatial": True},
              keys=triplet_keys(gates[:2], "spatial.conv", "spatial.bn")),
        # the repository root's refactored module: cw, hc, hw.
        _case("triplet_root_c12", "triplet", (1, 12, 5, 7), lambda: root.TripletAttention(),
              keys=triplet_keys(["cw", "hc", "hw"], "conv.conv", "conv.bn")),
    ]


def fca_cases(args):
    if args.fcanet is None:
        print("skipping the FcaNet cases: no --fcanet checkout given")
        return []
    layer = load_module(os.path.join(args.fcanet, "model/layer.py"), "fcanet_layer")
    keys = ["dct_layer.weight", "fc.0.weight", "fc.2.weight"]
    msal = layer.MultiSpectralAttentionLayer
    return [
        # ResNet's planes 512 stage at 7×7 (c2wh), the paper's top16.
        _case("fca_official_c64_7x7_top16", "fca", (2, 64, 7, 7), lambda: msal(64, 7, 7), keys=keys),
        # a 14×14 input pooled to the 7×7 DCT plane (adaptive average pool, 2×2 windows), low4, r 8.
        _case("fca_official_c32_14to7_low4", "fca", (1, 32, 14, 14), lambda: msal(32, 7, 7, 8, "low4"),
              {"freq_sel_method": "low4", "reduction": 8}, keys=keys),
        # a 7×14 plane: frequencies scaled by 14 // 7 = 2 along W only; bot8.
        _case("fca_official_c16_7x14_bot8", "fca", (1, 16, 7, 14), lambda: msal(16, 7, 14, 4, "bot8"),
              {"freq_sel_method": "bot8", "reduction": 4}, keys=keys),
        # a 10×9 input to the 7×7 DCT plane: the adaptive pool's uneven, overlapping windows; the
        # checkpoint without the DCT buffer (made non-persistent), so attn-gen computes it.
        _case("fca_official_c32_10x9to7_top8_nobuffer", "fca", (2, 32, 10, 9),
              lambda: _without_dct_buffer(msal(32, 7, 7, 8, "top8")),
              {"dct_h": 7, "dct_w": 7, "freq_sel_method": "top8", "reduction": 8}, keys=keys[1:]),
        # a 5×6 input to the larger 7×7 plane (the adaptive pool repeats pixels), low2.
        _case("fca_official_c16_5x6to7_low2", "fca", (1, 16, 5, 6), lambda: msal(16, 7, 7, 4, "low2"),
              {"freq_sel_method": "low2", "reduction": 4}, keys=keys),
    ]


def _without_dct_buffer(module):
    """The official layer whose DCT filter is left out of its state_dict (the forward still
    uses it): a checkpoint saved without the buffer."""
    module.dct_layer._non_persistent_buffers_set.add("weight")
    return module


def load_gather_excite(path):
    """timm 1.0.20's GatherExcite module file, imported inside the installed timm.layers package
    (its relative imports: create_act, create_conv2d, helpers, mlp)."""
    spec = importlib.util.spec_from_file_location("timm.layers.gather_excite_1_0_20", path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "timm.layers"
    spec.loader.exec_module(module)
    return module.GatherExcite


def ge_cases(args):
    if args.timm_ge is None:
        print("skipping the GatherExcite cases: no --timm-ge file given")
        return []
    ge = load_gather_excite(args.timm_ge)
    mlp = ["mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]

    def gather(n):
        return [k for i in range(1, n + 1) for k in (f"gather.conv{i}.weight", *_bn(f"gather.norm{i}."))]
    return [
        # extent 0 without parameters: SE with make_divisible(C/16, 1); rd = 40/16 = 2.5 -> 3.
        _case("ge_timm_c40", "ge", (2, 40, 6, 5), lambda: ge(40), keys=mlp),
        # GE-theta-minus with the max added, hard-sigmoid gate.
        _case("ge_timm_c24_nomlp_maxpool", "ge", (1, 24, 5, 7),
              lambda: ge(24, use_mlp=False, add_maxpool=True, gate_layer="hard_sigmoid"),
              {"use_mlp": False, "add_maxpool": True, "gate_layer": "hard_sigmoid"}, keys=[]),
        # the global depthwise conv of the feature size (7, padded by 3: the map stays 7x7).
        _case("ge_timm_c32_params_global", "ge", (1, 32, 7, 7), lambda: ge(32, feat_size=7, extra_params=True, rd_ratio=1 / 8),
              {"extra_params": True, "reduction": 8}, keys=gather(1) + mlp),
        # an even feature size: padding 2 leaves a 5x5 map, resized back to 6x6 (legacy nearest).
        _case("ge_timm_c16_params_global_even", "ge", (2, 16, 6, 6), lambda: ge(16, feat_size=6, extra_params=True, use_mlp=False),
              {"extra_params": True, "use_mlp": False}, keys=gather(1)),
        # extent 4: two stride-2 depthwise 3x3 convs (9x7 -> 5x4 -> 3x2), the MLP as 1x1 convs,
        # a nearest resize to 9x7.
        _case("ge_timm_c16_params_extent4", "ge", (1, 16, 9, 7), lambda: ge(16, extra_params=True, extent=4, rd_ratio=1 / 4),
              {"extra_params": True, "extent": 4, "reduction": 4}, keys=gather(2) + mlp),
        # the global mean and max with the MLP.
        _case("ge_timm_c20_maxpool", "ge", (2, 20, 7, 5), lambda: ge(20, add_maxpool=True, rd_ratio=1 / 4),
              {"add_maxpool": True, "reduction": 4}, keys=mlp),
        # extent 2 without parameters: avg_pool2d(3, 2, padding 1, count_include_pad=False) on an
        # odd plane (every border window is clipped: 7x9 -> 4x5), the MLP as 1x1 convs, a resize.
        _case("ge_timm_c24_pool_extent2", "ge", (2, 24, 7, 9), lambda: ge(24, extent=2, rd_ratio=1 / 4),
              {"extent": 2, "reduction": 4}, keys=mlp),
        _case("ge_timm_c12_pool_extent2_nomlp", "ge", (1, 12, 5, 11), lambda: ge(12, extent=2, use_mlp=False),
              {"extent": 2, "use_mlp": False}, keys=[]),
        # the padded max pool added (0.5 each), with the MLP.
        _case("ge_timm_c32_pool_extent2_maxpool", "ge", (1, 32, 9, 7), lambda: ge(32, extent=2, add_maxpool=True),
              {"extent": 2, "add_maxpool": True}, keys=mlp),
        # extent 4: 7x7 windows of stride 4, padding 3 (11x9 -> 3x3), max added, no MLP, hard-sigmoid.
        _case("ge_timm_c16_pool_extent4_maxpool_nomlp", "ge", (1, 16, 11, 9),
              lambda: ge(16, extent=4, use_mlp=False, add_maxpool=True, gate_layer="hard_sigmoid"),
              {"extent": 4, "use_mlp": False, "add_maxpool": True, "gate_layer": "hard_sigmoid"}, keys=[]),
        # extent 4 on a 3x4 plane: one window covers it, a 1x1 map broadcast without a resize.
        _case("ge_timm_c12_pool_extent4_1x1", "ge", (2, 12, 3, 4), lambda: ge(12, extent=4, rd_ratio=1 / 4),
              {"extent": 4, "reduction": 4}, keys=mlp),
    ]


def simam_cases(args):
    if args.simam is None:
        print("skipping the SimAM cases: no --simam checkout given")
        return []
    simam = load_module(os.path.join(args.simam, "networks/attentions/simam_module.py"), "simam_module").simam_module
    return [
        _case("simam_official_c16", "simam", (2, 16, 7, 5), lambda: simam(), keys=[]),
        # a large lambda, so that the variance and lambda terms both matter.
        _case("simam_official_c8_lambda", "simam", (1, 8, 6, 6), lambda: simam(e_lambda=0.5), {"e_lambda": 0.5}, keys=[]),
        # a 1x2 plane: n = 1.
        _case("simam_official_c6_1x2", "simam", (2, 6, 1, 2), lambda: simam(), keys=[]),
    ]


def srm_cases(args):
    if args.srm is None:
        print("skipping the SRM cases: no --srm checkout given")
        return []
    srm = load_module(os.path.join(args.srm, "models/recalibration_modules.py"), "srm_modules").SRMLayer
    keys = ["cfc", *_bn("bn.")]
    return [
        _case("srm_official_c16", "srm", (2, 16, 7, 5), lambda: srm(16), keys=keys),
        # a 1x3 plane: the unbiased variance divides by 2, not 3.
        _case("srm_official_c24_1x3", "srm", (1, 24, 1, 3), lambda: srm(24), keys=keys),
        # a wide plane at a small scale, where the 1e-5 inside the square root counts.
        _case("srm_official_c8_small", "srm", (1, 8, 14, 14), lambda: srm(8), input_scale=0.01, keys=keys),
    ]


def ecam_cases():
    """timm's `ecam`: EcaModule(use_mlp=True), k from C (clamped to 3), rd make_divisible(C/8, 8)."""
    keys = ["conv.weight", "conv.bias", "conv2.weight", "conv2.bias"]
    return [
        # C 64: k 3, rd 8.
        _case("eca_timm_mlp_c64", "eca", (2, 64, 7, 5), lambda: EcaModule(64, use_mlp=True), {"use_mlp": True}, keys=keys),
        # C 256: k 5, rd_ratio 1/4 -> rd 64.
        _case("eca_timm_mlp_c256_r4", "eca", (1, 256, 3, 4), lambda: EcaModule(256, use_mlp=True, rd_ratio=1 / 4),
              {"use_mlp": True, "reduction": 4}, keys=keys),
        # C 6: the formula's k 1 clamped to 3; rd = make_divisible(0.75, 8) = 8 > C; a SiLU between.
        _case("eca_timm_mlp_c6_silu", "eca", (1, 6, 5, 5), lambda: EcaModule(6, use_mlp=True, act_layer=nn.SiLU),
              {"use_mlp": True, "act_layer": "silu"}, keys=keys),
    ]


def check_norm_eps(model):
    """BatchNorms at PyTorch's 1e-5, LayerNorms at their reference's (timm's LayerNorm2d 1e-6)."""
    for mod in model.modules():
        if isinstance(mod, LayerNorm2d):
            assert mod.eps == 1e-6, mod
        elif isinstance(mod, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm)):
            assert mod.eps == 1e-5, mod


def cases(args):
    return (ese_cases() + ceca_cases() + gc_cases(args) + triplet_cases(args) + fca_cases(args) + ge_cases(args)
            + simam_cases(args) + srm_cases(args) + ecam_cases())


_randomise = catalog.randomise


@torch.no_grad()
def randomise(model):
    """make_catalog_fixtures' randomisation, keeping FcaNet's DCT filter: a fixed buffer of the
    reference (computed by its constructor), not a weight."""
    kept = [(m, m._buffers.pop("weight")) for m in model.modules() if type(m).__name__ == "MultiSpectralDCTLayer"]
    try:
        _randomise(model)
    finally:
        for m, b in kept:
            m._buffers["weight"] = b


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=catalog.DEFAULT_OUTDIR)
    parser.add_argument("--gcnet", help="checkout of xvjiarui/GCNet")
    parser.add_argument("--fcanet", help="checkout of cfzd/FcaNet")
    parser.add_argument("--triplet", help="checkout of landskape-ai/triplet-attention")
    parser.add_argument("--simam", help="checkout of ZjjConan/SimAM")
    parser.add_argument("--srm", help="checkout of hyunjaelee410/style-based-recalibration-module")
    parser.add_argument("--timm-ge", help="timm 1.0.20's timm/layers/gather_excite.py (later timm cannot build it)")
    parser.add_argument("only", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv[1:])
    outdir = os.path.abspath(args.out)
    torch.set_num_threads(1)
    catalog._check_bn_eps = check_norm_eps  # the runner's check knows only eps 1e-5
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
