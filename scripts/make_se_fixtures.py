#!/usr/bin/env python3
"""Fixtures for the SE family (`kind: "se"` with its options), made by timm's own modules.

    .venv/bin/python scripts/make_se_fixtures.py            # writes its cases in Tests/Fixtures/
    .venv/bin/python scripts/make_se_fixtures.py OUTDIR     # or elsewhere, to compare

One case per option that changes the math, each from the real module: timm's SEModule (act/gate
pairs, add_maxpool, rd_divisor's rounding, GCViT's bias-free GELU SE, RexNet's SEWithNorm with a
BatchNorm), the EfficientNet/MobileNetV3 SqueezeExcite (conv_reduce/conv_expand names) and the
legacy SENet SEModule. Same folder format and randomisation as make_fixtures.py (every parameter
and BatchNorm statistic drawn from a per-case seed); each output is re-checked against the same
module run in float64. Only its own folders are written, each replaced whole, byte for byte.
"""

import json
import os
import shutil
import sys
import zlib
from functools import partial

import torch
import torch.nn as nn
from safetensors.torch import save_file

import timm
from timm.layers import SEModule, make_divisible
from timm.models._efficientnet_blocks import SqueezeExcite
from timm.models.senet import SEModule as LegacySEModule

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import randomise  # noqa: E402  (same randomisation as the first fixtures)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-5  # float32 torch vs float64 torch, relative to max|y|


def case(name, shape, build, spec):
    return dict(name=name, shape=shape, build=build, spec=spec)


CASES = [
    # MobileNetV3: ReLU / hard sigmoid, rd = make_divisible(C/4, 8) with round_limit 0.9 (round_channels).
    case("se_mobilenetv3_c40", (2, 40, 7, 5),
         lambda: SqueezeExcite(40, rd_ratio=0.25, gate_layer="hard_sigmoid", force_act_layer=nn.ReLU,
                               rd_round_fn=partial(make_divisible, divisor=8)),
         {"gate_layer": "hard_sigmoid"}),
    # EfficientNet: SiLU / sigmoid, rd from the block's input channels (here 24 for a 144-channel SE).
    case("se_efficientnet_c144", (1, 144, 5, 6),
         lambda: SqueezeExcite(144, rd_channels=6, act_layer=nn.SiLU),
         {"act_layer": "silu"}),
    # GCViT's MbConvBlock SE: timm SEModule with rd_ratio 0.25, no bias, GELU.
    case("se_gcvit_c48", (2, 48, 6, 6),
         lambda: SEModule(48, rd_ratio=0.25, bias=False, act_layer=nn.GELU),
         {"act_layer": "gelu", "reduction": 4, "rd_divisor": 8}),
    # RexNet's SEWithNorm: SEModule with a BatchNorm after fc1 (norm inferred from the keys).
    case("se_rexnet_c60", (1, 60, 7, 7),
         lambda: SEModule(60, rd_channels=make_divisible(int(60 * 1 / 12), 1), norm_layer=nn.BatchNorm2d),
         {}),
    # add_maxpool: the squeeze is 0.5·mean + 0.5·max.
    case("se_maxpool_c64", (2, 64, 5, 9),
         lambda: SEModule(64, add_maxpool=True),
         {"add_maxpool": True}),
    # rd_divisor: timm's default SEModule at C = 200, rd = make_divisible(12.5, 8, round_limit=0) = 16
    # where C // 16 = 12; stated, so the check compares the rule with the file.
    case("se_rd_divisor_c200", (1, 200, 4, 3),
         lambda: SEModule(200),
         {"reduction": 16, "rd_divisor": 8}),
    # Less common gates: hard swish act, tanh gate.
    case("se_hardswish_tanh_c24", (3, 24, 3, 5),
         lambda: SEModule(24, rd_ratio=0.25, act_layer=nn.Hardswish, gate_layer="tanh"),
         {"act_layer": "hard_swish", "gate_layer": "tanh"}),
    # Legacy SENet (timm.models.senet, Cadene's): fc1/fc2 convs with bias, rd = C // reduction.
    case("se_legacy_senet_c64", (2, 64, 6, 7),
         lambda: LegacySEModule(64, reduction=16),
         {"reduction": 16}),
]


def make_case(c, root):
    name = c["name"]
    torch.manual_seed(zlib.crc32(name.encode()))
    model = c["build"]()
    randomise(model)
    model.eval()
    n, ch, h, w = c["shape"]
    x = torch.randn(n, ch, h, w, dtype=torch.float32)
    with torch.no_grad():
        y = model(x).to(torch.float32).contiguous()
        y64 = model.double()(x.double())
    scale = float(y64.abs().max())
    rel = float((y.double() - y64).abs().max()) / scale
    if not rel <= TOLERANCE:
        raise SystemExit(f"{name}: float32 vs float64 rel={rel:.3e}")
    model.float()
    out = os.path.join(root, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    spec = {"name": name, "kind": "se", "input": {"n": n, "c": ch, "h": h, "w": w}, "weights": "weights.safetensors"}
    spec.update(c["spec"])
    with open(os.path.join(out, "spec.json"), "w") as f:
        f.write(json.dumps(spec, indent=2, sort_keys=True) + "\n")
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(out, "weights.safetensors"))
    save_file({"input": x.contiguous(), "output": y}, os.path.join(out, "io.safetensors"))
    keys = ", ".join(f"{k} {list(v.shape)}" for k, v in state.items() if not k.endswith("num_batches_tracked"))
    print(f"{name:24s} {str(list(c['shape'])):16s} float32 vs float64 rel={rel:.2e}  {keys}")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO_ROOT, "Tests", "Fixtures")
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, timm {timm.__version__}")
    for c in CASES:
        make_case(c, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
