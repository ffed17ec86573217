"""Names of activation modules, told by class: what a state_dict cannot say.

A block's act and gate functions leave no tensor behind, so the exporter reads them from the
module objects. Each name is the function's math, whatever library wrote the class: timm's
`HardSigmoid` and torch's `Hardsigmoid` are both relu6(x + 3) / 6.
"""

import torch.nn as nn

# torch.nn classes, by class object.
_TORCH = {
    nn.ReLU: "relu",
    nn.ReLU6: "relu6",
    nn.Sigmoid: "sigmoid",
    nn.Hardsigmoid: "hard_sigmoid",
    nn.SiLU: "silu",
    nn.Hardswish: "hard_swish",
    nn.Tanh: "tanh",
    nn.Identity: "identity",
    nn.Mish: "mish",
}

# timm's own classes (timm.layers.activations / activations_me), by qualified name so that timm
# stays optional.
_BY_NAME = {
    "timm.layers.activations.Sigmoid": "sigmoid",
    "timm.layers.activations.Tanh": "tanh",
    "timm.layers.activations.Swish": "silu",
    "timm.layers.activations.HardSigmoid": "hard_sigmoid",
    "timm.layers.activations.HardSwish": "hard_swish",
    "timm.layers.activations.Mish": "mish",
    "timm.layers.activations.HardMish": "hard_mish",
    "timm.layers.activations.GELU": "gelu",
    "timm.layers.activations.GELUTanh": "gelu_tanh",
    "timm.layers.activations.QuickGELU": "quick_gelu",
    "timm.layers.activations_me.SwishMe": "silu",
    "timm.layers.activations_me.MishMe": "mish",
    "timm.layers.activations_me.HardSigmoidMe": "hard_sigmoid",
    "timm.layers.activations_me.HardSwishMe": "hard_swish",
    "timm.layers.activations_me.HardMishMe": "hard_mish",
}


def qualified_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def activation_name(module):
    """The function a module applies, e.g. "relu"; None when the class is not known."""
    if module is None:
        return "identity"
    cls = type(module)
    if cls is nn.GELU:
        return "gelu_tanh" if getattr(module, "approximate", "none") == "tanh" else "gelu"
    if cls is nn.LeakyReLU:
        return f"leaky_relu({module.negative_slope})"
    if cls in _TORCH:
        return _TORCH[cls]
    return _BY_NAME.get(qualified_name(cls))


def describe(module):
    """The name, or the class when unknown: for skip reasons."""
    name = activation_name(module)
    return name if name is not None else f"unknown activation class {qualified_name(type(module))}"
