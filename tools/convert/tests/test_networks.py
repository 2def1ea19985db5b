"""State-dict layout of the networks under the published vox config (the keys official checkpoints hold)."""

import unittest

import torch

from marionette_convert.configs import resolve_config
from marionette_convert.generator import OcclusionAwareGenerator
from marionette_convert.keypoint_detector import KPDetector


class VoxLayoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        config = resolve_config("vox")
        cls.kp = KPDetector(**config.kp_detector_kwargs()).state_dict()
        cls.gen = OcclusionAwareGenerator(**config.generator_kwargs()).state_dict()

    def test_keypoint_detector_keys_and_shapes(self) -> None:
        self.assertEqual(tuple(self.kp["down.weight"].shape), (3, 1, 13, 13))
        self.assertEqual(tuple(self.kp["predictor.encoder.down_blocks.0.conv.weight"].shape), (64, 3, 3, 3))
        self.assertEqual(tuple(self.kp["predictor.encoder.down_blocks.4.conv.weight"].shape), (1024, 512, 3, 3))
        self.assertEqual(tuple(self.kp["predictor.decoder.up_blocks.0.conv.weight"].shape), (512, 1024, 3, 3))
        self.assertEqual(tuple(self.kp["predictor.decoder.up_blocks.4.conv.weight"].shape), (32, 128, 3, 3))
        self.assertEqual(tuple(self.kp["kp.weight"].shape), (10, 35, 7, 7))
        self.assertEqual(tuple(self.kp["jacobian.weight"].shape), (40, 35, 7, 7))
        # the blur buffer, kp and jacobian heads, and 10 hourglass blocks of conv (2) + batch norm (5)
        self.assertEqual(len(self.kp), 1 + 2 + 2 + 10 * 7)

    def test_generator_keys_and_shapes(self) -> None:
        gen = self.gen
        self.assertEqual(tuple(gen["dense_motion_network.down.weight"].shape), (3, 1, 13, 13))
        self.assertEqual(tuple(gen["dense_motion_network.hourglass.encoder.down_blocks.0.conv.weight"].shape), (128, 44, 3, 3))
        self.assertEqual(tuple(gen["dense_motion_network.mask.weight"].shape), (11, 108, 7, 7))
        self.assertEqual(tuple(gen["dense_motion_network.occlusion.weight"].shape), (1, 108, 7, 7))
        self.assertEqual(tuple(gen["first.conv.weight"].shape), (64, 3, 7, 7))
        self.assertEqual(tuple(gen["down_blocks.1.conv.weight"].shape), (256, 128, 3, 3))
        self.assertEqual(tuple(gen["bottleneck.r5.conv2.weight"].shape), (256, 256, 3, 3))
        self.assertIn("bottleneck.r0.norm1.running_mean", gen)
        self.assertEqual(tuple(gen["up_blocks.0.conv.weight"].shape), (128, 256, 3, 3))
        self.assertEqual(tuple(gen["final.weight"].shape), (3, 64, 7, 7))

    def test_mgif_shares_one_jacobian_map(self) -> None:
        config = resolve_config("mgif")
        kp = KPDetector(**config.kp_detector_kwargs())
        self.assertEqual(tuple(kp.state_dict()["jacobian.weight"].shape), (4, 35, 7, 7))

    def test_untrained_detector_gives_identity_jacobians(self) -> None:
        config = resolve_config("vox")
        kp = KPDetector(**config.kp_detector_kwargs()).eval()
        with torch.no_grad():
            value, jacobian = kp(torch.rand(1, 3, 256, 256))
        self.assertEqual(tuple(value.shape), (1, 10, 2))
        self.assertTrue(torch.allclose(jacobian, torch.eye(2).expand(1, 10, 2, 2), atol=1e-5))


if __name__ == "__main__":
    unittest.main()
