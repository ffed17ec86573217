#!/usr/bin/env python3
"""Writes Tests/Exports/<net>/: attn-gen-torch exports of small networks with random weights,
which the Swift tests generate and check against PyTorch (`verify --against`) without torch.

    python scripts/make_exports.py            # rewrite Tests/Exports/
    python scripts/make_exports.py --check    # exit 1 when the committed exports have drifted

Needs torch, safetensors and timm (scripts/requirements-fixtures.txt). Each network is built
with timm's random init under a fixed seed, randomised by attn_gen_torch.randomize (BatchNorm
statistics, zero-initialised parameters), and run on a 32×32 input so the files stay small.
Each export also holds weights.pth, the same tensors as torch.save writes them (byte for byte
reproducible), from which the Swift tests generate every block again: the .pth path in CI.
`--check` exports again into a temporary folder: spec.json, manifest.json and the weights must be
identical, the golden outputs equal within 1e-5 of max|y| (another torch build may round
differently).
"""

import argparse
import filecmp
import os
import sys
import tempfile

import torch
import torch.nn as nn
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from attn_gen_torch import export, randomize  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "Exports")
SEED = 0
INPUT = (1, 3, 32, 32)


class UserSE(nn.Module):
    """A user's own SE (moskomule's layout: Linear layers in a Sequential), mapped with kinds=."""

    def __init__(self, c, r=4):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(c, c // r, bias=False), nn.ReLU(inplace=True),
                                nn.Linear(c // r, c, bias=False), nn.Sigmoid())

    def forward(self, x):
        return x * self.fc(x.mean((2, 3)))[:, :, None, None]


class Mixed(nn.Module):
    """One of each thing the exporter must tell apart: catalog blocks with non-default
    hyperparameters, a user class, SE variants the catalog cannot express yet, a kind not in
    the catalog, and a block the forward never calls."""

    def __init__(self):
        super().__init__()
        from timm.layers.cbam import CbamModule
        from timm.layers.eca import EcaModule
        from timm.layers.global_context import GlobalContext
        from timm.layers.selective_kernel import SelectiveKernel
        from timm.layers.squeeze_excite import SEModule
        from timm.models._efficientnet_blocks import SqueezeExcite
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.sk = SelectiveKernel(16, 24, kernel_size=[3, 5], stride=2, rd_channels=8)
        self.se = SEModule(24, rd_channels=6)
        self.eca = EcaModule(kernel_size=5)
        self.cbam = CbamModule(24, rd_channels=4, spatial_kernel_size=3, mlp_bias=True)
        self.user_se = UserSE(24)
        self.silu_se = SqueezeExcite(24, rd_ratio=0.25, act_layer=nn.SiLU)
        self.gc = GlobalContext(24)
        self.unused = SEModule(24)

    def forward(self, x):
        x = self.sk(self.stem(x))
        x = self.cbam(self.eca(self.se(x)))
        return self.gc(self.silu_se(self.user_se(x)))


class Zoo(nn.Module):
    """One module of each timm class whose kind has a reader beyond SE/ECA/CBAM/SK, most with
    options off their defaults, so that each reader's fields are checked against PyTorch in CI."""

    def __init__(self):
        super().__init__()
        from timm.layers.cbam import LightCbamModule
        from timm.layers.coord_attn import CoordAttn, SimpleCoordAttn
        from timm.layers.eca import CecaModule
        from timm.layers.gather_excite import GatherExcite
        from timm.layers.global_context import GlobalContext
        from timm.layers.split_attn import SplitAttn
        from timm.layers.squeeze_excite import EffectiveSEModule
        from timm.models.hgnet import EseModule
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.splat = SplitAttn(32, 24, stride=2, groups=2, radix=2, norm_layer=nn.BatchNorm2d)
        self.splat_r1 = SplitAttn(24, radix=1, groups=2, rd_channels=8, act_layer=nn.SiLU)
        self.ese = EffectiveSEModule(24, add_maxpool=True, gate_layer="sigmoid")
        self.hgnet_ese = EseModule(24)
        self.ceca = CecaModule(24, gate_layer="hard_sigmoid")
        self.gc = GlobalContext(24, fuse_add=True, fuse_scale=True, rd_ratio=1 / 4)
        self.gc_mean = GlobalContext(24, use_attn=False, fuse_add=True, fuse_scale=False)
        # timm 1.0.21+ cannot build GatherExcite with use_mlp or extra_params (it passes *dd positionally).
        self.ge = GatherExcite(24, use_mlp=False, add_maxpool=True)
        self.coord = CoordAttn(24, rd_ratio=1 / 4, bias=True, act_layer=nn.SiLU, gate_layer="hard_sigmoid", has_skip=True)
        self.scoord = SimpleCoordAttn(24, bias=False, act_layer=nn.GELU)
        self.lcbam = LightCbamModule(24, rd_ratio=1 / 4, spatial_kernel_size=3, mlp_bias=True)

    def forward(self, x):
        x = self.splat_r1(self.splat(self.stem(x)))
        x = self.gc_mean(self.gc(self.ceca(self.hgnet_ese(self.ese(x)))))
        return self.lcbam(self.scoord(self.coord(self.ge(x))))


# ---------------------------------------------------------------------------------------------
# Stand-ins for official code outside timm: written here, with the official classes' names,
# attributes and math, so that the exporter's readers (which know those classes by name and
# layout) are checked without the official repositories.
# ---------------------------------------------------------------------------------------------

class BasicConv(nn.Module):
    """Triplet Attention's conv → BatchNorm (→ ReLU): `conv`, `bn`, `relu` (None when off)."""

    def __init__(self, cin, cout, k, padding, relu=True, bn=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, momentum=0.01) if bn else None
        self.relu = nn.ReLU() if relu else None

    def forward(self, x):
        x = self.conv(x)
        x = x if self.bn is None else self.bn(x)
        return x if self.relu is None else self.relu(x)


class ChannelPool(nn.Module):
    """[max, mean] over the first axis after the batch."""

    def forward(self, x):
        return torch.stack([x.amax(1), x.mean(1)], 1)


class ZPool(ChannelPool):
    pass


class SpatialGate(nn.Module):
    def __init__(self):
        super().__init__()
        self.compress = ChannelPool()
        self.spatial = BasicConv(2, 1, 7, 3, relu=False)

    def forward(self, x):
        return x * torch.sigmoid(self.spatial(self.compress(x)))


def _triplet(x, gate_cw, gate_hc, gate_hw):
    """The three views (C-W pooled over H, H-C pooled over W, H-W pooled over C), averaged."""
    cw = gate_cw(x.transpose(1, 2)).transpose(1, 2)
    hc = gate_hc(x.transpose(1, 3)).transpose(1, 3)
    if gate_hw is None:
        return (cw + hc) / 2
    return (gate_hw(x) + cw + hc) / 3


class TripletAttention(nn.Module):
    """MODELS/triplet_attention.py's layout: ChannelGateH, ChannelGateW, SpatialGate."""

    def __init__(self, gate_channels, reduction_ratio=16, pool_types=("avg", "max"), no_spatial=False):
        super().__init__()
        self.ChannelGateH = SpatialGate()
        self.ChannelGateW = SpatialGate()
        self.no_spatial = no_spatial
        if not no_spatial:
            self.SpatialGate = SpatialGate()

    def forward(self, x):
        return _triplet(x, self.ChannelGateH, self.ChannelGateW, None if self.no_spatial else self.SpatialGate)


class TripletRoot:
    """The repository root's triplet_attention.py layout (same class name): cw, hc, hw."""

    class AttentionGate(nn.Module):
        def __init__(self):
            super().__init__()
            self.compress = ZPool()
            self.conv = BasicConv(2, 1, 7, 3, relu=False)

        def forward(self, x):
            return x * torch.sigmoid(self.conv(self.compress(x)))

    class TripletAttention(nn.Module):
        def __init__(self, no_spatial=False):
            super().__init__()
            self.cw = TripletRoot.AttentionGate()
            self.hc = TripletRoot.AttentionGate()
            self.no_spatial = no_spatial
            if not no_spatial:
                self.hw = TripletRoot.AttentionGate()

        def forward(self, x):
            return _triplet(x, self.cw, self.hc, None if self.no_spatial else self.hw)


# FcaNet's frequency rankings on the 7×7 grid (the paper's Table, as (u, v) pairs).
_FCA_UV = {
    "top": list(zip([0, 0, 6, 0, 0, 1, 1, 4, 5, 1, 3, 0, 0, 0, 3, 2], [0, 1, 0, 5, 2, 0, 2, 0, 0, 6, 0, 4, 6, 3, 5, 2])),
    "low": list(zip([0, 0, 1, 1, 0, 2, 2, 1, 2, 0, 3, 4, 0, 1, 3, 0], [0, 1, 0, 1, 2, 0, 1, 2, 2, 3, 0, 0, 4, 3, 1, 5])),
}


class MultiSpectralDCTLayer(nn.Module):
    """The orthonormal DCT-II basis of each group's frequency as the buffer `weight` [C, h, w];
    forward: Σ_hw weight·x."""

    def __init__(self, height, width, uv, channel):
        super().__init__()

        def basis(n, f):
            t = torch.cos(torch.pi * f * (torch.arange(n, dtype=torch.float64) + 0.5) / n) / n ** 0.5
            return t * (2 ** 0.5 if f else 1.0)
        part = channel // len(uv)
        filt = torch.cat([torch.outer(basis(height, u), basis(width, v)).expand(part, height, width) for u, v in uv])
        self.register_buffer("weight", filt.to(torch.float32))

    def forward(self, x):
        return (x * self.weight).sum((2, 3))


class MultiSpectralAttentionLayer(nn.Module):
    """FcaNet's layer: dct_h, dct_w, reduction, dct_layer, fc (Linear, ReLU, Linear, Sigmoid)."""

    def __init__(self, channel, dct_h, dct_w, reduction=16, freq_sel_method="top16"):
        super().__init__()
        self.reduction, self.dct_h, self.dct_w = reduction, dct_h, dct_w
        uv = [(u * (dct_h // 7), v * (dct_w // 7)) for u, v in _FCA_UV[freq_sel_method[:3]][:int(freq_sel_method[3:])]]
        self.dct_layer = MultiSpectralDCTLayer(dct_h, dct_w, uv, channel)
        self.fc = nn.Sequential(nn.Linear(channel, channel // reduction, bias=False), nn.ReLU(inplace=True),
                                nn.Linear(channel // reduction, channel, bias=False), nn.Sigmoid())

    def forward(self, x):
        n, c, h, w = x.shape
        pooled = x if (h, w) == (self.dct_h, self.dct_w) else nn.functional.adaptive_avg_pool2d(x, (self.dct_h, self.dct_w))
        return x * self.fc(self.dct_layer(pooled))[:, :, None, None]


class simam_module(nn.Module):  # noqa: N801 (the official class name)
    """SimAM: x · σ((x − μ)² / (4·(Σ(x − μ)²/(H·W − 1) + λ)) + 0.5); the sigmoid is `activaton`."""

    def __init__(self, channels=None, e_lambda=1e-4):
        super().__init__()
        self.activaton = nn.Sigmoid()
        self.e_lambda = e_lambda

    def forward(self, x):
        d = (x - x.mean((2, 3), keepdim=True)) ** 2
        n = x.shape[2] * x.shape[3] - 1
        return x * self.activaton(d / (4 * (d.sum((2, 3), keepdim=True) / n + self.e_lambda)) + 0.5)


def ge_with_mlp(channels, rd, **kwargs):
    """timm's GatherExcite with its ConvMlp: timm 1.0.21+ cannot build the MLP itself (it passes
    *dd positionally), so it is built without and given the ConvMlp timm 1.0.20 builds."""
    from timm.layers.gather_excite import GatherExcite
    from timm.layers.mlp import ConvMlp
    m = GatherExcite(channels, use_mlp=False, **kwargs)
    m.mlp = ConvMlp(channels, rd, act_layer=nn.ReLU)
    return m


class ZooOfficial(nn.Module):
    """timm's pooled GatherExcite (extent > 0 without parameters) on odd planes, and one module of
    each official-code class the exporter reads by name (the stand-ins above)."""

    def __init__(self):
        super().__init__()
        from timm.layers.gather_excite import GatherExcite
        # 32×32 → 16×16 → 7×7.
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                                  nn.Conv2d(16, 16, 3, stride=2), nn.BatchNorm2d(16), nn.ReLU())
        self.ge_pool2 = GatherExcite(16, extent=2, use_mlp=False, add_maxpool=True)
        self.ge_pool4 = ge_with_mlp(16, 4, extent=4)
        self.triplet = TripletAttention(16)
        self.triplet_root = TripletRoot.TripletAttention(no_spatial=True)
        self.fca = MultiSpectralAttentionLayer(16, 7, 7, reduction=4, freq_sel_method="low4")
        self.simam = simam_module(e_lambda=0.01)

    def forward(self, x):
        x = self.ge_pool4(self.ge_pool2(self.stem(x)))
        return self.simam(self.fca(self.triplet_root(self.triplet(x))))


def _timm(name, **kwargs):
    def build():
        import timm
        return timm.create_model(name, pretrained=False, **kwargs)
    return build


NETWORKS = {
    "seresnet18": (_timm("seresnet18"), None),
    "legacy_seresnet18": (_timm("legacy_seresnet18"), None),
    "ecaresnet26t": (_timm("ecaresnet26t"), None),
    "resnet18_cbam": (_timm("resnet18", block_args={"attn_layer": "cbam"}), None),
    "regnety_002": (_timm("regnety_002"), None),
    "mobilenetv3_large_100": (_timm("mobilenetv3_large_100"), None),
    "efficientnet_b0": (_timm("efficientnet_b0"), None),
    "resnest14d": (_timm("resnest14d"), None),
    "skresnet18": (_timm("skresnet18"), None),
    "gcresnet33ts": (_timm("gcresnet33ts"), None),
    "mixed": (Mixed, {UserSE: "se"}),
    "zoo": (Zoo, None),
    "zoo_official": (ZooOfficial, None),
}


def make(name, out_dir):
    build, kinds = NETWORKS[name]
    torch.manual_seed(SEED)
    model = randomize(build(), seed=SEED)
    x = torch.randn(*INPUT, generator=torch.Generator().manual_seed(SEED + 1))
    return export(model, x, out_dir, kinds=kinds, pth=True)


def _files(d):
    return sorted(os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs)


def drift(name, committed, fresh):
    """What differs between a committed export and a fresh one, as messages."""
    problems = []
    if _files(committed) != _files(fresh):
        return [f"{name}: files {_files(committed)} != {_files(fresh)}"]
    for f in _files(fresh):
        a, b = os.path.join(committed, f), os.path.join(fresh, f)
        if f.endswith(".json") or f in ("weights.safetensors", "weights.pth"):
            if not filecmp.cmp(a, b, shallow=False):
                problems.append(f"{name}/{f} differs")
        else:
            ta, tb = load_file(a), load_file(b)
            for key in tb:
                scale = max(float(tb[key].abs().max()), 1e-30)
                err = float((ta[key] - tb[key]).abs().max()) / scale
                if ta[key].shape != tb[key].shape or err > 1e-5:
                    problems.append(f"{name}/{f}:{key} differs (rel {err:.2e})")
    return problems


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--check", action="store_true", help="compare with the committed exports instead of writing")
    p.add_argument("names", nargs="*", default=sorted(NETWORKS))
    args = p.parse_args(argv)
    problems = []
    for name in args.names:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                make(name, tmp)
                problems += drift(name, os.path.join(OUT, name), tmp)
        else:
            target = os.path.join(OUT, name)
            for f in _files(target) if os.path.isdir(target) else []:
                os.remove(os.path.join(target, f))
            m = make(name, target)
            print(f"{name}: {len(m['blocks'])} blocks, {len(m['skipped'])} skipped")
    for msg in problems:
        print(msg, file=sys.stderr)
    if problems:
        print("exports drifted: run python scripts/make_exports.py and commit Tests/Exports/", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
