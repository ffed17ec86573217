"""PyTorch's own pointwise functions over a sweep of inputs, for the activation ops' tests.

Writes Tests/ActivationFixture/torch_activations.safetensors: float32 `input` (a dense sweep of
[-12, 12], both signs of magnitudes from 1e-30 to 1e30, the float extremes and the points where
each function changes form) and one float32 tensor per function, named as the JSON op (`gelu_tanh`
for GELU(approximate='tanh')), computed by torch.nn.functional on the CPU in float32. Inputs are
finite (an output may overflow to ±inf, as hard_swish's x·6 at the float maximum does, in
PyTorch as in the C); the file is rewritten byte for byte.

    .venv/bin/python scripts/make_activation_fixture.py [OUT.safetensors]
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default; the test builds its op with the same slope


def inputs() -> torch.Tensor:
    dense = np.linspace(-12.0, 12.0, 4801)
    mags = np.logspace(-30, 30, 241)
    edges = [0.0, -0.0, 3.0, -3.0, 6.0, -6.0, 0.625, -0.625, 0.875, -0.875, 3.9375, -3.9375, 9.1, -9.1,
             87.0, -87.0, 89.0, -89.0, 1e-45, -1e-45, 1.17549435e-38, -1.17549435e-38,
             3.4028235e38, -3.4028235e38]
    x = np.concatenate([dense, mags, -mags, np.array(edges)]).astype(np.float32)
    return torch.from_numpy(x)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "Tests/ActivationFixture/torch_activations.safetensors"
    torch.set_num_threads(1)
    x = inputs()
    with torch.no_grad():
        tensors = {
            "input": x,
            "relu": F.relu(x),
            "sigmoid": torch.sigmoid(x),
            "hard_sigmoid": F.hardsigmoid(x),
            "relu6": F.relu6(x),
            "silu": F.silu(x),
            "hard_swish": F.hardswish(x),
            "gelu": F.gelu(x),
            "gelu_tanh": F.gelu(x, approximate="tanh"),
            "tanh": torch.tanh(x),
            "leaky_relu": F.leaky_relu(x, LEAKY_SLOPE),
        }
    for k, v in tensors.items():
        assert v.dtype == torch.float32 and v.shape == x.shape, k
        # x·6 overflows for hard_swish at the float maximum, as in the C: inf, but never NaN.
        assert not torch.isnan(v).any(), f"{k} has a NaN"
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(out))
    print(f"wrote {out}: {x.numel()} inputs, {len(tensors) - 1} functions")


if __name__ == "__main__":
    main()
