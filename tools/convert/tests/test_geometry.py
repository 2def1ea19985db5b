import unittest

import torch

from marionette_convert.geometry import coordinate_grid, inverse_2x2, keypoint_gaussians


class CoordinateGridTest(unittest.TestCase):
    def test_pixel_centres_span_minus_one_to_one_x_first(self) -> None:
        grid = coordinate_grid(3, 5)
        self.assertEqual(tuple(grid.shape), (3, 5, 2))
        self.assertEqual(grid[0, 0].tolist(), [-1.0, -1.0])
        self.assertEqual(grid[2, 4].tolist(), [1.0, 1.0])
        self.assertEqual(grid[1, 2].tolist(), [0.0, 0.0])
        self.assertEqual(grid[0, 1].tolist(), [-0.5, -1.0])  # x varies along the width

    def test_matches_the_training_codes_float32_arithmetic(self) -> None:
        w = 58
        x = torch.arange(w).float()
        expected = 2 * (x / (w - 1)) - 1
        self.assertTrue(torch.equal(coordinate_grid(2, w)[0, :, 0], expected))


class InverseTest(unittest.TestCase):
    def test_closed_form_matches_torch_inverse(self) -> None:
        g = torch.Generator().manual_seed(0)
        m = torch.eye(2) + 0.5 * torch.randn(4, 7, 2, 2, generator=g)
        self.assertLess((inverse_2x2(m) - torch.inverse(m)).abs().max().item(), 1e-5)
        self.assertLess((torch.matmul(m, inverse_2x2(m)) - torch.eye(2)).abs().max().item(), 1e-5)


class GaussianTest(unittest.TestCase):
    def test_peak_at_keypoint(self) -> None:
        kp = torch.tensor([[[0.0, -1.0]]])  # x centre, y top
        heat = keypoint_gaussians(kp, 5, 5, 0.01)
        self.assertEqual(tuple(heat.shape), (1, 1, 5, 5))
        self.assertEqual(divmod(int(heat.flatten().argmax()), 5), (0, 2))
        self.assertAlmostEqual(heat.max().item(), 1.0, places=6)


if __name__ == "__main__":
    unittest.main()
