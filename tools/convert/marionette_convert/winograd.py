"""Winograd's minimal filtering F(4×4, 3×3) for the generator's residual blocks.

The generator's bottleneck (six residual blocks, twelve 3×3 convolutions of 256
channels at a quarter of the frame's resolution) is about three quarters of its
arithmetic per frame. Winograd's algorithm (Lavin & Gray, "Fast Algorithms for
Convolutional Neural Networks", 2016) computes a 4×4 tile of a 3×3 convolution's output
from a 6×6 tile of input with 36 multiplications per input/output channel pair instead
of 144: 4× fewer, the rest being cheap per-channel transforms. Exact in exact
arithmetic; in float32 it adds rounding of about 1e-6 of the activations' scale (the
converter's tests compare with PyTorch).

In ONNX, with only operators that the CPU and WebGPU providers both run:

- the input transform Bᵀ·d·B of every overlapping 6×6 tile (stride 4) is one grouped
  convolution with 36 fixed 6×6 kernels per channel: [N, C, H, W] → [N, C·36, H/4, W/4].
  (Two separable ones, 6×1 then 1×6, would be a little cheaper on the CPU, but
  onnxruntime 1.30's WebGPU provider computes a grouped convolution with 6 outputs per
  group wrong in its NHWC layout; 36 per group is right: tests/engine/webgpu.test.ts);
- a Transpose makes it [N, 36, C, T] (T tiles), and one MatMul with the transformed
  weights G·g·Gᵀ, [36, O, C], gives [N, 36, O, T]: 36 matrix products of O×C by C×T,
  where nearly all of the work is;
- the output transform Aᵀ·M·A is a MatMul by a fixed [16, 36] matrix, then one
  DepthToSpace (DCR) lays the 4×4 tiles out as pixels; then the bias.

A batch norm that follows the convolution is folded into its weights and bias (in
float64, as in inference_rewrites). Only the batch size may vary at run time.
"""

import copy
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import ResBlock2d
from .rewrite_ops import depth_to_space_dcr, fold_batch_norm

TILE = 4  # output pixels per tile side (m)
SPAN = TILE + 2  # input pixels per tile side (α = m + r − 1 for a 3×3 kernel)

# Lavin & Gray's F(4, 3) matrices (interpolation points 0, ±1, ±2, ∞), in float64.
_BT = torch.tensor(
    [
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ],
    dtype=torch.float64,
)
_G = torch.tensor(
    [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ],
    dtype=torch.float64,
)
_AT = torch.tensor(
    [
        [1, 1, 1, 1, 1, 0],
        [0, 1, -1, 2, -2, 0],
        [0, 1, 1, 4, 4, 0],
        [0, 1, -1, 8, -8, 1],
    ],
    dtype=torch.float64,
)


class WinogradConv2d(nn.Module):
    """A 3×3 convolution with stride 1 and padding 1 (and the batch norm after it, if given) computed as F(4×4, 3×3)."""

    def __init__(self, conv: nn.Conv2d, norm: Optional[nn.BatchNorm2d] = None) -> None:
        super().__init__()
        if conv.kernel_size != (3, 3) or conv.padding != (1, 1) or conv.stride != (1, 1) or conv.groups != 1 or conv.dilation != (1, 1):
            raise ValueError("only 3×3 convolutions with stride 1, padding 1, no groups and no dilation have a Winograd form here")
        if conv.padding_mode != "zeros":
            raise ValueError("only zero-padded convolutions have a Winograd form here")
        self.in_channels = conv.in_channels
        self.out_channels = conv.out_channels
        weight, bias = fold_batch_norm(conv.weight, conv.bias, norm)
        dtype = conv.weight.dtype
        transformed = torch.einsum("ay,oiyx,bx->aboi", _G, weight, _G).reshape(SPAN * SPAN, self.out_channels, self.in_channels)
        self.register_buffer("weight", transformed.to(dtype))  # [36, O, C]
        self.register_buffer("bias", bias.to(dtype).view(1, -1, 1, 1))
        # Input transform: a grouped convolution's output channel 36·c + 6·i + j is kernel (i, j) of group c, Bᵀ[i]ᵀ·Bᵀ[j].
        input_transform = torch.einsum("iy,jx->ijyx", _BT, _BT).reshape(SPAN * SPAN, 1, SPAN, SPAN)
        self.register_buffer("input_transform", input_transform.repeat(self.in_channels, 1, 1, 1).to(dtype))
        # Output transform: row (p, q) of the 4×4 tile from the 36 products (i, j).
        self.register_buffer("output_transform", torch.einsum("pi,qj->pqij", _AT, _AT).reshape(TILE * TILE, SPAN * SPAN).to(dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c, o = self.in_channels, self.out_channels
        # Python ints (only the batch size is dynamic), so the export holds constants rather than shape arithmetic.
        height, width = int(x.shape[2]), int(x.shape[3])
        tiles_y, tiles_x = -(-height // TILE), -(-width // TILE)
        tiles = tiles_y * tiles_x
        # One pixel of zeros before (the convolution's padding); after, enough to complete the last tile: also one
        # when the size is a multiple of 4, and then the transforms' own symmetric padding does it (no Pad node).
        after_y, after_x = TILE * (tiles_y - 1) + SPAN - height - 1, TILE * (tiles_x - 1) + SPAN - width - 1
        if (after_y, after_x) != (1, 1):
            x = F.pad(x, (0, after_x - 1, 0, after_y - 1))
        v = F.conv2d(x, self.input_transform, stride=TILE, padding=1, groups=c)  # [N, C·36, tiles_y, tiles_x]
        v = v.reshape(-1, c, SPAN * SPAN, tiles).transpose(1, 2)  # [N, 36, C, T]
        m = torch.matmul(self.weight, v)  # [N, 36, O, T]
        y = torch.matmul(self.output_transform, m.reshape(-1, SPAN * SPAN, o * tiles))  # [N, 16, O·T]
        y = depth_to_space_dcr(y.reshape(-1, TILE * TILE * o, tiles_y, tiles_x), TILE)  # [N, O, 4·tiles_y, 4·tiles_x]
        if TILE * tiles_y != height or TILE * tiles_x != width:
            y = y[:, :, :height, :width]
        return y + self.bias


class WinogradResBlock2d(nn.Module):
    """ResBlock2d with both convolutions by F(4×4, 3×3); the second batch norm is folded into the first convolution."""

    def __init__(self, block: ResBlock2d) -> None:
        super().__init__()
        self.norm1 = copy.deepcopy(block.norm1).eval()
        self.conv1 = WinogradConv2d(block.conv1, block.norm2)
        self.conv2 = WinogradConv2d(block.conv2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(F.relu(self.norm1(x)))
        out = self.conv2(F.relu(out))
        return out + x
