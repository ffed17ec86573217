#!/usr/bin/env python3
"""Write the torch.save (.pth) fixtures under Tests/Fixtures/pth/ and the hostile .pth cases
under Tests/Hostile/parsing/pth_*.json.

Run by hand (never in CI), after scripts/make_fixtures.py:

    .venv/bin/python scripts/make_pth_fixtures.py

The tensors come from the committed SE, ECA and CBAM fixtures (Tests/Fixtures/<case>/
weights.safetensors), so a block read from a .pth here must give exactly the parameters and C it
gets from the matching safetensors file:

  <case>.pth                 the state dict as torch.save writes it (an OrderedDict with
                             _metadata, as module.state_dict() returns)
  se_<dtype>.pth/.safetensors  SE in float16, bfloat16 and float64, both formats
  se_transposed.pth          fc1.weight a transposed (non-contiguous) view of another storage
  se_shared.pth              fc1.bias and fc2.bias two views of one storage
  cbam_nested.pth            a training checkpoint: {"epoch", "arch", "state_dict"} with
                             DataParallel's "module." in front of every key

The hostile cases are files torch never writes or this reader refuses: a pickle that names
os.system, the legacy (pre-1.6) format, a whole pickled module, big-endian data, a compressed
member, a storage shorter than its tensor, and a view past its storage.
"""

import base64
import collections
import io
import json
import os
import struct
import zipfile

import torch
from safetensors.torch import load_file, save_file

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO_ROOT, "Tests", "Fixtures")
OUT = os.path.join(FIXTURES, "pth")
HOSTILE = os.path.join(REPO_ROOT, "Tests", "Hostile", "parsing")


def state_dict(tensors):
    """An OrderedDict carrying _metadata, as nn.Module.state_dict() returns it."""
    sd = collections.OrderedDict(tensors)
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


def fixture(name):
    return load_file(os.path.join(FIXTURES, name, "weights.safetensors"))


def save_pth(obj, name, **kwargs):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    return path


def check_same(path, tensors):
    """The file loads back in torch to exactly these tensors."""
    loaded = torch.load(path, weights_only=True)
    if "state_dict" in loaded:
        loaded = {k.removeprefix("module."): v for k, v in loaded["state_dict"].items()}
    assert sorted(loaded) == sorted(tensors), path
    for k, v in tensors.items():
        assert loaded[k].dtype == v.dtype and torch.equal(loaded[k], v), (path, k)


def fixtures():
    os.makedirs(OUT, exist_ok=True)
    for name in ["se_timm_c64", "eca_timm_k3_c32", "cbam_timm_c64_k7"]:
        t = fixture(name)
        check_same(save_pth(state_dict(t), name + ".pth"), t)

    se = fixture("se_timm_c64")
    for dtype, tag in [(torch.float16, "f16"), (torch.bfloat16, "bf16"), (torch.float64, "f64")]:
        cast = {k: v.to(dtype) for k, v in se.items()}
        check_same(save_pth(state_dict(cast), f"se_{tag}.pth"), cast)
        save_file(cast, os.path.join(OUT, f"se_{tag}.safetensors"))

    # fc1.weight [8, 64, 1, 1] as the transpose of a contiguous [64, 8] storage.
    w = se["fc1.weight"]
    base = w.reshape(8, 64).t().contiguous()
    view = base.t().unsqueeze(-1).unsqueeze(-1)
    assert not view.is_contiguous() and torch.equal(view, w)
    transposed = dict(se, **{"fc1.weight": view})
    check_same(save_pth(state_dict(transposed), "se_transposed.pth"), se)

    # The two biases as views of one storage (the second at a storage offset).
    both = torch.cat([se["fc1.bias"], se["fc2.bias"]])
    shared = dict(se, **{"fc1.bias": both[:8], "fc2.bias": both[8:]})
    assert shared["fc2.bias"].untyped_storage().data_ptr() == shared["fc1.bias"].untyped_storage().data_ptr()
    check_same(save_pth(state_dict(shared), "se_shared.pth"), se)

    cbam = fixture("cbam_timm_c64_k7")
    nested = {"epoch": 7, "arch": "resnet18_cbam", "best": 0.5,
              "state_dict": state_dict({"module." + k: v for k, v in cbam.items()})}
    check_same(save_pth(nested, "cbam_nested.pth"), cbam)


# ---------------------------------------------------------------------------
# Hostile files. Pickles are written opcode by opcode: they are what an attacker would write,
# not what a pickler would.
# ---------------------------------------------------------------------------

def pickle_bytes(*parts):
    return b"\x80\x02" + b"".join(parts) + b"."


def unicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def tensor_pickle(name, storage_count, offset, size, stride):
    """{name: _rebuild_tensor_v2(storage '0' of storage_count floats, offset, size, stride)}."""
    ints = lambda xs: b"(" + b"".join(b"J" + struct.pack("<i", x) for x in xs) + b"t"
    storage = b"((" + unicode("storage") + b"ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") \
        + b"J" + struct.pack("<i", storage_count) + b"tQ"
    rebuild = b"ctorch._utils\n_rebuild_tensor_v2\n" + storage + b"J" + struct.pack("<i", offset) \
        + ints(size) + ints(stride) + b"\x89ccollections\nOrderedDict\n)Rt" + b"R"
    return pickle_bytes(b"}(" + unicode(name) + rebuild + b"u")


def archive(members, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members + [("byteorder", b"little"), ("version", b"3\n")]:
            z.writestr(zipfile.ZipInfo("archive/" + name), data, compress_type=compression)
    return buf.getvalue()


def hostile_cases():
    se = fixture("se_timm_c64")
    eca = fixture("eca_timm_k3_c32")
    eca_weight = eca["conv.weight"].numpy().tobytes()

    def saved(obj, **kwargs):
        buf = io.BytesIO()
        torch.save(obj, buf, **kwargs)
        return buf.getvalue()

    def legacy(tensors):
        """The legacy format, with the storage keys (memory addresses there) made fixed."""
        data = saved(state_dict(tensors), _use_new_zipfile_serialization=False)
        for t in tensors.values():
            key = str(t.untyped_storage()._cdata).encode()
            assert key in data
            data = data.replace(key, b"7" * len(key))
        return data

    def seeded(make):
        torch.manual_seed(0)
        return make()

    def rewrite(data, change):
        """The archive with member bytes changed by change(name, bytes) (None drops a member)."""
        src = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            for info in src.infolist():
                new = change(info.filename, src.read(info.filename))
                if new is not None:
                    z.writestr(zipfile.ZipInfo(info.filename), new)  # 1980 timestamps: reruns give the same bytes
        return buf.getvalue()

    os_system = archive([("data.pkl", pickle_bytes(
        b"cos\nsystem\n" + unicode("touch pwned") + b"\x85R"))])

    cases = {
        "pth_names_os_system": (
            "a pickle whose one callable is os.system must be refused by name, never run",
            os_system, ["os.system", "allow-list"]),
        "pth_legacy_format": (
            "torch's pre-1.6 format is a bare pickle stream; it is refused with the reason",
            legacy(eca), ["legacy format"]),
        "pth_whole_module": (
            "torch.save(model) pickles the module's class, which is refused: a state dict is needed",
            saved(seeded(lambda: torch.nn.Conv1d(1, 1, 3, bias=False))), ["torch.nn.modules.conv.Conv1d", "is not on the allow-list", "state_dict()"]),
        "pth_big_endian": (
            "a checkpoint written on a big-endian machine would be misread as little-endian",
            rewrite(saved(state_dict(eca)), lambda n, b: b"big" if n.endswith("/byteorder") else b),
            ["byte order", "big"]),
        "pth_compressed_member": (
            "a checkpoint rewritten by a zip tool with deflate is refused: torch stores members",
            archive([("data.pkl", tensor_pickle("conv.weight", 3, 0, [1, 1, 3], [3, 3, 1])),
                     ("data/0", eca_weight)], zipfile.ZIP_DEFLATED),
            ["compressed"]),
        "pth_storage_too_short": (
            "a storage member shorter than the element count its pickle claims",
            archive([("data.pkl", tensor_pickle("conv.weight", 3, 0, [1, 1, 3], [3, 3, 1])),
                     ("data/0", eca_weight[:8])]),
            ["conv.weight", "storage", "not 3 elements"]),
        "pth_view_past_storage": (
            "a view whose offset and strides read past the end of its storage",
            archive([("data.pkl", tensor_pickle("conv.weight", 3, 2, [1, 1, 3], [3, 3, 1])),
                     ("data/0", eca_weight)]),
            ["conv.weight", "reads element 4 of a 3-element storage"]),
        "pth_missing_storage": (
            "a tensor whose storage member is not in the archive",
            archive([("data.pkl", tensor_pickle("conv.weight", 3, 0, [1, 1, 3], [3, 3, 1]))]),
            ["conv.weight", "archive/data/0", "not in the archive"]),
    }
    for name, (why, data, fragments) in cases.items():
        case = {
            "why": why,
            "files": {
                "spec.json": {"json": {"name": "blk", "kind": "eca", "input": {"c": 32, "h": 4, "w": 4},
                                       "weights": "w.pth"}},
                "w.pth": {"base64": base64.b64encode(data).decode()},
            },
            "error": fragments,
        }
        with open(os.path.join(HOSTILE, name + ".json"), "w") as f:
            json.dump(case, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(OUT, name + ".pth"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    fixtures()
    hostile_cases()
    print("wrote", OUT, "and", HOSTILE + "/pth_*.json")
