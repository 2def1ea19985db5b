import unittest

import torch
import torch.nn.functional as F

from marionette_convert.blocks import AntiAliasDownsample, Hourglass, antialias_kernel_size


class AntiAliasTest(unittest.TestCase):
    def test_kernel_sizes_of_the_published_scales(self) -> None:
        self.assertEqual(antialias_kernel_size(0.25), 13)
        self.assertEqual(antialias_kernel_size(0.5), 5)  # round(2.0) = 2

    def test_equals_blur_then_nearest_interpolation(self) -> None:
        # The training code blurred, then F.interpolate(scale_factor=scale) (nearest).
        for scale, size in ((0.25, 64), (0.5, 48)):
            down = AntiAliasDownsample(3, scale)
            x = torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(1))
            blurred = F.conv2d(F.pad(x, (down.pad,) * 4), down.weight, groups=3)
            expected = F.interpolate(blurred, scale_factor=(scale, scale))
            self.assertTrue(torch.allclose(down(x), expected, atol=1e-6), scale)

    def test_kernel_is_a_normalised_gaussian_buffer(self) -> None:
        down = AntiAliasDownsample(3, 0.25)
        self.assertEqual(tuple(down.weight.shape), (3, 1, 13, 13))
        self.assertAlmostEqual(down.weight[0].sum().item(), 1.0, places=5)
        self.assertIn("weight", down.state_dict())

    def test_rejects_scales_that_are_not_one_over_n(self) -> None:
        with self.assertRaises(ValueError):
            AntiAliasDownsample(3, 0.3)


class HourglassTest(unittest.TestCase):
    def test_output_channels_and_key_names(self) -> None:
        hourglass = Hourglass(block_expansion=4, in_features=3, num_blocks=2, max_features=16)
        out = hourglass(torch.rand(1, 3, 16, 16))
        self.assertEqual(tuple(out.shape), (1, hourglass.out_filters, 16, 16))
        self.assertEqual(hourglass.out_filters, 7)
        keys = set(hourglass.state_dict())
        for key in ("encoder.down_blocks.1.conv.weight", "decoder.up_blocks.0.norm.running_var", "encoder.down_blocks.0.norm.num_batches_tracked"):
            self.assertIn(key, keys)


if __name__ == "__main__":
    unittest.main()
