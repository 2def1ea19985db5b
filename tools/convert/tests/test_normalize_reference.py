import unittest

import torch

from marionette_convert.testing.normalize_reference import hull_area, normalize_kp


class HullTest(unittest.TestCase):
    def test_areas(self) -> None:
        self.assertAlmostEqual(hull_area([(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)]), 1.0)
        self.assertAlmostEqual(hull_area([(0, 0), (2, 0), (0, 2)]), 2.0)
        self.assertEqual(hull_area([(0, 0), (1, 1), (2, 2)]), 0.0)
        self.assertEqual(hull_area([(0, 0), (1, 1)]), 0.0)


class NormalizeTest(unittest.TestCase):
    def test_relative_motion_with_adapted_scale(self) -> None:
        square = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]])
        eye = torch.eye(2).expand(1, 4, 2, 2)
        source = (square * 0.5, eye)
        initial = (square, eye)
        driving = (square + 0.2, eye * 2)
        value, jacobian, scale = normalize_kp(source, driving, initial, True, True, True)
        self.assertAlmostEqual(scale, 0.5)
        self.assertTrue(torch.allclose(value, square * 0.5 + 0.1))
        self.assertTrue(torch.allclose(jacobian, eye * 2))
        value, jacobian, _ = normalize_kp(source, driving, initial, False, False, False)
        self.assertTrue(torch.equal(value, driving[0]))


if __name__ == "__main__":
    unittest.main()
