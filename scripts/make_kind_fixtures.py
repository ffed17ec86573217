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

import torch
import torch.nn as nn

import timm
from timm.layers import EffectiveSEModule
from timm.models.hgnet import EseModule

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_catalog_fixtures as catalog  # noqa: E402  (the case runner, the randomisation, _bn)
from make_catalog_fixtures import _bn, _case  # noqa: E402,F401


def load_module(path, name):
    """Imports one Python file of an official checkout by path."""
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


BUILDERS = {"ese": _ese}


def cases(args):
    return ese_cases()


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
