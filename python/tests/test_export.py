"""The exporter's own tests: python -m unittest discover -s python/tests (torch, safetensors, timm).

They check what the exporter reads from modules (hyperparameters, act/gate functions, skip
reasons), the files it writes (golden pairs equal to re-running each module, state_dict keys
under the module path), and that Tests/Exports/ is what scripts/make_exports.py makes now.
"""

import json
import os
import sys
import tempfile
import unittest

import torch
import torch.nn as nn
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from attn_gen_torch import export, randomize  # noqa: E402
from attn_gen_torch.export import block_name  # noqa: E402

import make_exports  # noqa: E402


def _export(model, x, kinds=None):
    tmp = tempfile.TemporaryDirectory()
    manifest = export(model, x, tmp.name, kinds=kinds)
    with open(os.path.join(tmp.name, "spec.json")) as f:
        spec = json.load(f)
    return tmp, manifest, {b["name"]: b for b in spec["blocks"]}


class ExportMixed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.model = randomize(make_exports.Mixed(), seed=0).eval()
        cls.x = torch.randn(2, 3, 20, 18)
        cls.tmp, cls.manifest, cls.blocks = _export(cls.model, cls.x, {make_exports.UserSE: "se"})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_hyperparameters_are_read_from_the_modules(self):
        sk = self.blocks["sk"]
        self.assertEqual((sk["kernel_size"], sk["stride"], sk["out_channels"], sk["reduced_channels"], sk["keep_3x3"]),
                         ([3, 5], 2, 24, 8, True))
        self.assertEqual((self.blocks["se"]["reduced_channels"], self.blocks["se"]["bias"]), (6, True))
        self.assertEqual(self.blocks["eca"]["kernel_size"], 5)
        cbam = self.blocks["cbam"]
        self.assertEqual((cbam["reduced_channels"], cbam["spatial_kernel_size"], cbam["bias"]), (4, 3, True))
        self.assertEqual((self.blocks["user_se"]["reduced_channels"], self.blocks["user_se"]["bias"]), (6, False))

    def test_shapes_come_from_the_forward_pass(self):
        self.assertEqual(self.blocks["sk"]["input"], {"n": 2, "c": 16, "h": 20, "w": 18})
        self.assertEqual(self.blocks["sk"]["output"], {"n": 2, "c": 24, "h": 10, "w": 9})
        for b in self.manifest["blocks"]:
            self.assertEqual(b["input_shape"], [self.blocks[b["name"]]["input"][k] for k in "nchw"])

    def test_skipped_modules_say_why(self):
        reasons = {s["module"]: s["reason"] for s in self.manifest["skipped"]}
        self.assertEqual(set(reasons), {"gc", "unused"})
        self.assertIn("kind gc is not in attn-gen's catalog yet", reasons["gc"])
        self.assertEqual(self.blocks["silu_se"]["act_layer"], "silu")
        self.assertIn("not called", reasons["unused"])

    def test_golden_pairs_are_what_the_module_computes(self):
        modules = dict(self.model.named_modules())
        for b in self.manifest["blocks"]:
            pair = load_file(os.path.join(self.tmp.name, "golden", b["name"] + ".safetensors"))
            self.assertEqual(list(pair["input"].shape), b["input_shape"])
            with torch.no_grad():
                y = modules[b["module"]](pair["input"].clone())
            torch.testing.assert_close(y, pair["output"], rtol=0, atol=0)

    def test_weights_are_the_state_dicts_under_the_module_path(self):
        weights = load_file(os.path.join(self.tmp.name, "weights.safetensors"))
        sd = self.model.state_dict()
        expected = {k for k in sd if k.split(".")[0] in self.blocks}
        self.assertEqual(set(weights), expected)
        for k in weights:
            self.assertTrue(torch.equal(weights[k], sd[k]), k)
        for name, b in self.blocks.items():
            self.assertEqual(b["weights_prefix"], name + ".")


class ReadersRefuse(unittest.TestCase):
    def test_se_gate_and_act_are_exported_as_fields(self):
        from timm.layers.squeeze_excite import SEModule
        model = nn.Sequential(SEModule(16, gate_layer="hard_sigmoid", act_layer=nn.SiLU))
        tmp, manifest, blocks = _export(model, torch.randn(1, 16, 4, 4))
        self.assertEqual(manifest["skipped"], [])
        self.assertEqual(blocks["m0"]["gate_layer"], "hard_sigmoid")
        self.assertEqual(blocks["m0"]["act_layer"], "silu")
        tmp.cleanup()

    def test_se_with_an_activation_attn_gen_lacks_is_skipped(self):
        from timm.layers.squeeze_excite import SEModule
        model = nn.Sequential(SEModule(16, act_layer=nn.Mish))
        tmp, manifest, blocks = _export(model, torch.randn(1, 16, 4, 4))
        self.assertEqual(blocks, {})
        self.assertIn("does not take mish", manifest["skipped"][0]["reason"])
        tmp.cleanup()

    def test_eca_with_mlp_is_skipped(self):
        from timm.layers.eca import EcaModule
        tmp, manifest, blocks = _export(nn.Sequential(EcaModule(32, use_mlp=True)), torch.randn(1, 32, 4, 4))
        self.assertIn("use_mlp", manifest["skipped"][0]["reason"])
        tmp.cleanup()

    def test_strip_and_ela_fields_are_read_from_the_modules(self):
        from timm.layers.coord_attn import EfficientLocalAttn, StripAttn
        from timm.layers.norm import GroupNorm
        model = nn.Sequential(
            StripAttn(16, kernel_size=5, bias=True, gate_layer="hard_sigmoid", has_skip=True),
            StripAttn(16, use_conv=False, gate_layer="tanh"),
            EfficientLocalAttn(16, kernel_size=3, act_layer=nn.GELU, norm_layer=nn.BatchNorm2d),
            EfficientLocalAttn(16, norm_layer=None, bias=True),
            nn.Conv2d(16, 32, 1),
            EfficientLocalAttn(32, norm_layer=GroupNorm),
            EfficientLocalAttn(32, act_layer=nn.Mish))
        tmp, manifest, blocks = _export(model, torch.randn(1, 16, 5, 7))
        self.assertEqual(blocks["m0"]["kernel_size"], 5)
        self.assertEqual((blocks["m0"]["bias"], blocks["m0"]["gate_layer"], blocks["m0"]["has_skip"]),
                         (True, "hard_sigmoid", True))
        self.assertEqual((blocks["m1"]["use_conv"], blocks["m1"]["gate_layer"]), (False, "tanh"))
        self.assertNotIn("kernel_size", blocks["m1"])
        self.assertEqual((blocks["m2"]["kernel_size"], blocks["m2"]["act_layer"], blocks["m2"]["norm_layer"]),
                         (3, "gelu", "batchnorm"))
        self.assertEqual((blocks["m3"]["norm_layer"], blocks["m3"]["bias"], blocks["m3"]["kernel_size"]), ("none", True, 7))
        self.assertEqual(blocks["m5"]["norm_layer"], "groupnorm")
        self.assertIn("mish", {s["module"]: s["reason"] for s in manifest["skipped"]}["6"])
        tmp.cleanup()

    def test_unknown_attention_classes_are_listed(self):
        class MyAttention(nn.Module):
            def forward(self, x):
                return x

        tmp, manifest, _ = _export(nn.Sequential(MyAttention()), torch.randn(1, 4, 2, 2))
        self.assertEqual(manifest["skipped"][0]["module"], "0")
        self.assertIn("no entry", manifest["skipped"][0]["reason"])
        tmp.cleanup()


class Names(unittest.TestCase):
    def test_module_paths_become_identifiers(self):
        used = set()
        self.assertEqual(block_name("layer1.0.se", used), "layer1_0_se")
        self.assertEqual(block_name("layer1_0.se", used), "layer1_0_se_2")
        self.assertEqual(block_name("0.attn", used), "m0_attn")
        self.assertEqual(block_name("", used), "root")
        self.assertEqual(block_name("a__b", used), "a_b")


class Randomize(unittest.TestCase):
    def test_no_norm_is_the_identity_and_no_parameter_stays_zero(self):
        import timm
        model = randomize(timm.create_model("seresnet18", pretrained=False), seed=1)
        for name, p in model.named_parameters():
            self.assertTrue(bool(p.any()), name)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                self.assertFalse(torch.all(m.running_var == 1))


class CommittedExports(unittest.TestCase):
    def test_tests_exports_are_current(self):
        self.assertEqual(make_exports.main(["--check"]), 0, "run python scripts/make_exports.py")


if __name__ == "__main__":
    unittest.main()
