"""attn-bench's peer timer keeps its standard output for the one JSON object attn-bench parses.

scripts/bench/peers.py runs PyTorch and ONNX Runtime, whose C++ code may write to file descriptor
1 (the TorchScript exporter prints a failed graph there). These run peers.py as attn-bench does,
as a child process, and check that its stdout parses whatever the runtimes print and that a
failing block reports an `error` without hiding the other blocks' numbers.
"""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BENCH = os.path.join(ROOT, "scripts", "bench")


def _run(jobs, prelude=""):
    """peers.main() on `jobs` after `prelude` (Python run in the child before main); its stdout."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {BENCH!r})\n"
        "sys.argv = ['peers.py', '-']\n"
        "import peers\n"
        f"{prelude}\n"
        "peers.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(jobs), capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise AssertionError(f"peers.py exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout, done.stderr


SE = {
    "id": "se 1x8x4x4",
    "spec": {"name": "se", "kind": "se", "input": {"n": 1, "c": 8, "h": 4, "w": 4}},
    "resolved": {"rd": 2, "bias": True},
    "seconds": 0.01,
    "clock": "cpu",
}


class PeersStdout(unittest.TestCase):
    def test_writes_to_descriptor_1_do_not_reach_stdout(self):
        # A stand-in for the runtimes' C++ code: it writes to descriptor 1 directly, below
        # sys.stdout, then reports a time.
        prelude = (
            "import os\n"
            "def noisy(job):\n"
            "    os.write(1, b'graph(%x : Float(1, 8, 4, 4)) dumped by C++\\n')\n"
            "    print('and by Python')\n"
            "    return {'id': job['id'], 'torch_s': 1e-4, 'ort_s': 2e-4, 'error': None}\n"
            "peers.run_job = noisy\n"
        )
        out, err = _run([SE], prelude)
        report = json.loads(out)  # the whole stdout is the one object
        self.assertEqual(report["results"], [{"id": SE["id"], "torch_s": 1e-4, "ort_s": 2e-4, "error": None}])
        self.assertIn("dumped by C++", err)
        self.assertIn("and by Python", err)

    def test_a_failing_block_is_an_error_field_and_the_others_still_run(self):
        broken = dict(SE, id="unknown kind", spec={"name": "b", "kind": "no_such_kind", "input": SE["spec"]["input"]})
        out, _ = _run([broken, SE])
        results = {r["id"]: r for r in json.loads(out)["results"]}
        self.assertIsNone(results["unknown kind"]["torch_s"])
        self.assertTrue(results["unknown kind"]["error"])
        self.assertIsNone(results[SE["id"]]["error"], results[SE["id"]])
        self.assertGreater(results[SE["id"]]["torch_s"], 0)
        self.assertGreater(results[SE["id"]]["ort_s"], 0)


if __name__ == "__main__":
    unittest.main()
