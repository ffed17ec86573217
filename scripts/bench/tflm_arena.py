"""Arena use of .tflite models under TFLite Micro's Python interpreter (the tflite-micro wheel),
for `attn-bench --mcu --tflite`: its RecordingMicroAllocator's report (which the C++ side writes to stderr), printed as one JSON line
{"total": B, "head": B, "tail": B} per model given.

head is the planned tensor data (activations, I/O included; independent of the host's pointer
size); tail the persistent part (TfLiteEvalTensor structs, quantisation parameters, node structs,
the kernels' op data and per-channel multipliers), laid out for this 64-bit host, so a 32-bit
MCU needs somewhat less there. Each model is read in a child process of its own, whose stderr holds
the report.
"""
import json
import re
import subprocess
import sys


def report(path):
    from tflite_micro import runtime as tflm

    with open(path, "rb") as f:
        tflm.Interpreter.from_bytes(f.read()).print_allocations()


def arena(path):
    text = subprocess.run(
        [sys.executable, __file__, "--report", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True
    ).stderr
    found = {}
    for key in ("total", "head", "tail"):
        m = re.search(r"Arena allocation %s (\d+) bytes" % key, text)
        if m:
            found[key] = int(m.group(1))
    return found


if len(sys.argv) == 3 and sys.argv[1] == "--report":
    report(sys.argv[2])
else:
    for model_path in sys.argv[1:]:
        print(json.dumps(arena(model_path)), flush=True)
