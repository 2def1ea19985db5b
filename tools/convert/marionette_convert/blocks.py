"""Convolutional building blocks of FOMM's networks.

Attribute names (conv, norm, conv1, norm2, down_blocks, up_blocks, encoder, decoder)
are those of the official checkpoints' state_dict keys and must not change.
Normalisation is BatchNorm2d (the official code trained with a synchronised variant
whose state_dict is the same); inference uses the running statistics.
"""

from typing import List

import torch
import torch.nn.functional as F
from torch import nn


def upsample2x(x: torch.Tensor) -> torch.Tensor:
    """Nearest-neighbour 2× upsampling (F.interpolate's default mode, as trained)."""
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


class SameBlock2d(nn.Module):
    """conv → batch norm → ReLU at constant resolution."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size=kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(x)))


class DownBlock2d(nn.Module):
    """conv → batch norm → ReLU → 2×2 average pooling (halves the resolution)."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size=kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)
        self.pool = nn.AvgPool2d(kernel_size=(2, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(F.relu(self.norm(self.conv(x))))


class UpBlock2d(nn.Module):
    """nearest 2× upsampling → conv → batch norm → ReLU (doubles the resolution)."""

    def __init__(self, in_features: int, out_features: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_features, out_features, kernel_size=kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(upsample2x(x))))


class ResBlock2d(nn.Module):
    """Pre-activation residual block: x + conv2(relu(norm2(conv1(relu(norm1(x))))))."""

    def __init__(self, features: int, kernel_size: int = 3, padding: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, kernel_size=kernel_size, padding=padding)
        self.conv2 = nn.Conv2d(features, features, kernel_size=kernel_size, padding=padding)
        self.norm1 = nn.BatchNorm2d(features, affine=True)
        self.norm2 = nn.BatchNorm2d(features, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x)))
        out = self.conv2(F.relu(self.norm2(out)))
        return out + x


def hourglass_width(block_expansion: int, level: int, max_features: int) -> int:
    """Channels after `level` down blocks of an hourglass (level ≥ 1)."""
    return min(max_features, block_expansion * (2 ** level))


class HourglassEncoder(nn.Module):
    """num_blocks down blocks; returns the input and every block's output (the skips)."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int, max_features: int) -> None:
        super().__init__()
        blocks = []
        for i in range(num_blocks):
            c_in = in_features if i == 0 else hourglass_width(block_expansion, i, max_features)
            blocks.append(DownBlock2d(c_in, hourglass_width(block_expansion, i + 1, max_features)))
        self.down_blocks = nn.ModuleList(blocks)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        outs = [x]
        for block in self.down_blocks:
            outs.append(block(outs[-1]))
        return outs


class HourglassDecoder(nn.Module):
    """num_blocks up blocks, each followed by concatenation with the matching encoder skip."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int, max_features: int) -> None:
        super().__init__()
        blocks = []
        for i in reversed(range(num_blocks)):
            skip_factor = 1 if i == num_blocks - 1 else 2
            c_in = skip_factor * hourglass_width(block_expansion, i + 1, max_features)
            c_out = min(max_features, block_expansion * (2 ** i))
            blocks.append(UpBlock2d(c_in, c_out))
        self.up_blocks = nn.ModuleList(blocks)
        self.out_filters = block_expansion + in_features

    def forward(self, skips: List[torch.Tensor]) -> torch.Tensor:
        out = skips[-1]
        for i, block in enumerate(self.up_blocks):
            out = block(out)
            out = torch.cat([out, skips[-2 - i]], dim=1)
        return out


class Hourglass(nn.Module):
    """U-Net style encoder-decoder; the output has block_expansion + in_features channels."""

    def __init__(self, block_expansion: int, in_features: int, num_blocks: int = 3, max_features: int = 256) -> None:
        super().__init__()
        self.encoder = HourglassEncoder(block_expansion, in_features, num_blocks, max_features)
        self.decoder = HourglassDecoder(block_expansion, in_features, num_blocks, max_features)
        self.out_filters = self.decoder.out_filters

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def antialias_kernel_size(scale: float) -> int:
    """Gaussian kernel size for downsampling by `scale` (σ = (1/scale − 1)/2, radius round(4σ))."""
    sigma = (1 / scale - 1) / 2
    # Python's round (half to even), as in the training code: the size fixes the buffer's shape.
    return 2 * round(sigma * 4) + 1


class AntiAliasDownsample(nn.Module):
    """Band-limited downsampling by 1/n: depthwise gaussian blur, then every n-th pixel.

    The blur kernel is a buffer named `weight`, stored in the official checkpoints.
    """

    def __init__(self, channels: int, scale: float) -> None:
        super().__init__()
        step = round(1 / scale)
        if scale <= 0 or scale >= 1 or abs(1 / scale - step) > 1e-6:
            raise ValueError(f"scale_factor must be 1/n for an integer n > 1, not {scale}")
        sigma = (1 / scale - 1) / 2
        size = antialias_kernel_size(scale)
        coords = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
        profile = torch.exp(-(coords ** 2) / (2 * sigma ** 2))
        kernel = profile.view(size, 1) * profile.view(1, size)
        kernel = kernel / kernel.sum()
        self.register_buffer("weight", kernel.view(1, 1, size, size).repeat(channels, 1, 1, 1))
        self.channels = channels
        self.pad = size // 2
        self.step = step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Zero padding by the kernel's radius keeps the size (the conv's own padding exports statically).
        out = F.conv2d(x, weight=self.weight, padding=self.pad, groups=self.channels)
        # Nearest downsampling by an integer factor keeps pixels 0, n, 2n, …
        return out[:, :, :: self.step, :: self.step]
