"""A PyTorch reference of FOMM's normalize_kp (the official animate.py), for parity tests.

The official code measures the keypoint hulls with scipy's ConvexHull(...).volume,
which for 2-D points is the area; scipy is not a dependency here, so the hull area is
computed below (Andrew's monotone chain and the shoelace formula), in float64 like
scipy.
"""

from typing import List, Sequence, Tuple

import torch

from ..geometry import inverse_2x2


def hull_area(points: Sequence[Sequence[float]]) -> float:
    pts = sorted((float(x), float(y)) for x, y in points)
    if len(pts) < 3:
        return 0.0

    def cross(o: Tuple[float, float], a: Tuple[float, float], b: Tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(sequence: List[Tuple[float, float]]) -> List[Tuple[float, float]]:
        chain: List[Tuple[float, float]] = []
        for p in sequence:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    hull = half(pts)[:-1] + half(list(reversed(pts)))[:-1]
    if len(hull) < 3:
        return 0.0
    twice = sum(hull[i][0] * hull[(i + 1) % len(hull)][1] - hull[(i + 1) % len(hull)][0] * hull[i][1] for i in range(len(hull)))
    return abs(twice) / 2


def normalize_kp(
    kp_source: Tuple[torch.Tensor, torch.Tensor],
    kp_driving: Tuple[torch.Tensor, torch.Tensor],
    kp_driving_initial: Tuple[torch.Tensor, torch.Tensor],
    adapt_movement_scale: bool,
    use_relative_movement: bool,
    use_relative_jacobian: bool,
    use_torch_inverse: bool = True,
) -> Tuple[torch.Tensor, torch.Tensor, float]:
    """(value, jacobian, movement scale) for batched keypoints (value [1,K,2], jacobian [1,K,2,2]), as in animate.py."""
    scale: float = 1.0
    if adapt_movement_scale:
        source_area = hull_area(kp_source[0][0].tolist())
        driving_area = hull_area(kp_driving_initial[0][0].tolist())
        scale = (source_area ** 0.5) / (driving_area ** 0.5)
    value, jacobian = kp_driving
    if use_relative_movement:
        value = (kp_driving[0] - kp_driving_initial[0]) * scale + kp_source[0]
        if use_relative_jacobian:
            invert = torch.inverse if use_torch_inverse else inverse_2x2
            jacobian = torch.matmul(torch.matmul(kp_driving[1], invert(kp_driving_initial[1])), kp_source[1])
    return value, jacobian, scale

