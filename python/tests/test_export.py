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
        self.assertEqual(set(reasons), {"unused"})
        gc = self.blocks["gc"]
        self.assertEqual((gc["kind"], gc["use_attn"], gc["fuse_add"], gc["fuse_scale"], gc["reduced_channels"]),
                         ("gc", True, False, True, 3))
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


class ZooReaders(unittest.TestCase):
    """The readers of the zoo kinds, on make_exports.Zoo (whose export CI checks against PyTorch)."""

    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.model = randomize(make_exports.Zoo(), seed=0).eval()
        cls.tmp, cls.manifest, cls.blocks = _export(cls.model, torch.randn(1, 3, 32, 32))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_module_is_a_block(self):
        self.assertEqual(self.manifest["skipped"], [])
        self.assertEqual(len(self.blocks), 11)

    def test_splat_fields(self):
        s = self.blocks["splat"]
        self.assertEqual((s["out_channels"], s["stride"], s["groups"], s["radix"], s["norm_layer"], s["reduced_channels"]),
                         (24, 2, 2, 2, "batchnorm", 16))
        r1 = self.blocks["splat_r1"]
        self.assertEqual((r1["radix"], r1["groups"], r1["norm_layer"], r1["reduced_channels"], r1["act_layer"]),
                         (1, 2, "none", 8, "silu"))

    def test_other_fields(self):
        b = self.blocks
        self.assertEqual((b["ese"]["add_maxpool"], b["ese"]["gate_layer"]), (True, "sigmoid"))
        self.assertEqual(b["hgnet_ese"]["gate_layer"], "sigmoid")
        self.assertEqual((b["ceca"]["kernel_size"], b["ceca"]["gate_layer"]), (3, "hard_sigmoid"))
        self.assertEqual((b["gc_mean"]["use_attn"], b["gc_mean"]["fuse_scale"], b["gc_mean"]["eps"]), (False, False, 1e-6))
        self.assertEqual((b["ge"]["use_mlp"], b["ge"]["add_maxpool"]), (False, True))
        self.assertEqual((b["coord"]["variant"], b["coord"]["bias"], b["coord"]["act_layer"], b["coord"]["has_skip"]),
                         ("timm", True, "silu", True))
        self.assertEqual((b["scoord"]["bias"], b["scoord"]["act_layer"]), (False, "gelu"))
        self.assertEqual((b["lcbam"]["reduced_channels"], b["lcbam"]["mlp_bias"], b["lcbam"]["spatial_kernel_size"]),
                         (6, True, 3))
        self.assertNotIn("weights", b["ge"])  # no parameters, no file

    def test_a_splat_with_two_activations_is_skipped(self):
        from timm.layers.split_attn import SplitAttn
        m = SplitAttn(16)
        m.act1 = nn.SiLU()
        tmp, manifest, blocks = _export(nn.Sequential(m), torch.randn(1, 16, 4, 4))
        self.assertEqual(blocks, {})
        self.assertIn("act0 and act1 differ", manifest["skipped"][0]["reason"])
        tmp.cleanup()


class PooledGatherExcite(unittest.TestCase):
    """timm's GatherExcite with extent > 0 and no extra parameters: the padded average pool (and
    max), which the ge kind computes."""

    def test_extent_fields_are_read(self):
        from timm.layers.gather_excite import GatherExcite
        model = nn.Sequential(GatherExcite(12, extent=2, use_mlp=False, add_maxpool=True),
                              make_exports.ge_with_mlp(12, 3, extent=4), make_exports.ge_with_mlp(12, 5, extent=8))
        tmp, manifest, blocks = _export(randomize(model, seed=5).eval(), torch.randn(2, 12, 9, 5))
        self.assertEqual(manifest["skipped"], [])
        b = [blocks[f"m{i}"] for i in range(3)]
        self.assertEqual((b[0]["extent"], b[0]["add_maxpool"], b[0]["use_mlp"], b[0]["extra_params"]), (2, True, False, False))
        self.assertEqual((b[1]["extent"], b[1]["add_maxpool"], b[1]["reduced_channels"]), (4, False, 3))
        self.assertEqual((b[2]["extent"], b[2]["reduced_channels"]), (8, 5))
        self.assertNotIn("weights", b[0])
        tmp.cleanup()

    def test_a_pool_that_is_not_timms_is_skipped(self):
        from timm.layers.gather_excite import GatherExcite
        m = GatherExcite(12, extent=2, use_mlp=False)
        m.gk = 5
        tmp, manifest, blocks = _export(nn.Sequential(m), torch.randn(1, 12, 6, 6))
        self.assertEqual(blocks, {})
        self.assertIn("kernel 5 and stride 2", manifest["skipped"][0]["reason"])
        tmp.cleanup()


class OfficialReaders(unittest.TestCase):
    """Triplet Attention, FcaNet and SimAM from their official code, recognised by class name and
    checked by layout; the classes here are make_exports' stand-ins with the official names and
    attributes (Tests/Exports/zoo_official is their export, checked against PyTorch in CI)."""

    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.model = randomize(make_exports.ZooOfficial(), seed=0).eval()
        cls.tmp, cls.manifest, cls.blocks = _export(cls.model, torch.randn(1, 3, 32, 32))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def _skipped(self, module, shape):
        tmp, manifest, blocks = _export(nn.Sequential(module).eval(), torch.randn(*shape))
        tmp.cleanup()
        self.assertEqual(blocks, {})
        return manifest["skipped"][0]["reason"]

    def test_every_module_is_a_block(self):
        self.assertEqual(self.manifest["skipped"], [])
        kinds = {b["name"]: b["kind"] for b in self.manifest["blocks"]}
        self.assertEqual(kinds, {"ge_pool2": "ge", "ge_pool4": "ge", "triplet": "triplet", "triplet_root": "triplet",
                                 "fca": "fca", "simam": "simam"})

    def test_fields(self):
        b = self.blocks
        self.assertEqual((b["triplet"]["no_spatial"], b["triplet_root"]["no_spatial"]), (False, True))
        fca = b["fca"]
        self.assertEqual((fca["dct_h"], fca["dct_w"], fca["reduced_channels"], fca["freq_sel_method"]), (7, 7, 4, "low4"))
        self.assertEqual(b["simam"]["e_lambda"], 0.01)
        self.assertNotIn("weights", b["simam"])
        weights = load_file(os.path.join(self.tmp.name, "weights.safetensors"))
        self.assertIn("triplet.SpatialGate.spatial.conv.weight", weights)
        self.assertIn("triplet_root.hc.conv.bn.running_var", weights)
        self.assertNotIn("triplet_root.hw.conv.conv.weight", weights)
        self.assertIn("fca.dct_layer.weight", weights)

    def test_the_frequency_set_is_read_from_the_filter(self):
        for method, c in (("top16", 32), ("low4", 8), ("top1", 4)):
            m = make_exports.MultiSpectralAttentionLayer(c, 7, 14, 2, method)
            tmp, manifest, blocks = _export(nn.Sequential(m).eval(), torch.randn(1, c, 14, 28))
            # top1 and low1 (and top2, low2) are one filter: the reader names the first ranking.
            self.assertEqual((blocks["m0"]["freq_sel_method"], blocks["m0"]["dct_w"]), (method, 14), method)
            tmp.cleanup()

    def test_fca_refusals(self):
        m = make_exports.MultiSpectralAttentionLayer(16, 7, 7, 4, "top16")
        m.dct_layer.weight.normal_()
        self.assertIn("no freq_sel_method's DCT filter", self._skipped(m, (1, 16, 7, 7)))
        m = make_exports.MultiSpectralAttentionLayer(16, 7, 7, 4, "top16")
        self.assertIn("whole, square windows", self._skipped(m, (1, 16, 10, 7)))
        m.fc[1] = nn.SiLU()
        self.assertIn("relu and sigmoid", self._skipped(m, (1, 16, 7, 7)))

    def test_triplet_refusals(self):
        m = make_exports.TripletAttention(8)
        m.SpatialGate.spatial.relu = nn.ReLU()
        self.assertIn("SpatialGate.spatial applies a ReLU", self._skipped(m, (1, 8, 5, 5)))
        m = make_exports.TripletRoot.TripletAttention()
        m.cw.conv.bn = None
        self.assertIn("cw.conv.bn is missing", self._skipped(m, (1, 8, 5, 5)))
        m = make_exports.TripletAttention(8, no_spatial=True)
        m.ChannelGateW.spatial.conv = nn.Conv2d(2, 1, 5, padding=2, bias=False)
        self.assertIn("not the official 2 → 1 7×7 conv", self._skipped(m, (1, 8, 5, 5)))

        class TripletAttention(nn.Module):  # another library's class of that name
            def forward(self, x):
                return x
        self.assertIn("no boolean no_spatial", self._skipped(TripletAttention(), (1, 8, 5, 5)))

    def test_simam_refusals(self):
        self.assertIn("1×1 plane", self._skipped(make_exports.simam_module(), (2, 8, 1, 1)))
        m = make_exports.simam_module()
        m.activaton = nn.Hardsigmoid()
        self.assertIn("its only child is a Sigmoid", self._skipped(m, (1, 8, 3, 3)))


class Checkpoints(unittest.TestCase):
    def test_pth_is_reproducible_and_holds_the_tensors(self):
        from attn_gen_torch.export import save_pth
        tensors = {"a.weight": torch.randn(3, 4), "b.bias": torch.randn(2)}
        digests = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as d:
                save_pth(tensors, os.path.join(d, "weights.pth"))
                with open(os.path.join(d, "weights.pth"), "rb") as f:
                    digests.append(f.read())
                loaded = torch.load(os.path.join(d, "weights.pth"), weights_only=True)
        self.assertEqual(digests[0], digests[1])
        self.assertEqual(list(loaded), list(tensors))
        for k, v in tensors.items():
            self.assertTrue(torch.equal(loaded[k], v), k)

    def test_cli_reads_a_pth_checkpoint(self):
        """--checkpoint FILE.pth loads the user's torch.save state_dict; the export carries its
        tensors, and --pth writes them back as weights.pth."""
        import timm
        from attn_gen_torch import cli
        torch.manual_seed(3)
        model = randomize(timm.create_model("seresnet18", pretrained=False), seed=3)
        with tempfile.TemporaryDirectory() as d:
            ckpt, out = os.path.join(d, "model.pth"), os.path.join(d, "out")
            torch.save({"state_dict": model.state_dict()}, ckpt)
            self.assertEqual(cli.main(["export", "--timm", "seresnet18", "--checkpoint", ckpt, "--input", "1,3,32,32",
                                       "--pth", "-o", out]), 0)
            sd = model.state_dict()
            weights = load_file(os.path.join(out, "weights.safetensors"))
            pth = torch.load(os.path.join(out, "weights.pth"), weights_only=True)
            self.assertEqual(len(weights), 8 * 4)
            self.assertEqual(set(pth), set(weights))
            for k, v in weights.items():
                self.assertTrue(torch.equal(v, sd[k]) and torch.equal(pth[k], sd[k]), k)


class NonLocal(unittest.TestCase):
    def test_nl_fields_are_read_from_the_module(self):
        from timm.layers.non_local_attn import NonLocalAttn
        model = randomize(nn.Sequential(NonLocalAttn(72), NonLocalAttn(40, use_scale=False, rd_channels=6)), seed=2).eval()
        tmp, manifest, blocks = _export(nn.Sequential(model[0]), torch.randn(2, 72, 5, 3))
        self.assertEqual(manifest["skipped"], [])
        # make_divisible(72/8, 8) = 8 < 0.9·9, bumped to 16 as timm does.
        self.assertEqual((blocks["m0"]["kind"], blocks["m0"]["reduced_channels"], blocks["m0"]["use_scale"]), ("nl", 16, True))
        tmp.cleanup()
        tmp, manifest, blocks = _export(nn.Sequential(model[1]), torch.randn(1, 40, 4, 4))
        self.assertEqual((blocks["m0"]["reduced_channels"], blocks["m0"]["use_scale"]), (6, False))
        tmp.cleanup()

    def test_bat_fields_are_read_from_the_module(self):
        from timm.layers.non_local_attn import BatNonLocalAttn
        model = randomize(nn.Sequential(BatNonLocalAttn(40, block_size=3, groups=4, rd_ratio=0.5, act_layer=nn.SiLU)),
                          seed=3).eval()
        tmp, manifest, blocks = _export(model, torch.randn(1, 40, 9, 6))
        self.assertEqual(manifest["skipped"], [])
        b = blocks["m0"]
        self.assertEqual((b["kind"], b["reduced_channels"], b["block_size"], b["groups"], b["act_layer"]),
                         ("bat", 24, 3, 4, "silu"))
class SelfAttention(unittest.TestCase):
    def test_bottleneck_fields_are_read_from_the_module(self):
        from timm.layers.bottleneck_attn import BottleneckAttn
        model = nn.Sequential(BottleneckAttn(24, dim_out=12, feat_size=(6, 4), stride=2, num_heads=3, qk_ratio=0.5,
                                             qkv_bias=True, scale_pos_embed=True))
        tmp, manifest, blocks = _export(model, torch.randn(1, 24, 6, 4))
        self.assertEqual(manifest["skipped"], [])
        b = blocks["m0"]
        self.assertEqual(b["kind"], "bottleneck")
        self.assertEqual((b["dim_out"], b["feat_size"], b["stride"], b["num_heads"], b["dim_head"]), (12, [6, 4], 2, 3, 2))
        self.assertEqual((b["qkv_bias"], b["scale_pos_embed"]), (True, True))
        self.assertEqual(b["output"], {"n": 1, "c": 12, "h": 3, "w": 2})
        tmp.cleanup()


    def test_lambda_fields_are_read_from_the_module(self):
        from timm.layers.lambda_layer import LambdaLayer
        model = nn.Sequential(LambdaLayer(24, stride=2, num_heads=3, dim_head=6, r=5, qkv_bias=True))
        tmp, manifest, blocks = _export(model, torch.randn(1, 24, 6, 4))
        self.assertEqual(manifest["skipped"], [])
        b = blocks["m0"]
        self.assertEqual((b["kind"], b["dim_out"], b["stride"], b["num_heads"], b["dim_head"], b["r"], b["qkv_bias"]),
                         ("lambda", 24, 2, 3, 6, 5, True))
        tmp.cleanup()

    def test_lambda_with_relative_positions_is_read(self):
        from timm.layers.lambda_layer import LambdaLayer
        model = nn.Sequential(LambdaLayer(16, feat_size=(4, 5), stride=2, num_heads=2, dim_head=4, r=None))
        tmp, manifest, blocks = _export(model, torch.randn(1, 16, 4, 5))
        self.assertEqual(manifest["skipped"], [])
        b = blocks["m0"]
        self.assertEqual((b["kind"], b["dim_out"], b["feat_size"], b["stride"], b["num_heads"], b["dim_head"], b["qkv_bias"]),
                         ("lambda", 16, [4, 5], 2, 2, 4, False))
        self.assertNotIn("r", b)
        weights = load_file(os.path.join(tmp.name, "weights.safetensors"))
        self.assertEqual(list(weights["0.pos_emb"].shape), [7, 9, 4])
        tmp.cleanup()


    def test_halo_fields_are_read_from_the_module(self):
        from timm.layers.halo_attn import HaloAttn
        model = nn.Sequential(HaloAttn(16, dim_out=24, stride=2, num_heads=3, dim_head=5, block_size=4, halo_size=1,
                                       qkv_bias=True, scale_pos_embed=True))
        tmp, manifest, blocks = _export(model, torch.randn(1, 16, 8, 8))
        self.assertEqual(manifest["skipped"], [])
        b = blocks["m0"]
        self.assertEqual((b["kind"], b["dim_out"], b["stride"], b["num_heads"], b["dim_head"], b["block_size"],
                          b["halo_size"], b["qkv_bias"], b["scale_pos_embed"]), ("halo", 24, 2, 3, 5, 4, 1, True, True))
        self.assertNotIn("avg_down", b)
        tmp.cleanup()

    def test_halo_pooling_is_read_from_the_module(self):
        from timm.layers.halo_attn import HaloAttn
        # avg_down with an even block, and an odd block that pools without avg_down.
        model = nn.Sequential(HaloAttn(16, stride=2, num_heads=2, block_size=4, halo_size=2, avg_down=True),
                              HaloAttn(16, stride=2, num_heads=4, block_size=3, halo_size=0, qk_ratio=0.5))
        tmp, manifest, blocks = _export(model, torch.randn(2, 16, 12, 12))
        self.assertEqual(manifest["skipped"], [])
        a, b = blocks["m0"], blocks["m1"]
        self.assertEqual((a["stride"], a["avg_down"], a["block_size"], a["halo_size"], a["dim_head"], a["qkv_bias"]),
                         (2, True, 4, 2, 8, False))
        self.assertEqual((b["input"]["h"], b["stride"], b["block_size"], b["halo_size"], b["dim_head"]), (6, 2, 3, 0, 2))
        self.assertNotIn("avg_down", b)
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
