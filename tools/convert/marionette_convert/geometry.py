"""Coordinate conventions and small tensor geometry shared by the networks.

FOMM's keypoints live on a [-1, 1] grid in which -1 and 1 are the centres of the
first and last pixel (x first, then y): the convention of grid_sample with
align_corners=True, which is how PyTorch 1.0 (the version the official weights were
trained with) sampled.
"""

import numpy as np
import torch


def coordinate_grid(height: int, width: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """[height, width, 2] grid of (x, y) pixel-centre coordinates in [-1, 1].

    Computed in float32 NumPy with the training code's order of operations, so the
    values match it bit for bit; built outside torch, it is a constant when traced.
    """
    x = np.arange(width, dtype=np.float32)
    y = np.arange(height, dtype=np.float32)
    x = np.float32(2) * (x / np.float32(width - 1)) - np.float32(1)
    y = np.float32(2) * (y / np.float32(height - 1)) - np.float32(1)
    grid = np.stack(np.broadcast_arrays(x[None, :], y[:, None]), axis=2)
    return torch.from_numpy(np.ascontiguousarray(grid)).to(dtype)


def keypoint_gaussians(kp_value: torch.Tensor, height: int, width: int, variance: float) -> torch.Tensor:
    """Isotropic gaussians centred on keypoints [N, K, 2] → heatmaps [N, K, height, width]."""
    grid = coordinate_grid(height, width, kp_value.dtype).to(kp_value.device)
    diff = grid.view(1, 1, height, width, 2) - kp_value.unsqueeze(2).unsqueeze(2)
    return torch.exp(-0.5 * (diff ** 2).sum(-1) / variance)


def inverse_2x2(m: torch.Tensor) -> torch.Tensor:
    """Closed-form inverse of [..., 2, 2] matrices: 1/(ad - bc) · [[d, -b], [-c, a]].

    Used instead of torch.inverse, which has no ONNX export; identical in exact
    arithmetic and within float32 rounding of it in practice.
    """
    a = m[..., 0, 0]
    b = m[..., 0, 1]
    c = m[..., 1, 0]
    d = m[..., 1, 1]
    det = a * d - b * c
    row0 = torch.stack([d, -b], dim=-1)
    row1 = torch.stack([-c, a], dim=-1)
    return torch.stack([row0, row1], dim=-2) / det.unsqueeze(-1).unsqueeze(-1)
