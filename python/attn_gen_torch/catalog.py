"""Which module classes are which attn-gen kind, and how each one's hyperparameters are read.

`TABLE` has one entry per class: the kind it is, and a reader that takes the module and its input
shape and returns the spec fields, read from the module's attributes and submodules (kernel sizes,
reduced widths, bias presence, act and gate functions by class), never guessed. A reader raises
`Unsupported` with the reason when the module uses something its kind cannot express; the
exporter then lists the module under `skipped` instead of writing a spec that would compute
something else.

Adding a class: one `Entry` in `TABLE`. Adding a kind to attn-gen: its name in `kinds.json`, and
a reader for the classes whose entries already name it. An option a kind gains (the SE family's
act/gate/norm/add_maxpool): its line in that kind's `OPTIONS` table gets the JSON field and the
values the field takes.
"""

import json
import os
import re
import dataclasses
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Tuple

import torch.nn as nn

from .activations import activation_name, describe, qualified_name


class Unsupported(Exception):
    """A module its kind cannot express exactly; the message says which option and why."""


with open(os.path.join(os.path.dirname(__file__), "kinds.json")) as _f:
    # The kinds today's attn-gen knows (`attn-gen list`); a Swift test keeps this in step.
    CATALOG_KINDS = frozenset(json.load(_f)["kinds"])


# ---------------------------------------------------------------------------------------------
# Options a kind can or cannot express yet
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Option:
    """One option of a module's math. `field` is the kind's JSON field for it, or None while the
    kind has none: then only `default` (what the kind computes) can be exported. `values` maps
    each value the field takes to its JSON form."""
    default: object
    field: Optional[str] = None
    values: Dict[object, object] = dataclasses.field(default_factory=dict)


# The SE family. When attn-gen's `se` gains a field, fill in its line, e.g.
#   "act": Option("relu", "act_layer", {"relu": "relu", "silu": "silu", ...}),
# The activations attn-gen's `act_layer`/`gate_layer` fields take, spelled as their JSON values.
_SE_ACTS = {a: a for a in ("relu", "relu6", "silu", "hard_swish", "gelu", "gelu_tanh", "sigmoid", "hard_sigmoid", "tanh")}

SE_OPTIONS = {
    "act": Option("relu", "act_layer", _SE_ACTS),
    "gate": Option("sigmoid", "gate_layer", _SE_ACTS),
    "norm": Option(None, "norm_layer", {"batchnorm": "batchnorm"}),
    "add_maxpool": Option(False, "add_maxpool", {True: True}),
    # The state_dict's names: the Swift importer reads these schemes for `se` today.
    "naming": Option("fc1/fc2", None),
}
SE_NAMINGS_READ = {"fc1/fc2", "fc.0/fc.2", "conv_reduce/conv_expand"}

ECA_OPTIONS = {
    "gate": Option("sigmoid"),
    "use_mlp": Option(False),
}

CBAM_OPTIONS = {
    "act": Option("relu"),
    "gate": Option("sigmoid"),
}

SK_OPTIONS = {
    "act": Option("relu"),
    "aa_layer": Option(None),
}


def express(kind, options, values):
    """The JSON fields for `values` (option → value), or Unsupported naming every option the kind
    cannot express."""
    fields, problems = {}, []
    for name, value in values.items():
        opt = options[name]
        if name == "naming" and kind == "se":
            if value not in SE_NAMINGS_READ:
                problems.append(f"attn-gen's se does not read the {value} tensor names yet")
            continue
        if value == opt.default:
            continue
        if opt.field is None:
            problems.append(f"kind {kind} has no {name} option yet: this module's {name} is {value}"
                            f" (the kind computes {opt.default})")
        elif value not in opt.values:
            problems.append(f"{kind}.{opt.field} does not take {value}")
        else:
            fields[opt.field] = opt.values[value]
    if problems:
        raise Unsupported("; ".join(problems))
    return fields


def _act(module, what):
    name = activation_name(module)
    if name is None:
        raise Unsupported(f"{what} is {describe(module)}")
    return name


def _conv(module, what, kernel=None):
    if not isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Linear)):
        raise Unsupported(f"{what} is {qualified_name(type(module))}, not a Conv or Linear")
    if kernel is not None and isinstance(module, (nn.Conv1d, nn.Conv2d)) and set(module.kernel_size) != {kernel}:
        raise Unsupported(f"{what} has kernel {tuple(module.kernel_size)}, expected {kernel}")
    return module


def _width(module):
    return module.out_features if isinstance(module, nn.Linear) else module.out_channels


def _batch_norms_default_eps(module):
    # The catalog folds BatchNorm with PyTorch's default eps.
    for name, m in module.named_modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.eps != 1e-5:
            raise Unsupported(f"BatchNorm {name} has eps {m.eps}; the kind folds it with 1e-5")


def _is_batch_norm(m):
    return isinstance(m, nn.modules.batchnorm._BatchNorm)


def _norm_act(bn, what):
    """timm's BatchNormAct2d (or a plain BatchNorm2d): its activation's name."""
    if not _is_batch_norm(bn):
        raise Unsupported(f"{what} is {qualified_name(type(bn))}, not a BatchNorm")
    drop = getattr(bn, "drop", None)
    if drop is not None and not isinstance(drop, nn.Identity):
        raise Unsupported(f"{what} has a drop layer {qualified_name(type(drop))}")
    return _act(getattr(bn, "act", None), f"{what}.act")


# ---------------------------------------------------------------------------------------------
# Readers: module + input shape (n, c, h, w) → spec fields
# ---------------------------------------------------------------------------------------------

def _se_fields(fc1, fc2, c, values):
    _conv(fc1, "fc1", 1)
    _conv(fc2, "fc2", 1)
    if _width(fc2) != c:
        raise Unsupported(f"fc2 gives {_width(fc2)} channels for an input of {c}")
    fields = {"reduced_channels": _width(fc1), "bias": fc1.bias is not None}
    if (fc2.bias is not None) != fields["bias"]:
        raise Unsupported("fc1 and fc2 differ in bias; the kind has one bias option for both")
    fields.update(express("se", SE_OPTIONS, values))
    return fields


def read_timm_se(m, shape):
    """timm.layers.SEModule (resnet/regnet/byobnet/nfnet/rexnet's SE): fc1, bn, act, fc2, gate.
    RegNet's rd comes from the block's input width, which is why it is read from fc1, not
    computed from the SE's own channels."""
    norm = None if isinstance(m.bn, nn.Identity) else (
        "batchnorm" if _is_batch_norm(m.bn) else qualified_name(type(m.bn)))
    return _se_fields(m.fc1, m.fc2, shape[1], {
        "act": _act(m.act, "act"), "gate": _act(m.gate, "gate"), "norm": norm,
        "add_maxpool": bool(m.add_maxpool), "naming": "fc1/fc2"})


def read_legacy_senet_se(m, shape):
    """timm.models.senet.SEModule (legacy_seresnet*): fc1, relu, fc2, sigmoid, with biases."""
    return _se_fields(m.fc1, m.fc2, shape[1], {
        "act": _act(m.relu, "relu"), "gate": _act(m.sigmoid, "sigmoid"), "naming": "fc1/fc2"})


def read_efficientnet_se(m, shape):
    """timm.models._efficientnet_blocks.SqueezeExcite (EfficientNet, MobileNetV3, MNASNet, ...):
    conv_reduce, act1, conv_expand, gate; act and gate come from the architecture."""
    return _se_fields(m.conv_reduce, m.conv_expand, shape[1], {
        "act": _act(m.act1, "act1"), "gate": _act(m.gate, "gate"), "naming": "conv_reduce/conv_expand"})


def read_generic_se(m, shape):
    """A user's SE class mapped with kinds={Class: "se"}: timm's fc1/fc2 or moskomule's
    fc = Sequential(Linear, ReLU, Linear, Sigmoid); act and gate are read from the children."""
    if hasattr(m, "fc1") and hasattr(m, "fc2"):
        acts = [c for c in m.children() if activation_name(c) not in (None, "identity")]
        if len(acts) != 2:
            raise Unsupported(f"found {len(acts)} activation modules among the children, expected act and gate")
        return _se_fields(m.fc1, m.fc2, shape[1], {
            "act": _act(acts[0], "act"), "gate": _act(acts[1], "gate"), "naming": "fc1/fc2"})
    fc = getattr(m, "fc", None)
    if isinstance(fc, nn.Sequential) and len(fc) == 4:
        return _se_fields(fc[0], fc[2], shape[1], {
            "act": _act(fc[1], "fc.1"), "gate": _act(fc[3], "fc.3"), "naming": "fc.0/fc.2"})
    raise Unsupported("no fc1/fc2 or fc = Sequential(Linear, act, Linear, gate) to read the SE from")


def read_eca(m, shape):
    """timm.layers.EcaModule: conv [1, 1, k] without bias, gate; `use_mlp` adds conv2."""
    if getattr(m, "conv2", None) is not None:
        return express("eca", ECA_OPTIONS, {"use_mlp": True})
    conv = _conv(m.conv, "conv")
    if not isinstance(conv, nn.Conv1d) or conv.in_channels != 1 or conv.out_channels != 1:
        raise Unsupported("conv is not a 1→1 channel Conv1d")
    k = conv.kernel_size[0]
    if conv.bias is not None or conv.padding[0] != (k - 1) // 2 or conv.dilation[0] != 1 or conv.padding_mode != "zeros":
        raise Unsupported(f"conv has bias {conv.bias is not None}, padding {conv.padding}, dilation "
                          f"{conv.dilation}, {conv.padding_mode} padding; the kind is zero padded (k-1)/2, no bias")
    fields = {"kernel_size": k}
    fields.update(express("eca", ECA_OPTIONS, {"gate": _act(m.gate, "gate")}))
    return fields


def read_cbam(m, shape):
    """timm.layers.CbamModule: channel (fc1, act, fc2, gate) then spatial (ConvNormAct 2→1, gate)."""
    ch, sp = m.channel, m.spatial
    conv = sp.conv.conv
    k = conv.kernel_size[0]
    if conv.in_channels != 2 or conv.out_channels != 1 or set(conv.kernel_size) != {k} or conv.bias is not None \
            or conv.stride != (1, 1) or conv.dilation != (1, 1) or conv.padding != (k // 2, k // 2):
        raise Unsupported("spatial.conv.conv is not a 2→1 k×k conv, stride 1, padding k/2, without bias")
    spatial_act = _norm_act(sp.conv.bn, "spatial.conv.bn")
    if spatial_act != "identity":
        raise Unsupported(f"spatial.conv.bn applies {spatial_act}")
    gate, spatial_gate = _act(ch.gate, "channel.gate"), _act(sp.gate, "spatial.gate")
    if gate != spatial_gate:
        raise Unsupported(f"channel gate {gate} and spatial gate {spatial_gate} differ")
    _batch_norms_default_eps(m)
    fields = _se_fields(ch.fc1, ch.fc2, shape[1], {})
    fields["spatial_kernel_size"] = k
    fields.update(express("cbam", CBAM_OPTIONS, {"act": _act(ch.act, "channel.act"), "gate": gate}))
    return fields


def read_sk(m, shape):
    """timm.layers.SelectiveKernel: one ConvNormAct per path (3×3 + dilation when keep_3x3), then
    SelectiveKernelAttn (fc_reduce, bn, act, fc_select, softmax over paths)."""
    convs = [p.conv for p in m.paths]
    for i, p in enumerate(m.paths):
        aa = getattr(p, "aa", None)
        if aa is not None and not isinstance(aa, nn.Identity):
            return express("sk", SK_OPTIONS, {"aa_layer": qualified_name(type(aa))})
    kernels = [c.kernel_size[0] for c in convs]
    dilations = [c.dilation[0] for c in convs]
    stride, groups = convs[0].stride[0], convs[0].groups
    if any(c.stride[0] != stride or c.groups != groups or c.bias is not None for c in convs):
        raise Unsupported("paths differ in stride or groups, or have a conv bias")
    acts = {_norm_act(p.bn, f"paths.{i}.bn") for i, p in enumerate(m.paths)}
    acts.add(_act(m.attn.act, "attn.act"))
    if len(acts) != 1:
        raise Unsupported(f"paths and attn use different activations {sorted(acts)}")
    if all(k == 3 for k in kernels):
        # keep_3x3: path i was a k_i×k_i kernel, now 3×3 with dilation D·(k_i − 1)/2. The first
        # path of timm's default [3, 5] is the 3×3 one, whose dilation is D itself.
        base = dilations[0]
        ks = [2 * d // base + 1 if d % base == 0 else None for d in dilations]
        keep = True
    else:
        base, ks, keep = dilations[0], kernels, False
        if any(d != base for d in dilations):
            raise Unsupported(f"paths of kernels {kernels} have dilations {dilations}; the kind has one dilation")
    if None in ks or [base * (k - 1) // 2 if keep else base for k in ks] != dilations:
        raise Unsupported(f"path dilations {dilations} fit no kernel_size list with one dilation")
    out = convs[0].out_channels
    fields = {
        "out_channels": out, "kernel_size": ks, "stride": stride, "dilation": base, "groups": groups,
        "reduced_channels": m.attn.fc_reduce.out_channels, "keep_3x3": keep, "split_input": bool(m.split_input),
    }
    _batch_norms_default_eps(m)
    fields.update(express("sk", SK_OPTIONS, {"act": acts.pop()}))
    return fields


def _gate_field(gate, what, allowed=("sigmoid", "hard_sigmoid")):
    """A kind's `gate_layer` field: omitted for sigmoid (every kind's default below)."""
    name = _act(gate, what)
    if name not in allowed:
        raise Unsupported(f"{what} is {name}; the kind's gate_layer takes {', '.join(allowed)}")
    return {} if name == "sigmoid" else {"gate_layer": name}


def _square(conv, what):
    """(kernel, stride, padding, dilation) of a Conv2d with one value per attribute."""
    attrs = [conv.kernel_size, conv.stride, conv.padding, conv.dilation]
    if any(not isinstance(a, tuple) or len(set(a)) != 1 for a in attrs) or conv.padding_mode != "zeros":
        raise Unsupported(f"{what} has kernel {conv.kernel_size}, stride {conv.stride}, padding {conv.padding}, "
                          f"dilation {conv.dilation}, {conv.padding_mode} padding; the kind's conv is square and zero padded")
    return tuple(a[0] for a in attrs)


def read_ese(m, shape):
    """timm.layers.squeeze_excite.EffectiveSEModule (VoVNet): fc (C→C 1×1 with bias), gate,
    add_maxpool."""
    fc = _conv(m.fc, "fc", 1)
    if _width(fc) != shape[1] or fc.bias is None:
        raise Unsupported(f"fc gives {_width(fc)} channels for {shape[1]}, bias {fc.bias is not None}")
    fields = {"add_maxpool": bool(m.add_maxpool)}
    name = _act(m.gate, "gate")
    if name not in ("sigmoid", "hard_sigmoid"):
        raise Unsupported(f"gate is {name}; ese's gate_layer takes sigmoid, hard_sigmoid")
    fields["gate_layer"] = name  # stated: the kind's default depends on the file's names
    return fields


def read_hgnet_ese(m, shape):
    """timm.models.hgnet.EseModule: conv (C→C 1×1 with bias) and a sigmoid; attn-gen reads its
    `conv.*` names as hgnet's."""
    conv = _conv(m.conv, "conv", 1)
    if _width(conv) != shape[1] or conv.bias is None:
        raise Unsupported(f"conv gives {_width(conv)} channels for {shape[1]}, bias {conv.bias is not None}")
    if _act(m.sigmoid, "sigmoid") != "sigmoid":
        raise Unsupported(f"sigmoid is {describe(m.sigmoid)}")
    return {"gate_layer": "sigmoid"}


def read_ceca(m, shape):
    """timm.layers.eca.CecaModule: circular padding, conv [1, 1, k] (a bias only with act_layer,
    which its forward never applies), gate."""
    conv = m.conv
    if not isinstance(conv, nn.Conv1d) or conv.in_channels != 1 or conv.out_channels != 1:
        raise Unsupported("conv is not a 1→1 channel Conv1d")
    k = conv.kernel_size[0]
    if conv.bias is not None:
        raise Unsupported("conv has a bias (CecaModule's act_layer); the kind's conv has none")
    if m.padding != (k - 1) // 2 or conv.padding[0] != 0 or conv.dilation[0] != 1:
        raise Unsupported(f"padding {m.padding} and conv padding {conv.padding}, dilation {conv.dilation} for k = {k}")
    fields = {"kernel_size": k}
    fields.update(_gate_field(m.gate, "gate"))
    return fields


def _conv_mlp(mlp, what, c):
    """timm's ConvMlp as GlobalContext builds it: fc1 → LayerNorm2d → ReLU → fc2, biases on.
    (hidden width, LayerNorm eps)."""
    fc1, fc2 = _conv(mlp.fc1, f"{what}.fc1", 1), _conv(mlp.fc2, f"{what}.fc2", 1)
    if fc1.bias is None or fc2.bias is None or _width(fc2) != c:
        raise Unsupported(f"{what}: fc1/fc2 without bias, or fc2 gives {_width(fc2)} channels for {c}")
    norm = mlp.norm
    if type(norm).__name__ != "LayerNorm2d" or norm.weight is None or norm.bias is None:
        raise Unsupported(f"{what}.norm is {qualified_name(type(norm))}; the kind has an affine LayerNorm over C")
    if _act(mlp.act, f"{what}.act") != "relu":
        raise Unsupported(f"{what}.act is {describe(mlp.act)}; the kind's MLP uses relu")
    return _width(fc1), float(norm.eps)


def read_gc(m, shape):
    """timm.layers.global_context.GlobalContext (gcresnet*, gcresnext*): conv_attn (or the
    mean), mlp_scale and/or mlp_add (ConvMlp with LayerNorm2d), gate."""
    c = shape[1]
    mlps = {name: getattr(m, name) for name in ("mlp_scale", "mlp_add") if getattr(m, name) is not None}
    if not mlps:
        raise Unsupported("neither mlp_add nor mlp_scale: the block returns x")
    read = {name: _conv_mlp(mlp, name, c) for name, mlp in mlps.items()}
    if len(set(read.values())) != 1:
        raise Unsupported(f"mlp_add and mlp_scale differ in width or eps {read}; the kind has one of each")
    rd, eps = next(iter(read.values()))
    conv = m.conv_attn
    if conv is not None and (_conv(conv, "conv_attn", 1).out_channels != 1 or conv.bias is None):
        raise Unsupported("conv_attn is not a C→1 1×1 conv with bias")
    fields = {"use_attn": conv is not None, "fuse_add": "mlp_add" in mlps, "fuse_scale": "mlp_scale" in mlps,
              "reduced_channels": rd, "eps": eps}
    if "mlp_scale" in mlps:
        fields.update(_gate_field(m.gate, "gate"))
    return fields


def read_ge(m, shape):
    """timm.layers.gather_excite.GatherExcite: gather (none, or depthwise convs with BatchNorm),
    mlp (ConvMlp with ReLU, or none), gate."""
    n, c, h, w = shape
    fields = {"extent": int(m.extent), "add_maxpool": bool(m.add_maxpool)}
    if m.gather is not None:
        fields["extra_params"] = True
        convs = [mod for name, mod in m.gather.named_children() if name.startswith("conv")]
        norms = [mod for name, mod in m.gather.named_children() if name.startswith("norm")]
        acts = [mod for name, mod in m.gather.named_children() if name.startswith("act")]
        if len(norms) != len(convs):
            raise Unsupported("gather convs without their BatchNorm (norm_layer=None); the kind's gather has one per conv")
        if any(_act(a, "gather act") != "relu" for a in acts):
            raise Unsupported("gather's activation is not relu")
        for i, conv in enumerate(convs):
            if conv.bias is not None or conv.groups != c:
                raise Unsupported(f"gather.conv{i + 1} is not a depthwise conv without bias")
        if m.extent == 0:
            k = convs[0].kernel_size
            if k[0] != k[1]:
                raise Unsupported(f"gather.conv1 kernel {k} is not square; the kind's feat_size is one number")
            fields["feat_size"] = k[0]
        # GatherExcite pools (and reads add_maxpool) only without parameters; the kind refuses it here.
        del fields["add_maxpool"]
    else:
        # extent 0: the global mean; extent e > 0: timm's avg_pool2d(2e - 1, stride e, padding e - 1,
        # count_include_pad=False), which the kind computes (plus the padded max with add_maxpool).
        if m.extent != 0 and (m.extent % 2 or m.gk != 2 * m.extent - 1 or m.gs != m.extent):
            raise Unsupported(f"extent {m.extent} pools with kernel {m.gk} and stride {m.gs}; the kind's pool is "
                              "timm's kernel 2·extent − 1, stride extent, for an even extent")
        fields["extra_params"] = False
    if isinstance(m.mlp, nn.Identity):
        fields["use_mlp"] = False
    else:
        fc1, fc2 = _conv(m.mlp.fc1, "mlp.fc1", 1), _conv(m.mlp.fc2, "mlp.fc2", 1)
        if fc1.bias is None or fc2.bias is None or not isinstance(m.mlp.norm, nn.Identity):
            raise Unsupported("mlp has no biases or a norm; the kind's MLP is fc1 → relu → fc2 with biases")
        if _act(m.mlp.act, "mlp.act") != "relu":
            raise Unsupported(f"mlp.act is {describe(m.mlp.act)}; the kind's MLP uses relu")
        fields["reduced_channels"] = _width(fc1)
    fields.update(_gate_field(m.gate, "gate"))
    _batch_norms_default_eps(m)
    return fields


_TIMM_ACTS = ("relu", "relu6", "silu", "hard_swish", "gelu", "gelu_tanh", "sigmoid", "hard_sigmoid", "tanh")


def _activation_field(module, what, field):
    name = _act(module, what)
    if name not in _TIMM_ACTS:
        raise Unsupported(f"{what} is {name}; {field} takes {', '.join(_TIMM_ACTS)}")
    return name


def read_coord(m, shape):
    """timm.layers.coord_attn.CoordAttn: conv1, bn1 (or none), act, conv_h, conv_w, gate, has_skip."""
    conv1 = _conv(m.conv1, "conv1", 1)
    bias = conv1.bias is not None
    if any((c.bias is not None) != bias for c in (m.conv_h, m.conv_w)):
        raise Unsupported("conv1, conv_h and conv_w differ in bias; the kind has one bias option")
    if isinstance(m.bn1, nn.Identity):
        norm = "none"
    elif _is_batch_norm(m.bn1):
        norm = "batchnorm"
    else:
        raise Unsupported(f"bn1 is {qualified_name(type(m.bn1))}")
    _batch_norms_default_eps(m)
    return {"variant": "timm", "reduced_channels": _width(conv1), "bias": bias, "norm_layer": norm,
            "act_layer": _activation_field(m.act, "act", "act_layer"),
            "gate_layer": _activation_field(m.gate, "gate", "gate_layer"), "has_skip": bool(m.has_skip)}


def read_scoord(m, shape):
    """timm.layers.coord_attn.SimpleCoordAttn: fc1, act, fc_h, fc_w (Linear), gate, has_skip."""
    fc1 = _conv(m.fc1, "fc1")
    bias = fc1.bias is not None
    if any((f.bias is not None) != bias for f in (m.fc_h, m.fc_w)):
        raise Unsupported("fc1, fc_h and fc_w differ in bias; the kind has one bias option")
    return {"reduced_channels": _width(fc1), "bias": bias,
            "act_layer": _activation_field(m.act, "act", "act_layer"),
            "gate_layer": _activation_field(m.gate, "gate", "gate_layer"), "has_skip": bool(m.has_skip)}


def read_lcbam(m, shape):
    """timm.layers.cbam.LightCbamModule: channel (fc1, act, fc2; sigmoid in its forward) and
    spatial (ConvNormAct 1→1 without act, gate)."""
    ch, sp = m.channel, m.spatial
    fc1, fc2 = _conv(ch.fc1, "channel.fc1", 1), _conv(ch.fc2, "channel.fc2", 1)
    bias = fc1.bias is not None
    if (fc2.bias is not None) != bias:
        raise Unsupported("channel.fc1 and fc2 differ in bias")
    conv = sp.conv.conv
    k, stride, pad, dil = _square(conv, "spatial.conv.conv")
    if conv.in_channels != 1 or conv.out_channels != 1 or conv.bias is not None or stride != 1 or dil != 1 or pad != k // 2:
        raise Unsupported("spatial.conv.conv is not a 1→1 k×k conv, stride 1, padding k/2, without bias")
    if _norm_act(sp.conv.bn, "spatial.conv.bn") != "identity":
        raise Unsupported("spatial.conv.bn applies an activation")
    if _act(sp.gate, "spatial.gate") != "sigmoid":
        raise Unsupported(f"spatial.gate is {describe(sp.gate)}; the kind's gates are sigmoids")
    _batch_norms_default_eps(m)
    return {"reduced_channels": _width(fc1), "mlp_bias": bias, "spatial_kernel_size": k,
            "act_layer": _activation_field(ch.act, "channel.act", "act_layer")}


def read_splat(m, shape):
    """timm.layers.split_attn.SplitAttn (ResNeSt): conv (groups·radix groups), bn0, drop, act0,
    fc1, bn1, act1, fc2 (grouped 1×1 convs with bias), RadixSoftmax."""
    conv = m.conv
    if not isinstance(conv, nn.Conv2d):
        raise Unsupported(f"conv is {qualified_name(type(conv))}")
    k, stride, pad, dil = _square(conv, "conv")
    radix = int(m.radix)
    if conv.groups % radix:
        raise Unsupported(f"conv has {conv.groups} groups for radix {radix}")
    groups, out = conv.groups // radix, conv.out_channels // radix
    fc1, fc2 = _conv(m.fc1, "fc1", 1), _conv(m.fc2, "fc2", 1)
    if fc1.groups != groups or fc2.groups != groups or fc1.bias is None or fc2.bias is None:
        raise Unsupported(f"fc1/fc2 are not 1×1 convs with bias in {groups} groups")
    if m.rsoftmax.radix != radix or m.rsoftmax.cardinality != groups:
        raise Unsupported(f"rsoftmax radix {m.rsoftmax.radix}, cardinality {m.rsoftmax.cardinality}")
    norms = {name: getattr(m, name) for name in ("bn0", "bn1")}
    kinds = {"none" if isinstance(b, nn.Identity) else "batchnorm" if _is_batch_norm(b) else qualified_name(type(b))
             for b in norms.values()}
    if len(kinds) != 1 or kinds - {"none", "batchnorm"}:
        raise Unsupported(f"bn0 and bn1 are {sorted(kinds)}; the kind's norm_layer is batchnorm or none on both")
    drop = m.drop
    if not isinstance(drop, nn.Identity) and type(drop).__name__ != "DropBlock2d":
        raise Unsupported(f"drop is {qualified_name(type(drop))}")
    acts = {_activation_field(m.act0, "act0", "act_layer"), _activation_field(m.act1, "act1", "act_layer")}
    if len(acts) != 1:
        raise Unsupported(f"act0 and act1 differ {sorted(acts)}; the kind has one act_layer")
    _batch_norms_default_eps(m)
    fields = {"out_channels": out, "kernel_size": k, "stride": stride, "padding": pad, "dilation": dil,
              "groups": groups, "bias": conv.bias is not None, "radix": radix, "norm_layer": kinds.pop()}
    attn = _width(fc1)
    if attn % radix == 0:
        fields["reduced_channels"] = attn // radix  # rd_channels: fc1 is rd_channels·radix wide
    act = acts.pop()
    if act != "relu":
        fields["act_layer"] = act
    return fields


def _strip_convs(m, c):
    """conv_h (k, 1) and conv_w (1, k), depthwise, padding k // 2, stride 1: (k, bias)."""
    found = []
    for name, axis in (("conv_h", 0), ("conv_w", 1)):
        conv = getattr(m, name)
        if not isinstance(conv, nn.Conv2d):
            raise Unsupported(f"{name} is {qualified_name(type(conv))}, not a Conv2d")
        k = conv.kernel_size[axis]
        want = (k, 1) if axis == 0 else (1, k)
        pad = (k // 2, 0) if axis == 0 else (0, k // 2)
        if conv.kernel_size != want or k % 2 == 0 or conv.in_channels != c or conv.out_channels != c \
                or conv.groups != c or conv.stride != (1, 1) or conv.dilation != (1, 1) or conv.padding != pad \
                or conv.padding_mode != "zeros":
            raise Unsupported(f"{name} is not a depthwise {want} conv of odd k, stride 1, zero padding k // 2")
        found.append((k, conv.bias is not None))
    if found[0] != found[1]:
        raise Unsupported(f"conv_h and conv_w differ in kernel or bias: {found}")
    return found[0]


def _act_name(m, what):
    """The JSON name of an act or gate module any `act_layer`/`gate_layer` field takes."""
    name = _act(m, what)
    if name not in _SE_ACTS:
        raise Unsupported(f"{what} is {name}, which the kind's {what}_layer does not take")
    return name


def read_strip(m, shape):
    """timm.layers.StripAttn: the strip means, optionally conv_h / conv_w, added under the gate."""
    fields = {"use_conv": bool(m.use_conv), "gate_layer": _act_name(m.gate, "gate"), "has_skip": bool(m.has_skip)}
    if m.use_conv:
        fields["kernel_size"], fields["bias"] = _strip_convs(m, shape[1])
    return fields


def read_ela(m, shape):
    """timm.layers.EfficientLocalAttn: conv_h / conv_w, norm_h / norm_w (GroupNorm1, timm's
    32-group GroupNorm, BatchNorm2d or none), act, gate."""
    k, bias = _strip_convs(m, shape[1])
    norms = set()
    for name in ("norm_h", "norm_w"):
        norm = getattr(m, name)
        if isinstance(norm, nn.Identity):
            norms.add("none")
        elif _is_batch_norm(norm):
            norms.add("batchnorm")
        elif isinstance(norm, nn.GroupNorm) and norm.num_groups in (1, 32):
            if not norm.affine or norm.eps != 1e-5:
                raise Unsupported(f"{name} has affine {norm.affine}, eps {norm.eps}; the kind's is affine with 1e-5")
            norms.add("groupnorm1" if norm.num_groups == 1 else "groupnorm")
        else:
            raise Unsupported(f"{name} is {qualified_name(type(norm))} with the kind's norms being GroupNorm of 1 "
                              "or 32 groups, BatchNorm2d or none")
    if len(norms) != 1:
        raise Unsupported(f"norm_h and norm_w differ: {sorted(norms)}")
    _batch_norms_default_eps(m)
    return {"kernel_size": k, "bias": bias, "act_layer": _act_name(m.act, "act"),
            "gate_layer": _act_name(m.gate, "gate"), "norm_layer": norms.pop(), "has_skip": bool(m.has_skip)}


def read_danet(m, shape):
    """Official DANet PAM_Module / CAM_Module: no hyperparameters (gamma is a weight)."""
    if not isinstance(getattr(m, "gamma", None), nn.Parameter):
        raise Unsupported("no gamma parameter")
    return {}


def _conv1x1(module, what, bias):
    """A 1×1 Conv2d, stride 1, one group, with or without a bias as the kind computes it."""
    if not isinstance(module, nn.Conv2d) or module.kernel_size != (1, 1) or module.stride != (1, 1) \
            or module.groups != 1 or (module.bias is not None) != bias:
        raise Unsupported(f"{what} is not a 1×1 Conv2d, stride 1, one group, {'with' if bias else 'without'} bias")
    return module


def read_nl(m, shape):
    """timm.layers.NonLocalAttn: t, p, g 1×1 convs C → rd with biases, z rd → C, norm; the logits
    scaled by C^-1/2 (use_scale) or 1."""
    c = shape[1]
    rd = _conv1x1(m.t, "t", True).out_channels
    for name in ("p", "g"):
        if _conv1x1(getattr(m, name), name, True).out_channels != rd:
            raise Unsupported(f"{name} has another width than t ({rd})")
    if _conv1x1(m.z, "z", True).out_channels != c:
        raise Unsupported(f"z gives {m.z.out_channels} channels for an input of {c}")
    if not isinstance(m.norm, nn.BatchNorm2d):
        raise Unsupported(f"norm is {qualified_name(type(m.norm))}, not a BatchNorm2d")
    _batch_norms_default_eps(m)
    if m.scale == 1.0 and c != 1:
        use_scale = False
    elif abs(m.scale - c ** -0.5) <= 1e-12:
        use_scale = True
    else:
        raise Unsupported(f"scale {m.scale} is neither C^-1/2 nor 1")
    return {"reduced_channels": rd, "use_scale": use_scale}


def read_bat(m, shape):
    """timm.layers.BatNonLocalAttn: conv1 (ConvNormAct C → rd), ba (BilinearAttnTransform: conv1
    rd → groups, conv_p with a (b, 1) kernel, conv_q with (1, b), conv2 rd → rd), conv2 (rd → C),
    one activation after every norm; its Dropout2d acts only in training."""
    c, ba = shape[1], m.ba
    rd, b, g = m.conv1.conv.out_channels, ba.block_size, ba.groups
    cnas = {"conv1": (m.conv1, rd), "ba.conv1": (ba.conv1, g), "ba.conv2": (ba.conv2, rd), "conv2": (m.conv2, c)}
    acts = set()
    for name, (cna, width) in cnas.items():
        if _conv1x1(cna.conv, name + ".conv", False).out_channels != width:
            raise Unsupported(f"{name}.conv gives {cna.conv.out_channels} channels, expected {width}")
        aa = getattr(cna, "aa", None)
        if aa is not None and not isinstance(aa, nn.Identity):
            raise Unsupported(f"{name} has an anti-aliasing layer {qualified_name(type(aa))}")
        acts.add(_norm_act(cna.bn, name + ".bn"))
    if len(acts) != 1:
        raise Unsupported(f"the four norms apply different activations {sorted(acts)}; the kind has one act_layer")
    for name, kernel in (("conv_p", (b, 1)), ("conv_q", (1, b))):
        conv = getattr(ba, name)
        if not isinstance(conv, nn.Conv2d) or conv.kernel_size != kernel or conv.bias is None or conv.groups != 1 \
                or conv.out_channels != b * b * g:
            raise Unsupported(f"ba.{name} is not a {kernel} Conv2d {g} → {b * b * g} with bias")
    _batch_norms_default_eps(m)
    act = acts.pop()
    if act not in _SE_ACTS:
        raise Unsupported(f"bat.act_layer does not take {act}")
    fields = {"reduced_channels": rd, "block_size": b, "groups": g}
    if act != "relu":
        fields["act_layer"] = act
    return fields


def _pool_stride(pool, what):
    """timm's self-attention layers end in `AvgPool2d(2, 2)` for stride 2, else an Identity."""
    if isinstance(pool, nn.Identity):
        return 1
    if isinstance(pool, nn.AvgPool2d) and pool.kernel_size in (2, (2, 2)) and pool.stride in (2, (2, 2)) \
            and pool.padding in (0, (0, 0)) and not pool.ceil_mode:
        return 2
    raise Unsupported(f"{what} is {describe(pool)}, not AvgPool2d(2, 2) or Identity")


def read_bottleneck(m, shape):
    """timm.layers.BottleneckAttn: qkv 1×1 conv, heads and head widths, relative position tables
    made for one feat_size, 2×2 average pool when stride 2."""
    conv = _conv(m.qkv, "qkv", kernel=1)
    if conv.stride != (1, 1) or conv.groups != 1:
        raise Unsupported(f"qkv has stride {conv.stride} and groups {conv.groups}; the kind's is a plain 1×1 conv")
    feat = [m.pos_embed.height, m.pos_embed.width]
    if list(shape[2:]) != feat:
        raise Unsupported(f"pos_embed was made for {feat}, the input is {list(shape[2:])}")
    return {
        "dim_out": m.dim_out_v, "feat_size": feat, "stride": _pool_stride(m.pool, "pool"),
        "num_heads": m.num_heads, "dim_head": m.dim_head_qk, "qkv_bias": conv.bias is not None,
        "scale_pos_embed": bool(m.scale_pos_embed),
    }


def read_lambda(m, shape):
    """timm.layers.LambdaLayer: qkv 1×1 conv, heads, dim_head, the 2×2 average pool of stride 2,
    and its position lambdas: local (conv_lambda, `r` set) or the relative-position embedding
    (pos_emb, `r=None`), whose feat_size must be the input's plane."""
    conv = _conv(m.qkv, "qkv", kernel=1)
    if conv.stride != (1, 1) or conv.groups != 1:
        raise Unsupported(f"qkv has stride {conv.stride} and groups {conv.groups}; the kind's is a plain 1×1 conv")
    fields = {
        "dim_out": m.num_heads * m.dim_v, "stride": _pool_stride(m.pool, "pool"), "num_heads": m.num_heads,
        "dim_head": m.dim_qk, "qkv_bias": conv.bias is not None,
    }
    if m.conv_lambda is None:
        feat = [int(s) for s in m.feat_size]
        if list(shape[2:]) != feat:
            raise Unsupported(f"pos_emb was made for feat_size {feat}, the input is {list(shape[2:])}")
        _batch_norms_default_eps(m)
        return {**fields, "feat_size": feat}
    r = m.conv_lambda.kernel_size[0]
    if tuple(m.conv_lambda.kernel_size) != (r, r, 1) or tuple(m.conv_lambda.padding) != (r // 2, r // 2, 0) \
            or r % 2 == 0 or m.conv_lambda.bias is None:
        raise Unsupported(f"conv_lambda is {describe(m.conv_lambda)}, not timm's odd r×r×1 with padding r//2 and bias")
    _batch_norms_default_eps(m)
    return {**fields, "r": r}


# ---------------------------------------------------------------------------------------------
# Official codes outside timm, recognised by class name and checked by structure (the official
# repositories are never imported): each reader reads the attributes and submodules the official
# constructor makes and refuses anything else.
# ---------------------------------------------------------------------------------------------

def _class_of(module):
    return "missing" if module is None else qualified_name(type(module))


def _triplet_gate(gate, conv_attr, what):
    """One official Triplet Attention gate: compress (ChannelPool/ZPool: max then mean over the
    view's first axis, no state) → BasicConv(2, 1, 7, padding 3, bias off, BatchNorm, no ReLU)."""
    compress = getattr(gate, "compress", None)
    if type(compress).__name__ not in ("ChannelPool", "ZPool") or any(True for _ in compress.parameters()):
        raise Unsupported(f"{what}.compress is {_class_of(compress)}, not the official ChannelPool/ZPool")
    basic = getattr(gate, conv_attr, None)
    conv = getattr(basic, "conv", None)
    if not isinstance(conv, nn.Conv2d):
        raise Unsupported(f"{what}.{conv_attr}.conv is {_class_of(conv)}, not a Conv2d")
    k, stride, pad, dil = _square(conv, f"{what}.{conv_attr}.conv")
    if (conv.in_channels, conv.out_channels, k, stride, pad, dil, conv.groups) != (2, 1, 7, 1, 3, 1, 1) \
            or conv.bias is not None:
        raise Unsupported(f"{what}.{conv_attr}.conv is not the official 2 → 1 7×7 conv, padding 3, without bias")
    if not isinstance(getattr(basic, "bn", None), nn.BatchNorm2d):
        raise Unsupported(f"{what}.{conv_attr}.bn is {_class_of(getattr(basic, 'bn', None))}; the kind's gate has a BatchNorm")
    if getattr(basic, "relu", None) is not None:
        raise Unsupported(f"{what}.{conv_attr} applies a ReLU (relu=True); the official gates have none")


# Triplet Attention's two layouts: MODELS/triplet_attention.py (the released weights' names) and
# the repository root's triplet_attention.py. (gate names C-W, H-C, H-W; the gate's conv attribute)
_TRIPLET_LAYOUTS = ((("ChannelGateH", "ChannelGateW", "SpatialGate"), "spatial"), (("cw", "hc", "hw"), "conv"))


def read_triplet(m, shape):
    """Official Triplet Attention `TripletAttention(gate_channels, reduction_ratio, pool_types,
    no_spatial)` (or the root file's `TripletAttention(no_spatial)`): two or three gates."""
    no_spatial = getattr(m, "no_spatial", None)
    if not isinstance(no_spatial, bool):
        raise Unsupported("no boolean no_spatial attribute: not the official TripletAttention")
    children = dict(m.named_children())
    for names, conv_attr in _TRIPLET_LAYOUTS:
        wanted = names[:2] if no_spatial else names
        if all(n in children for n in names[:2]):
            if set(children) != set(wanted):
                raise Unsupported(f"children {sorted(children)}; with no_spatial={no_spatial} the official "
                                  f"module has {', '.join(wanted)}")
            for n in wanted:
                _triplet_gate(children[n], conv_attr, n)
            _batch_norms_default_eps(m)
            return {"no_spatial": no_spatial}
    raise Unsupported(f"children {sorted(children)} are neither ChannelGateH/ChannelGateW/SpatialGate nor cw/hc/hw")


_FCA_RANKINGS = {
    "top": ([0, 0, 6, 0, 0, 1, 1, 4, 5, 1, 3, 0, 0, 0, 3, 2, 4, 6, 3, 5, 5, 2, 6, 5, 5, 3, 3, 4, 2, 2, 6, 1],
            [0, 1, 0, 5, 2, 0, 2, 0, 0, 6, 0, 4, 6, 3, 5, 2, 6, 3, 3, 3, 5, 1, 1, 2, 4, 2, 1, 1, 3, 0, 5, 3]),
    "low": ([0, 0, 1, 1, 0, 2, 2, 1, 2, 0, 3, 4, 0, 1, 3, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4],
            [0, 1, 0, 1, 2, 0, 1, 2, 2, 3, 0, 0, 4, 3, 1, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3, 2, 1, 0, 6, 5, 4, 3]),
    "bot": ([6, 1, 3, 3, 2, 4, 1, 2, 4, 4, 5, 1, 4, 6, 2, 5, 6, 1, 6, 2, 2, 4, 3, 3, 5, 5, 6, 2, 5, 5, 3, 6],
            [6, 4, 4, 6, 6, 3, 1, 4, 4, 5, 6, 5, 2, 2, 5, 1, 4, 3, 5, 0, 3, 1, 1, 2, 4, 2, 1, 1, 5, 3, 3, 3]),
}


def fca_dct_filter(method, channels, dct_h, dct_w):
    """FcaNet's DCT-II filter [C, dct_h, dct_w] for `method` (`top16`, `low4`, ...): frequency i of
    the ranking, scaled from the 7×7 grid to dct_h × dct_w, on channels [i·C/K, (i+1)·C/K)."""
    import math

    import torch
    us, vs = _FCA_RANKINGS[method[:3]]
    k = int(method[3:])

    def basis(pos, freq, size):
        b = math.cos(math.pi * freq * (pos + 0.5) / size) / math.sqrt(size)
        return b * math.sqrt(2) if freq else b

    out = torch.zeros(channels, dct_h, dct_w)
    part = channels // k
    for i in range(k):
        u, v = us[i] * (dct_h // 7), vs[i] * (dct_w // 7)
        for y in range(dct_h):
            for x in range(dct_w):
                out[i * part:(i + 1) * part, y, x] = basis(y, u, dct_h) * basis(x, v, dct_w)
    return out


def read_fca(m, shape):
    """Official FcaNet `MultiSpectralAttentionLayer(channel, dct_h, dct_w, reduction,
    freq_sel_method)`: dct_layer (its DCT filter buffer), fc = Sequential(Linear C → C // r without
    bias, ReLU, Linear back, Sigmoid). The frequency set is not an attribute: it is the ranking
    whose filter equals the buffer."""
    n, c, h, w = shape
    dct_h, dct_w = getattr(m, "dct_h", None), getattr(m, "dct_w", None)
    layer = getattr(m, "dct_layer", None)
    weight = getattr(layer, "weight", None)
    if not isinstance(dct_h, int) or not isinstance(dct_w, int) or type(layer).__name__ != "MultiSpectralDCTLayer" \
            or weight is None or tuple(weight.shape) != (c, dct_h, dct_w):
        raise Unsupported("no dct_h, dct_w and a MultiSpectralDCTLayer dct_layer with a [C, dct_h, dct_w] weight")
    fc = getattr(m, "fc", None)
    if not isinstance(fc, nn.Sequential) or len(fc) != 4 or not all(isinstance(fc[i], nn.Linear) for i in (0, 2)) \
            or fc[0].bias is not None or fc[2].bias is not None or fc[0].in_features != c or fc[2].out_features != c:
        raise Unsupported("fc is not Sequential(Linear C → rd without bias, act, Linear rd → C without bias, gate)")
    if _act(fc[1], "fc.1") != "relu" or _act(fc[3], "fc.3") != "sigmoid":
        raise Unsupported(f"fc.1 is {describe(fc[1])} and fc.3 {describe(fc[3])}; the kind has relu and sigmoid")
    if (h, w) != (dct_h, dct_w) and (h % dct_h or w % dct_w or h // dct_h != w // dct_w):
        raise Unsupported(f"the {h}×{w} input is pooled to {dct_h}×{dct_w} (adaptive_avg_pool2d); the kind pools "
                          "only by whole, square windows")
    buffer = weight.detach().to("cpu", dtype=weight.dtype)
    methods = [f"{r}{k}" for r in ("top", "low", "bot") for k in (1, 2, 4, 8, 16, 32) if c % k == 0]
    found = [meth for meth in methods
             if (fca_dct_filter(meth, c, dct_h, dct_w).to(buffer.dtype) - buffer).abs().max().item() <= 1e-6]
    if not found:
        raise Unsupported("dct_layer.weight is no freq_sel_method's DCT filter (learned or replaced); the kind's "
                          "frequencies are top/low/bot × 1–32")
    # Rankings that share their first frequencies give one filter (top1 = low1): any of them is it.
    return {"dct_h": dct_h, "dct_w": dct_w, "reduced_channels": fc[0].out_features, "freq_sel_method": found[0]}


def read_simam(m, shape):
    """Official SimAM `simam_module(channels=None, e_lambda=1e-4)`: no parameters, a sigmoid
    (its attribute is spelled `activaton`), e_lambda."""
    n, c, h, w = shape
    lam = getattr(m, "e_lambda", None)
    if isinstance(lam, bool) or not isinstance(lam, (int, float)):
        raise Unsupported("no numeric e_lambda attribute: not the official simam_module")
    act = getattr(m, "activaton", getattr(m, "activation", None))
    if _act(act, "activaton") != "sigmoid" or any(True for _ in m.parameters()):
        raise Unsupported("not the official simam_module: its only child is a Sigmoid and it has no parameters")
    if h * w == 1:
        raise Unsupported("a 1×1 plane: the official code divides by n = H·W − 1 = 0")
    return {"e_lambda": float(lam)}


def read_halo(m, shape):
    """timm.layers.HaloAttn: q and kv 1×1 convs, heads and head widths, block and halo sizes, and
    stride 2 as strided query blocks or a 2×2 average pool (avg_down, or an odd block_size, where
    timm pools without being asked)."""
    q, kv = _conv(m.q, "q", kernel=1), _conv(m.kv, "kv", kernel=1)
    if (q.bias is None) != (kv.bias is None) or q.groups != 1 or kv.groups != 1 or kv.stride != (1, 1):
        raise Unsupported("q and kv differ in bias, or are grouped or strided other than timm's")
    if q.stride != (m.block_stride, m.block_stride):
        raise Unsupported(f"q's stride {q.stride} is not the block stride {m.block_stride}")
    pooled = _pool_stride(m.pool, "pool") == 2
    stride = 2 if pooled or m.block_stride == 2 else 1
    fields = {
        "dim_out": m.dim_out_v, "stride": stride, "num_heads": m.num_heads, "dim_head": m.dim_head_qk,
        "block_size": m.block_size, "halo_size": m.halo_size, "qkv_bias": q.bias is not None,
        "scale_pos_embed": bool(m.scale_pos_embed),
    }
    if pooled and m.block_size % 2 == 0:  # an odd block pools by itself
        fields["avg_down"] = True
    return fields


def read_nothing(m, shape):
    """A user class mapped to a kind by name: no fields, attn-gen completes the hyperparameters
    the kind can read from the tensor shapes, and `verify --against` checks the result."""
    return {}


# ---------------------------------------------------------------------------------------------
# The table: one entry per class
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    kind: str
    # None: the kind's reader for this class is not written yet (a kind not in the catalog).
    read: Optional[Callable] = None


# Keyed by qualified class name (timm stays optional), or by bare class name for official codes
# that ship as loose files rather than packages.
TABLE: Dict[str, Entry] = {
    # SE family
    "timm.layers.squeeze_excite.SEModule": Entry("se", read_timm_se),
    "timm.models.senet.SEModule": Entry("se", read_legacy_senet_se),
    "timm.models._efficientnet_blocks.SqueezeExcite": Entry("se", read_efficientnet_se),
    "timm.layers.squeeze_excite.EffectiveSEModule": Entry("ese", read_ese),
    "timm.models.hgnet.EseModule": Entry("ese", read_hgnet_ese),
    "timm.layers.squeeze_excite.SqueezeExciteCl": Entry("se"),
    # ECA
    "timm.layers.eca.EcaModule": Entry("eca", read_eca),
    "timm.layers.eca.CecaModule": Entry("ceca", read_ceca),
    # CBAM
    "timm.layers.cbam.CbamModule": Entry("cbam", read_cbam),
    "timm.layers.cbam.LightCbamModule": Entry("lcbam", read_lcbam),
    # Selective Kernel
    "timm.layers.selective_kernel.SelectiveKernel": Entry("sk", read_sk),
    # the rest of timm's create_attn zoo
    "timm.layers.global_context.GlobalContext": Entry("gc", read_gc),
    "timm.layers.split_attn.SplitAttn": Entry("splat", read_splat),
    "timm.layers.gather_excite.GatherExcite": Entry("ge", read_ge),
    "timm.layers.coord_attn.CoordAttn": Entry("coord", read_coord),
    "timm.layers.coord_attn.SimpleCoordAttn": Entry("scoord", read_scoord),
    "timm.layers.coord_attn.EfficientLocalAttn": Entry("ela", read_ela),
    "timm.layers.coord_attn.StripAttn": Entry("strip", read_strip),
    "timm.layers.non_local_attn.NonLocalAttn": Entry("nl", read_nl),
    "timm.layers.non_local_attn.BatNonLocalAttn": Entry("bat", read_bat),
    "timm.layers.bottleneck_attn.BottleneckAttn": Entry("bottleneck", read_bottleneck),
    "timm.layers.halo_attn.HaloAttn": Entry("halo", read_halo),
    "timm.layers.lambda_layer.LambdaLayer": Entry("lambda", read_lambda),
    # official codes (loose files): by class name
    "PAM_Module": Entry("danet_pam", read_danet),
    "CAM_Module": Entry("danet_cam", read_danet),
    "TripletAttention": Entry("triplet", read_triplet),
    "MultiSpectralAttentionLayer": Entry("fca", read_fca),
    "simam_module": Entry("simam", read_simam),
}

# Readers for a kind a user maps a class of their own to (kinds={MyClass: "se"}).
GENERIC_READERS: Dict[str, Callable] = {
    "se": read_generic_se,
    "eca": read_eca,
    "cbam": read_cbam,
    "sk": read_sk,
    "danet_pam": read_danet,
    "danet_cam": read_danet,
    "ese": read_ese,
    "ceca": read_ceca,
    "gc": read_gc,
    "ge": read_ge,
    "coord": read_coord,
    "scoord": read_scoord,
    "lcbam": read_lcbam,
    "splat": read_splat,
    "strip": read_strip,
    "ela": read_ela,
    "triplet": read_triplet,
    "fca": read_fca,
    "simam": read_simam,
}

# A module of no entry whose class name matches this is listed under `skipped` (it looks like
# attention), so the manifest tells what the export left out.
ATTENTION_LIKE = re.compile(
    r"(attn|attention|excit|squeeze|^se(module|layer|block)?$|^eca|cbam|context|selectivekernel|simam"
    r"|coordatt|splat|^bam$|^pam|^cam|psa|emsa|externalattention|scconv|gate$)",
    re.IGNORECASE)


def lookup(cls, user_kinds) -> Tuple[Optional[str], Optional[Entry]]:
    """(how the class was matched, entry) or (None, None)."""
    if cls in user_kinds:
        value = user_kinds[cls]
        if isinstance(value, tuple):
            kind, reader = value
        else:
            kind, reader = value, GENERIC_READERS.get(value, read_nothing)
        return "user", Entry(kind, reader)
    entry = TABLE.get(qualified_name(cls))
    if entry is not None:
        return "class", entry
    entry = TABLE.get(cls.__name__)
    if entry is not None and "." not in cls.__name__:
        return "name", entry
    return None, None


# Network blocks that hold an attention module (SelectiveKernelBasic, SEResNetBottleneck) are not
# one themselves: the module inside is found on its own.
_CONTAINER = re.compile(r"(basic|bottleneck|block|stage|net|features)$", re.IGNORECASE)


def looks_like_attention(cls):
    return bool(ATTENTION_LIKE.search(cls.__name__)) and not _CONTAINER.search(cls.__name__)
