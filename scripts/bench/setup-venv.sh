#!/usr/bin/env bash
# Creates the Python environment attn-bench's peer columns need (PyTorch, timm, onnx,
# onnxruntime; tflite-micro and ai-edge-litert for the int8 fixtures; pinned in scripts/requirements-fixtures.txt), unless it already exists.
# Usage: scripts/bench/setup-venv.sh [VENV_DIR]   (default: $ATTN_BENCH_VENV, else .venv in the repo, git-ignored)
# attn-bench then finds VENV_DIR/bin/python through ATTN_BENCH_PYTHON, or the repo's .venv by default.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-${ATTN_BENCH_VENV:-$here/../../.venv}}"
python="$venv/bin/python"

if [ -x "$python" ] && "$python" -c "import torch, timm, onnx, onnxruntime, tflite_micro, ai_edge_litert" 2>/dev/null; then
    echo "$python is ready" >&2
    exit 0
fi

if [ ! -x "$python" ]; then
    echo "creating $venv" >&2
    python3 -m venv "$venv"
fi
# torch from PyPI is the CUDA build on Linux x86_64 (large, but runs on CPU-only machines).
"$python" -m pip install --quiet -r "$here/../requirements-fixtures.txt"
"$python" -c "import torch, timm, onnx, onnxruntime, tflite_micro, ai_edge_litert" && echo "$python is ready" >&2
echo "run the bench with: ATTN_BENCH_PYTHON=$python swift run -c release attn-bench" >&2
