"""export(model, example_input, out_dir): the attention blocks of a model as attn-gen input.

Writes, under out_dir:
- spec.json: {"blocks": [...]}, one block per attention module found, named after its module path,
  with the input shape the forward hooks saw, the hyperparameters read from the module, the output
  shape it gave, and `weights`/`weights_prefix` pointing at its tensors;
- weights.safetensors: every found block's state_dict, keys under its module path (the same keys
  as the whole model's state_dict, so a spec also reads the model's own checkpoint);
- weights.pth (with pth=True): the same tensors as torch.save writes a state_dict, reproducible
  byte for byte (torch's random serialization id replaced by one derived from the contents);
- golden/<name>.safetensors: `input` and `output` float32 tensors the module saw and gave;
- manifest.json: each block's module, name, kind, input and output shape; `skipped`: every
  attention-like module left out, with its class and the reason.
"""

import collections
import hashlib
import io
import json
import os
import re
import zipfile

import torch
import torch.nn as nn
from safetensors.torch import save_file

from .activations import qualified_name
from .catalog import CATALOG_KINDS, Unsupported, looks_like_attention, lookup

WEIGHTS_FILE = "weights.safetensors"
PTH_FILE = "weights.pth"


def block_name(path, used):
    """A C identifier attn-gen accepts, from a module path: `layer1.0.se` → `layer1_0_se`.
    No leading `_`, no `__`, not starting with a digit, unique ignoring case in the file."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "root"
    if name[0].isdigit():
        name = "m" + name
    base, i = name, 2
    while name.lower() in used:
        name = f"{base}_{i}"
        i += 1
    used.add(name.lower())
    return name


def _shape(t):
    return [int(s) for s in t.shape]


def _nchw(shape):
    return {"n": shape[0], "c": shape[1], "h": shape[2], "w": shape[3]}


class _Recorder:
    """Forward hook: the first call's input and output (cloned: later in-place ops such as
    `x += shortcut` would change them), and every call's shapes."""

    def __init__(self):
        self.input = self.output = None
        self.shapes = []
        self.problem = None

    def __call__(self, module, args, output):
        if len(args) != 1 or not torch.is_tensor(args[0]) or not torch.is_tensor(output):
            self.problem = "its forward takes or returns something other than one tensor"
            return
        self.shapes.append((_shape(args[0]), _shape(output)))
        if self.input is None:
            self.input = args[0].detach().to(torch.float32).clone().contiguous()
            self.output = output.detach().to(torch.float32).clone().contiguous()


def find_blocks(model, kinds=None):
    """([(path, module, entry)], [skipped dicts]): the modules the table maps, and the
    attention-like ones it does not. A mapped module's submodules are part of it."""
    kinds = kinds or {}
    found, skipped, inside = [], [], []
    for path, module in model.named_modules():
        if any(path.startswith(p + ".") or p == "" for p in inside):
            continue
        how, entry = lookup(type(module), kinds)
        if entry is not None:
            found.append((path, module, entry))
            inside.append(path)
        elif looks_like_attention(type(module)):
            skipped.append({"module": path, "class": qualified_name(type(module)),
                            "reason": "no entry in attn_gen_torch's class table (catalog.TABLE) for this class"})
    # Attention-like parts of a skipped module are reported with it, not again.
    kept = []
    for s in skipped:
        if not any(s["module"].startswith(o["module"] + ".") for o in skipped if o is not s):
            kept.append(s)
    return found, kept


def save_pth(tensors, path):
    """torch.save of `tensors` as an OrderedDict (what module.state_dict() gives), made
    reproducible: torch writes a random `.data/serialization_id` into every file, which is
    replaced here by digits of the SHA-256 of the file with that member zeroed (same length, its
    CRC-32 fixed in the local and the central header)."""
    torch.save(collections.OrderedDict(tensors), path)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        infos = [i for i in z.infolist() if i.filename.endswith("/.data/serialization_id")]
        if len(infos) != 1:
            return  # an older torch without the id: already reproducible
        info = infos[0]
    name = info.filename.encode()
    local = info.header_offset
    start = local + 30 + int.from_bytes(data[local + 26:local + 28], "little") \
        + int.from_bytes(data[local + 28:local + 30], "little")
    size = info.file_size
    data[start:start + size] = b"0" * size
    digits = str(int.from_bytes(hashlib.sha256(bytes(data)).digest(), "big"))[:size].rjust(size, "0").encode()
    data[start:start + size] = digits
    crc = zipfile.crc32(digits).to_bytes(4, "little")
    data[local + 14:local + 18] = crc
    central = data.rfind(name) - 46
    assert data[central:central + 4] == b"PK\x01\x02" and data[central + 46:central + 46 + len(name)] == name
    data[central + 16:central + 20] = crc
    with open(path, "wb") as f:
        f.write(data)
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, path


@torch.no_grad()
def export(model, example_input, out_dir, kinds=None, pth=False):
    """Exports every attention block of `model` run on `example_input` (one NCHW tensor).

    `kinds` maps classes of your own to a kind: {MyClass: "se"} (the kind's generic reader), or
    {MyClass: ("se", reader)} with reader(module, (n, c, h, w)) → spec fields. `pth` also writes
    the blocks' tensors as a torch.save checkpoint, weights.pth (the spec names the safetensors
    file; `attn-gen --weights weights.pth` reads the other). Returns the manifest (also written to
    out_dir/manifest.json)."""
    model.eval()
    found, skipped = find_blocks(model, kinds)
    recorders, handles = {}, []
    for path, module, entry in found:
        rec = _Recorder()
        recorders[path] = rec
        handles.append(module.register_forward_hook(rec))
    try:
        model(example_input)
    finally:
        for h in handles:
            h.remove()

    os.makedirs(os.path.join(out_dir, "golden"), exist_ok=True)
    used, blocks, tensors, manifest_blocks, goldens = set(), [], {}, [], {}
    for path, module, entry in found:
        rec = recorders[path]
        cls = qualified_name(type(module))

        def skip(reason):
            skipped.append({"module": path, "class": cls, "kind": entry.kind, "reason": reason})

        if entry.kind not in CATALOG_KINDS:
            skip(f"kind {entry.kind} is not in attn-gen's catalog yet")
            continue
        if entry.read is None:
            skip(f"no reader for this class of kind {entry.kind} yet")
            continue
        if rec.problem:
            skip(rec.problem)
            continue
        if not rec.shapes:
            skip("not called in the forward pass on the example input")
            continue
        if any(s != rec.shapes[0] for s in rec.shapes):
            skip(f"called {len(rec.shapes)} times with different shapes {rec.shapes}; a spec has one shape")
            continue
        in_shape, out_shape = rec.shapes[0]
        if len(in_shape) != 4 or len(out_shape) != 4:
            skip(f"input {in_shape} or output {out_shape} is not NCHW")
            continue
        try:
            fields = entry.read(module, tuple(in_shape))
        except Unsupported as e:
            skip(str(e))
            continue
        name = block_name(path, used)
        prefix = path + "." if path else ""
        block = {"name": name, "kind": entry.kind, "input": _nchw(in_shape)}
        block.update(fields)
        block["output"] = _nchw(out_shape)
        state = module.state_dict()
        if state:  # a block without parameters (GE without its MLP) names no file
            block["weights"] = WEIGHTS_FILE
            if prefix:
                block["weights_prefix"] = prefix
        blocks.append(block)
        for key, t in state.items():
            tensors[prefix + key] = t.detach().cpu().clone().contiguous()
        goldens[name] = ({"input": rec.input, "output": rec.output}, {"module": path})
        manifest_blocks.append({"module": path, "name": name, "kind": entry.kind,
                                "input_shape": in_shape, "output_shape": out_shape})

    for name, (pair, meta) in goldens.items():
        save_file(pair, os.path.join(out_dir, "golden", name + ".safetensors"), metadata=meta)
    if tensors:
        save_file(tensors, os.path.join(out_dir, WEIGHTS_FILE))
        if pth:
            save_pth(tensors, os.path.join(out_dir, PTH_FILE))
    _write_json(os.path.join(out_dir, "spec.json"), {"blocks": blocks})
    manifest = {
        "input_shape": _shape(example_input),
        "blocks": manifest_blocks,
        "skipped": sorted(skipped, key=lambda s: s["module"]),
    }
    _write_json(os.path.join(out_dir, "manifest.json"), manifest)
    return manifest


def _write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
