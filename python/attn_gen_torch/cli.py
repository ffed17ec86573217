"""attn-gen-torch export --timm NAME [--checkpoint FILE] [--input 1,3,224,224] [--randomize] [--pth] -o DIR"""

import argparse
import json
import sys
import time

import torch

from .export import export
from .randomize import randomize


def _shape(text):
    try:
        dims = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--input {text!r}: expected N,C,H,W integers")
    if len(dims) != 4 or min(dims) < 1:
        raise argparse.ArgumentTypeError(f"--input {text!r}: expected four positive integers N,C,H,W")
    return dims


def load_state_dict(path):
    """A .safetensors file or a torch.save checkpoint (a state_dict, or one under
    "state_dict"/"model"), read without running pickled code."""
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file
        return load_file(path)
    sd = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "state_dict_ema"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict):
            return sd[key]
    return sd


def main(argv=None):
    parser = argparse.ArgumentParser(prog="attn-gen-torch")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="export a model's attention blocks for attn-gen")
    ex.add_argument("--timm", required=True, metavar="NAME", help="timm model name (built without downloading weights)")
    ex.add_argument("--model-args", default="{}", metavar="JSON",
                    help='extra timm.create_model arguments, e.g. \'{"block_args": {"attn_layer": "cbam"}}\'')
    ex.add_argument("--checkpoint", metavar="FILE", help="weights to load: .safetensors or a torch.save .pth")
    ex.add_argument("--input", type=_shape, default=[1, 3, 224, 224], metavar="N,C,H,W")
    ex.add_argument("--randomize", action="store_true",
                    help="random norm statistics and random values for zero-initialised parameters (checking without a checkpoint)")
    ex.add_argument("--seed", type=int, default=0, help="seed for the random init, --randomize and the example input")
    ex.add_argument("--pth", action="store_true",
                    help="also write the blocks' tensors as a torch.save checkpoint, DIR/weights.pth")
    ex.add_argument("-o", "--output", required=True, metavar="DIR")
    args = parser.parse_args(argv)

    try:
        import timm
    except ImportError:
        parser.error("--timm needs timm: pip install './python[timm]'")
    try:
        model_args = json.loads(args.model_args)
    except json.JSONDecodeError as e:
        parser.error(f"--model-args: {e}")
    start = time.perf_counter()
    torch.manual_seed(args.seed)
    try:
        model = timm.create_model(args.timm, pretrained=False, **model_args)
    except Exception as e:  # timm's unknown-model and bad-argument errors
        print(f"error: timm.create_model({args.timm!r}): {e}", file=sys.stderr)
        return 1
    if args.checkpoint:
        missing, unexpected = model.load_state_dict(load_state_dict(args.checkpoint), strict=False)
        if missing or unexpected:
            print(f"error: {args.checkpoint} does not fit {args.timm}: missing {missing[:5]}, unexpected {unexpected[:5]}",
                  file=sys.stderr)
            return 1
    if args.randomize:
        randomize(model, seed=args.seed)
    x = torch.randn(*args.input, generator=torch.Generator().manual_seed(args.seed + 1))
    manifest = export(model, x, args.output, pth=args.pth)
    elapsed = time.perf_counter() - start
    print(f"{args.timm}: {len(manifest['blocks'])} blocks, {len(manifest['skipped'])} skipped "
          f"-> {args.output} ({elapsed:.1f} s)")
    for s in manifest["skipped"]:
        print(f"  skipped {s['module']} ({s['class']}): {s['reason']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
