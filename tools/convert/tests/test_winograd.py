"""Winograd F(4×4, 3×3) computes the 3×3 convolutions (and residual blocks) it replaces, and exports as intended."""

import unittest
from typing import List

import torch
from torch import nn

from marionette_convert.blocks import ResBlock2d
from marionette_convert.inference_rewrites import rewrite_for_inference
from marionette_convert.testing import TEST_CONFIGS
from marionette_convert.configs import resolve_config
from marionette_convert.testing.random_model import build_random_networks
from marionette_convert.winograd import WinogradConv2d, WinogradResBlock2d

from .test_inference_rewrites import _exported_nodes, _randomise_norm

# Float32 rounding of the transforms: about 1e-6 of the outputs' scale (which is about 1 here).
TOLERANCE = 2e-5


class WinogradConvTest(unittest.TestCase):
    def test_equals_the_direct_convolution_at_any_size(self) -> None:
        rng = torch.Generator().manual_seed(11)
        # Sizes that are multiples of the 4×4 tile, and sizes that are not (padded, then cropped).
        for c_in, c_out, h, w in ((32, 24, 16, 16), (8, 5, 64, 64), (3, 4, 7, 10), (16, 16, 1, 1), (4, 6, 6, 3)):
            conv = nn.Conv2d(c_in, c_out, 3, padding=1)
            x = torch.randn(2, c_in, h, w, generator=rng)
            with torch.no_grad():
                expected = conv(x)
                got = WinogradConv2d(conv)(x)
            self.assertEqual(got.shape, expected.shape)
            self.assertLess((got - expected).abs().max().item(), TOLERANCE, (c_in, c_out, h, w))

    def test_folds_the_batch_norm_that_follows(self) -> None:
        rng = torch.Generator().manual_seed(12)
        conv, norm = nn.Conv2d(16, 8, 3, padding=1), nn.BatchNorm2d(8).eval()
        _randomise_norm(norm, rng)
        x = torch.randn(3, 16, 12, 12, generator=rng)
        with torch.no_grad():
            self.assertLess((WinogradConv2d(conv, norm)(x) - norm(conv(x))).abs().max().item(), TOLERANCE)

    def test_without_bias(self) -> None:
        conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(13))
        with torch.no_grad():
            self.assertLess((WinogradConv2d(conv)(x) - conv(x)).abs().max().item(), TOLERANCE)

    def test_refuses_convolutions_it_has_no_form_for(self) -> None:
        for conv in (
            nn.Conv2d(4, 4, 5, padding=2),
            nn.Conv2d(4, 4, 3, padding=1, stride=2),
            nn.Conv2d(4, 4, 3, padding=0),
            nn.Conv2d(4, 4, 3, padding=1, groups=2),
            nn.Conv2d(4, 4, 3, padding=2, dilation=2),
            nn.Conv2d(4, 4, 3, padding=1, padding_mode="reflect"),
        ):
            with self.assertRaises(ValueError, msg=str(conv)):
                WinogradConv2d(conv)

    def test_exports_one_transform_convolution_two_matmuls_and_one_depth_to_space(self) -> None:
        module = WinogradConv2d(nn.Conv2d(8, 6, 3, padding=1)).eval()
        nodes = _exported_nodes(module, torch.randn(1, 8, 16, 16))
        kinds = _kinds(nodes)
        self.assertEqual(kinds.count("Conv"), 1)
        self.assertEqual(kinds.count("MatMul"), 2)
        self.assertEqual(kinds.count("DepthToSpace"), 1)
        # A size that is a multiple of the tile needs no Pad node, and there is no shape arithmetic at run time.
        for absent in ("Pad", "Shape", "Gather", "Slice"):
            self.assertNotIn(absent, kinds)
        conv = next({a.name: list(a.ints) if a.ints else a.i for a in n.attribute} for n in nodes if n.op_type == "Conv")
        # 36 outputs per group: onnxruntime 1.30's WebGPU provider gets 6 per group wrong in NHWC (see winograd.py).
        self.assertEqual((conv["kernel_shape"], conv["strides"], conv["pads"], conv["group"]), ([6, 6], [4, 4], [1, 1, 1, 1], 8))
        d2s = next(n for n in nodes if n.op_type == "DepthToSpace")
        self.assertEqual({a.name: (a.s if a.name == "mode" else a.i) for a in d2s.attribute}, {"blocksize": 4, "mode": b"DCR"})

    def test_a_size_off_the_tile_grid_pads_then_crops(self) -> None:
        kinds = _kinds(_exported_nodes(WinogradConv2d(nn.Conv2d(4, 4, 3, padding=1)).eval(), torch.randn(1, 4, 7, 10)))
        self.assertEqual(kinds.count("Pad"), 1)
        self.assertIn("Slice", kinds)


class WinogradResBlockTest(unittest.TestCase):
    def test_equals_the_residual_block(self) -> None:
        rng = torch.Generator().manual_seed(14)
        block = ResBlock2d(32).eval()
        _randomise_norm(block.norm1, rng)
        _randomise_norm(block.norm2, rng)
        x = torch.randn(2, 32, 16, 16, generator=rng)
        with torch.no_grad():
            self.assertLess((WinogradResBlock2d(block)(x) - block(x)).abs().max().item(), TOLERANCE)

    def test_rewrite_uses_it_unless_told_not_to(self) -> None:
        _, generator = build_random_networks(resolve_config(TEST_CONFIGS["small"]), seed=5)
        self.assertIn(WinogradResBlock2d, {type(m) for m in rewrite_for_inference(generator).modules()})
        direct = {type(m) for m in rewrite_for_inference(generator, winograd=False).modules()}
        self.assertNotIn(WinogradResBlock2d, direct)
        self.assertIn(ResBlock2d, direct)


def _kinds(nodes: List) -> List[str]:  # type: ignore[type-arg]
    return [n.op_type for n in nodes]


if __name__ == "__main__":
    unittest.main()
