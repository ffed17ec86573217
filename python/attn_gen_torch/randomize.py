"""Random weights that hide no term, for checking an export without a trained checkpoint.

A freshly built network hides parts of its blocks: BatchNorm starts as the identity with zero
mean and unit variance, and timm zero-initialises the last BatchNorm of each residual branch
(so an SE placed after it sees zeros) and some attention parameters (GlobalContext's last conv,
DANet-style gammas). A block checked on such weights would pass with any of those terms wrong.
"""

import torch
import torch.nn as nn

_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm)


@torch.no_grad()
def randomize(model, seed=0):
    """Gives every norm random statistics and affine parameters, and every parameter that is all
    zeros random values (biases N(0, 0.1), weights N(0, 1/fan_in)); other parameters keep their
    initialisation. Returns the model."""
    gen = torch.Generator().manual_seed(seed)

    def fill(t, fn):
        t.copy_(fn(torch.empty(t.shape, dtype=torch.float32)).to(t.dtype))

    done = set()
    for m in model.modules():
        if isinstance(m, _NORMS):
            if getattr(m, "weight", None) is not None:
                fill(m.weight, lambda x: x.uniform_(0.5, 1.5, generator=gen))
                fill(m.bias, lambda x: x.normal_(0.0, 0.1, generator=gen))
                done.update((id(m.weight), id(m.bias)))
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                fill(m.running_mean, lambda x: x.normal_(0.0, 0.1, generator=gen))
                fill(m.running_var, lambda x: x.uniform_(0.5, 2.0, generator=gen))
    for name, p in model.named_parameters():
        if id(p) in done or bool(p.any()):
            continue
        if name.endswith("bias") or p.dim() < 2:
            fill(p, lambda x: x.normal_(0.0, 0.1, generator=gen))
        else:
            fan_in = p[0].numel()
            fill(p, lambda x: x.normal_(0.0, fan_in ** -0.5, generator=gen))
    return model
