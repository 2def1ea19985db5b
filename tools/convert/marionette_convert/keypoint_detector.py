"""FOMM's keypoint detector (paper §3.1, "Keypoint detector").

An hourglass predicts one heatmap per keypoint; a softmax with temperature turns each
into a distribution whose mean (a soft-argmax) is the keypoint. A second head
predicts four maps per keypoint (or one set shared by all, single_jacobian_map),
averaged under the keypoint's distribution into the 2×2 jacobian of the local
affine motion.
"""

from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasDownsample, Hourglass
from .geometry import coordinate_grid


class KPDetector(nn.Module):
    def __init__(
        self,
        block_expansion: int,
        num_kp: int,
        num_channels: int,
        max_features: int,
        num_blocks: int,
        temperature: float,
        estimate_jacobian: bool = False,
        scale_factor: float = 1,
        single_jacobian_map: bool = False,
        pad: int = 0,
    ) -> None:
        super().__init__()
        self.predictor = Hourglass(block_expansion, in_features=num_channels, max_features=max_features, num_blocks=num_blocks)
        self.kp = nn.Conv2d(self.predictor.out_filters, num_kp, kernel_size=(7, 7), padding=pad)
        self.num_kp = num_kp
        self.num_jacobian_maps = 0
        self.jacobian: Optional[nn.Conv2d] = None
        if estimate_jacobian:
            self.num_jacobian_maps = 1 if single_jacobian_map else num_kp
            self.jacobian = nn.Conv2d(self.predictor.out_filters, 4 * self.num_jacobian_maps, kernel_size=(7, 7), padding=pad)
            # The training code's initialisation: identity jacobians everywhere.
            with torch.no_grad():
                self.jacobian.weight.zero_()
                self.jacobian.bias.copy_(torch.tensor([1.0, 0.0, 0.0, 1.0] * self.num_jacobian_maps))
        self.temperature = temperature
        self.scale_factor = scale_factor
        if scale_factor != 1:
            self.down = AntiAliasDownsample(num_channels, scale_factor)

    def forward(self, image: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """image [N, C, H, W] in 0..1 → (value [N, K, 2] in −1..1, jacobian [N, K, 2, 2] or None)."""
        if self.scale_factor != 1:
            image = self.down(image)
        features = self.predictor(image)
        logits = self.kp(features)
        n, k, h, w = logits.shape
        heatmap = F.softmax(logits.reshape(n, k, h * w) / self.temperature, dim=2).reshape(n, k, h, w)

        grid = coordinate_grid(h, w, heatmap.dtype).to(heatmap.device)
        value = (heatmap.unsqueeze(-1) * grid.view(1, 1, h, w, 2)).sum(dim=(2, 3))

        if self.jacobian is None:
            return value, None
        maps = self.jacobian(features).reshape(n, self.num_jacobian_maps, 4, h, w)
        jacobian = (heatmap.unsqueeze(2) * maps).reshape(n, k, 4, h * w).sum(dim=-1)
        return value, jacobian.reshape(n, k, 2, 2)
