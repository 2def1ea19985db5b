"""FOMM's occlusion-aware generator (paper §3.2).

An encoder (7×7 conv, then down blocks) turns the source image into features; the
dense motion network's deformation warps them and its occlusion map dims what the
source cannot show; residual bottleneck blocks and an up-sampling decoder render the
frame, and a final 7×7 conv with a sigmoid gives RGB in 0..1.
"""

from typing import Any, Dict, Optional

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import DownBlock2d, ResBlock2d, SameBlock2d, UpBlock2d
from .dense_motion import DenseMotionNetwork


def resize_bilinear(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Bilinear resize of [N, C, h, w] to height × width with F.interpolate's default align_corners=False
    (as trained, PyTorch ≥ 0.4). Given as scale factors rather than a size so the exported Resize has constant
    scales and a statically known output shape; for the power-of-two ratios of FOMM's configs the sampling
    positions are exactly those of a size-based resize."""
    h, w = int(x.shape[2]), int(x.shape[3])  # fixed by the config: constants in the exported graph
    if (h, w) == (height, width):
        return x
    return F.interpolate(x, scale_factor=(float(height) / h, float(width) / w), mode="bilinear", align_corners=False, recompute_scale_factor=False)


def warp(features: torch.Tensor, deformation: torch.Tensor) -> torch.Tensor:
    """Backward-warps features [N, C, H, W] by a grid [N, h, w, 2] (resized to H×W if it differs)."""
    h, w = int(features.shape[2]), int(features.shape[3])
    if (int(deformation.shape[1]), int(deformation.shape[2])) != (h, w):
        deformation = resize_bilinear(deformation.permute(0, 3, 1, 2), h, w).permute(0, 2, 3, 1)
    # PyTorch 1.0's grid_sample, with which the weights were trained, behaved as align_corners=True.
    return F.grid_sample(features, deformation, mode="bilinear", padding_mode="zeros", align_corners=True)


class OcclusionAwareGenerator(nn.Module):
    def __init__(
        self,
        num_channels: int,
        num_kp: int,
        block_expansion: int,
        max_features: int,
        num_down_blocks: int,
        num_bottleneck_blocks: int,
        estimate_occlusion_map: bool = False,
        dense_motion_params: Optional[Dict[str, Any]] = None,
        estimate_jacobian: bool = False,
    ) -> None:
        super().__init__()
        if dense_motion_params is None:
            raise ValueError("the generator needs dense_motion_params")
        self.dense_motion_network = DenseMotionNetwork(
            num_kp=num_kp, num_channels=num_channels, estimate_occlusion_map=estimate_occlusion_map, **dense_motion_params
        )
        self.first = SameBlock2d(num_channels, block_expansion, kernel_size=7, padding=3)

        def width(level: int) -> int:
            return min(max_features, block_expansion * (2 ** level))

        self.down_blocks = nn.ModuleList(DownBlock2d(width(i), width(i + 1)) for i in range(num_down_blocks))
        self.up_blocks = nn.ModuleList(
            UpBlock2d(width(num_down_blocks - i), width(num_down_blocks - i - 1)) for i in range(num_down_blocks)
        )
        self.bottleneck = nn.Sequential()
        for i in range(num_bottleneck_blocks):
            self.bottleneck.add_module(f"r{i}", ResBlock2d(width(num_down_blocks)))
        self.final = nn.Conv2d(block_expansion, num_channels, kernel_size=(7, 7), padding=(3, 3))
        # estimate_jacobian is accepted because configs pass common_params to both networks;
        # the generator uses jacobians whenever the keypoints carry them.

    def forward(
        self,
        source: torch.Tensor,
        kp_source: torch.Tensor,
        jac_source: Optional[torch.Tensor],
        kp_driving: torch.Tensor,
        jac_driving: Optional[torch.Tensor],
    ) -> torch.Tensor:
        """source [N, C, H, W], keypoints [N, K, 2], jacobians [N, K, 2, 2] or None → frame [N, C, H, W]."""
        return self.render(self.encode(source), source, kp_source, jac_source, kp_driving, jac_driving)

    def encode(self, source: torch.Tensor) -> torch.Tensor:
        """The encoder: source features [N, C', H', W'] (they depend on the source image only)."""
        out = self.first(source)
        for block in self.down_blocks:
            out = block(out)
        return out

    def render(
        self,
        features: torch.Tensor,
        source: torch.Tensor,
        kp_source: torch.Tensor,
        jac_source: Optional[torch.Tensor],
        kp_driving: torch.Tensor,
        jac_driving: Optional[torch.Tensor],
    ) -> torch.Tensor:
        """The source's features warped to the driving pose, dimmed where occluded, and decoded to a frame."""
        deformation, occlusion = self.dense_motion_network(source, kp_source, jac_source, kp_driving, jac_driving)
        out = warp(features, deformation)
        if occlusion is not None:
            out = out * resize_bilinear(occlusion, int(out.shape[2]), int(out.shape[3]))

        out = self.bottleneck(out)
        for block in self.up_blocks:
            out = block(out)
        return torch.sigmoid(self.final(out))
