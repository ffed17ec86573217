"""attn-gen-torch: the PyTorch side of attn-gen.

    from attn_gen_torch import export
    manifest = export(model, torch.randn(1, 3, 224, 224), "out")   # out/spec.json, weights, golden/, manifest.json
"""

from .catalog import TABLE, Entry, Unsupported
from .export import export, find_blocks
from .randomize import randomize

__all__ = ["export", "find_blocks", "randomize", "TABLE", "Entry", "Unsupported"]
