"""The inference rewrites compute what the original blocks compute, and the shared source changes nothing."""

import os
import tempfile
import unittest

import torch
from torch import nn

from marionette_convert.blocks import AntiAliasDownsample, UpBlock2d
from marionette_convert.configs import resolve_config
from marionette_convert.export import SOURCE_BATCH, GeneratorForExport, KPDetectorForExport, export_network, generator_io, kp_detector_io
from marionette_convert.inference_rewrites import INTERLEAVES, StridedAntiAliasDownsample, SubpixelUpBlock2d, rewrite_for_inference
from marionette_convert.testing import TEST_CONFIGS
from marionette_convert.testing.random_model import build_random_networks, random_images

TOLERANCE = 1e-5


def _randomise_norm(norm: nn.BatchNorm2d, rng: torch.Generator) -> None:
    with torch.no_grad():
        norm.running_mean.uniform_(-1, 1, generator=rng)
        norm.running_var.uniform_(0.5, 2, generator=rng)
        norm.weight.uniform_(0.5, 1.5, generator=rng)
        norm.bias.uniform_(-0.3, 0.3, generator=rng)


class UpBlockTest(unittest.TestCase):
    def test_subpixel_block_equals_upsample_then_conv(self) -> None:
        rng = torch.Generator().manual_seed(4)
        for interleave in INTERLEAVES:
            for c_in, c_out, h, w in ((8, 5, 7, 9), (3, 16, 1, 1), (12, 4, 6, 2)):
                block = UpBlock2d(c_in, c_out).eval()
                _randomise_norm(block.norm, rng)
                x = torch.randn(2, c_in, h, w, generator=rng)
                with torch.no_grad():
                    expected = block(x)
                    got = SubpixelUpBlock2d(block, interleave)(x)
                self.assertEqual(got.shape, expected.shape)
                self.assertLess((got - expected).abs().max().item(), TOLERANCE, (interleave, c_in, c_out, h, w))

    def test_refuses_kernels_it_has_no_form_for(self) -> None:
        with self.assertRaises(ValueError):
            SubpixelUpBlock2d(UpBlock2d(4, 4, kernel_size=5, padding=2))
        with self.assertRaises(ValueError):
            SubpixelUpBlock2d(UpBlock2d(4, 4), "transposed")

    def test_exported_phases_are_convolutions_with_asymmetric_pads_and_one_pad_op(self) -> None:
        block = SubpixelUpBlock2d(UpBlock2d(6, 4).eval())
        ops = {}
        for interleave in INTERLEAVES:
            block.interleave = interleave
            ops[interleave] = _exported_nodes(block, torch.randn(1, 6, 5, 7))
        for interleave, nodes in ops.items():
            kinds = [n.op_type for n in nodes]
            self.assertEqual(kinds.count("Pad"), 1, interleave)
            pads = sorted(tuple(a.ints) for n in nodes if n.op_type == "Conv" for a in n.attribute if a.name == "pads")
            # [top, left, bottom, right] per phase (a, b): rows and columns padded on the side each phase reaches over;
            # phase (1, 1), padded only after the data, has its own Pad node (an onnxruntime WebGPU bug, see _padded_conv).
            self.assertEqual(pads, sorted([(1, 1, 0, 0), (1, 0, 0, 1), (0, 1, 1, 0), (0, 0, 0, 0)]), interleave)
        d2s = [n for n in ops["depth-to-space"] if n.op_type == "DepthToSpace"]
        self.assertEqual(len(d2s), 1)
        self.assertEqual({a.name: (a.s if a.name == "mode" else a.i) for a in d2s[0].attribute}, {"blocksize": 2, "mode": b"DCR"})
        producers = {o: n.op_type for n in ops["depth-to-space"] for o in n.output}
        self.assertEqual(producers[d2s[0].input[0]], "Concat")
        self.assertNotIn("DepthToSpace", [n.op_type for n in ops["stack"]])


def _exported_nodes(module: nn.Module, x: torch.Tensor) -> list:
    import inspect

    import onnx

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "block.onnx")
        kwargs = {"opset_version": 17, "input_names": ["x"], "output_names": ["y"]}
        if "dynamo" in inspect.signature(torch.onnx.export).parameters:
            kwargs["dynamo"] = False
        torch.onnx.export(module, (x,), path, **kwargs)
        return list(onnx.load(path).graph.node)


class DownsampleTest(unittest.TestCase):
    def test_strided_blur_keeps_the_same_pixels(self) -> None:
        for scale, size in ((0.25, 64), (0.5, 30)):
            down = AntiAliasDownsample(3, scale)
            x = torch.rand(2, 3, size, size + 4, generator=torch.Generator().manual_seed(2))
            self.assertTrue(torch.allclose(StridedAntiAliasDownsample(down)(x), down(x), atol=1e-6), scale)


class NetworksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.config = resolve_config(TEST_CONFIGS["small"])
        cls.kp_detector, cls.generator = build_random_networks(cls.config, seed=5)
        cls.images = random_images(2, cls.config.height, cls.config.width, torch.Generator().manual_seed(6))

    def test_rewrite_replaces_blocks_and_leaves_the_original_alone(self) -> None:
        rewritten = rewrite_for_inference(self.generator)
        kinds = {type(m) for m in rewritten.modules()}
        self.assertIn(SubpixelUpBlock2d, kinds)
        self.assertIn(StridedAntiAliasDownsample, kinds)
        self.assertNotIn(UpBlock2d, kinds)
        self.assertIn(UpBlock2d, {type(m) for m in self.generator.modules()})

    def test_rewritten_networks_give_the_same_outputs(self) -> None:
        with torch.no_grad():
            value, jacobian = self.kp_detector(self.images)
            got_value, got_jacobian = rewrite_for_inference(self.kp_detector)(self.images)
            self.assertLess((got_value - value).abs().max().item(), TOLERANCE)
            self.assertLess((got_jacobian - jacobian).abs().max().item(), TOLERANCE)
            driving = (value.roll(1, 0), jacobian.roll(1, 0))
            expected = self.generator(self.images, value, jacobian, *driving)
            for interleave in INTERLEAVES:
                got = rewrite_for_inference(self.generator, interleave)(self.images, value, jacobian, *driving)
                self.assertLess((got - expected).abs().max().item(), TOLERANCE, interleave)

    def test_shared_source_equals_the_source_repeated(self) -> None:
        exported = GeneratorForExport(rewrite_for_inference(self.generator), use_jacobian=True, shared_source=True).eval()
        source = self.images[:1]
        with torch.no_grad():
            value, jacobian = self.kp_detector(self.images)
            kp_source = (value[:1].expand(2, -1, -1), jacobian[:1].expand(2, -1, -1, -1))
            expected = self.generator(source.expand(2, -1, -1, -1), *kp_source, value, jacobian)
            shared = exported(source, *kp_source, value, jacobian)
            repeated = exported(source.expand(2, -1, -1, -1), *kp_source, value, jacobian)
        self.assertLess((shared - expected).abs().max().item(), TOLERANCE)
        self.assertLess((repeated - expected).abs().max().item(), TOLERANCE)

    def test_shared_source_export_names_its_own_batch(self) -> None:
        inputs, outputs = generator_io(self.config.num_kp, self.config.height, self.config.width, shared_source=True)
        with tempfile.TemporaryDirectory() as d:
            model = export_network(
                GeneratorForExport(rewrite_for_inference(self.generator), True, shared_source=True),
                inputs,
                outputs,
                os.path.join(d, "generator.onnx"),
                "test",
                {},
            )
            kp_inputs, kp_outputs = kp_detector_io(self.config.num_kp, self.config.height, self.config.width)
            detector = KPDetectorForExport(rewrite_for_inference(self.kp_detector))
            export_network(detector, kp_inputs, kp_outputs, os.path.join(d, "kp.onnx"), "kp", {})
        batch = {i.name: i.type.tensor_type.shape.dim[0].dim_param for i in model.graph.input}
        self.assertEqual(batch["source"], SOURCE_BATCH)
        self.assertEqual(batch["kp_driving_value"], "N")
        ops = {n.op_type for n in model.graph.node}
        self.assertIn("Expand", ops)
        self.assertNotIn("Upsample", ops)


if __name__ == "__main__":
    unittest.main()
