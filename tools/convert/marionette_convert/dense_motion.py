"""FOMM's dense motion network (paper §3.2, eqs. 4–7).

From the keypoints of the source and driving frames it builds, at a reduced
resolution, K+1 candidate backward warps (identity for the background and, for each
keypoint k, the first-order approximation
    T_k(z) = kp_source_k + J_source_k · J_driving_k⁻¹ · (z − kp_driving_k)),
warps the source image with each, and lets an hourglass choose per pixel between
them (a softmax mask) and predict where the warped source is occluded.
"""

from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasDownsample, Hourglass
from .geometry import coordinate_grid, inverse_2x2, keypoint_gaussians


class DenseMotionNetwork(nn.Module):
    def __init__(
        self,
        block_expansion: int,
        num_blocks: int,
        max_features: int,
        num_kp: int,
        num_channels: int,
        estimate_occlusion_map: bool = False,
        scale_factor: float = 1,
        kp_variance: float = 0.01,
    ) -> None:
        super().__init__()
        self.hourglass = Hourglass(
            block_expansion=block_expansion,
            in_features=(num_kp + 1) * (num_channels + 1),
            max_features=max_features,
            num_blocks=num_blocks,
        )
        self.mask = nn.Conv2d(self.hourglass.out_filters, num_kp + 1, kernel_size=(7, 7), padding=(3, 3))
        self.occlusion: Optional[nn.Conv2d] = None
        if estimate_occlusion_map:
            self.occlusion = nn.Conv2d(self.hourglass.out_filters, 1, kernel_size=(7, 7), padding=(3, 3))
        self.num_kp = num_kp
        self.scale_factor = scale_factor
        self.kp_variance = kp_variance
        if scale_factor != 1:
            self.down = AntiAliasDownsample(num_channels, scale_factor)

    def sparse_motions(
        self,
        height: int,
        width: int,
        kp_source: torch.Tensor,
        jac_source: Optional[torch.Tensor],
        kp_driving: torch.Tensor,
        jac_driving: Optional[torch.Tensor],
    ) -> torch.Tensor:
        """Eq. 4: the K+1 backward warps, [N, K+1, H, W, 2] (background first)."""
        n, k, _ = kp_source.shape
        grid = coordinate_grid(height, width, kp_source.dtype).to(kp_source.device).view(1, 1, height, width, 2)
        offset = grid - kp_driving.view(n, k, 1, 1, 2)
        if jac_source is not None and jac_driving is not None:
            affine = torch.matmul(jac_source, inverse_2x2(jac_driving)).view(n, k, 1, 1, 2, 2)
            offset = torch.matmul(affine, offset.unsqueeze(-1)).squeeze(-1)
        to_source = offset + kp_source.view(n, k, 1, 1, 2)
        background = grid.expand_as(to_source[:, :1])
        return torch.cat([background, to_source], dim=1)

    def heatmaps(self, height: int, width: int, kp_source: torch.Tensor, kp_driving: torch.Tensor) -> torch.Tensor:
        """Eq. 6: gaussian(driving) − gaussian(source) per keypoint, zeros for the background: [N, K+1, H, W]."""
        diff = keypoint_gaussians(kp_driving, height, width, self.kp_variance) - keypoint_gaussians(
            kp_source, height, width, self.kp_variance
        )
        background = torch.zeros_like(diff[:, :1])
        return torch.cat([background, diff], dim=1)

    def forward(
        self,
        source: torch.Tensor,
        kp_source: torch.Tensor,
        jac_source: Optional[torch.Tensor],
        kp_driving: torch.Tensor,
        jac_driving: Optional[torch.Tensor],
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """→ (deformation [N, h, w, 2] for grid_sample, occlusion map [N, 1, h, w] or None)."""
        if self.scale_factor != 1:
            source = self.down(source)
        n, c, h, w = source.shape
        parts = self.num_kp + 1

        heatmaps = self.heatmaps(h, w, kp_source, kp_driving)
        motions = self.sparse_motions(h, w, kp_source, jac_source, kp_driving, jac_driving)

        # Eq. 7: the source warped by each candidate motion.
        repeated = torch.cat([source.unsqueeze(1)] * parts, dim=1).reshape(n * parts, c, h, w)
        warped = F.grid_sample(repeated, motions.reshape(n * parts, h, w, 2), mode="bilinear", padding_mode="zeros", align_corners=True)
        warped = warped.reshape(n, parts, c, h, w)

        features = torch.cat([heatmaps.unsqueeze(2), warped], dim=2).reshape(n, parts * (c + 1), h, w)
        prediction = self.hourglass(features)

        mask = F.softmax(self.mask(prediction), dim=1)
        deformation = (motions * mask.unsqueeze(-1)).sum(dim=1)

        occlusion = None
        if self.occlusion is not None:
            occlusion = torch.sigmoid(self.occlusion(prediction))
        return deformation, occlusion
