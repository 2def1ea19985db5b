"""Inference-only rewrites of FOMM's blocks: the same function with less arithmetic.

The networks in this package mirror the official modules layer for layer (their
weights load strictly). Before export, `rewrite_for_inference` swaps three kinds of
block for equivalents that compute the same outputs — equal in exact arithmetic,
within float32 rounding in practice — with less work:

- UpBlock2d (nearest 2× upsampling, then a 3×3 convolution, batch norm, ReLU) becomes
  four 2×2 convolutions on the block's input, one per output pixel phase, interleaved.
  Nearest upsampling repeats each pixel over a 2×2 square, so every output pixel of
  the 3×3 convolution sees only 2×2 distinct input pixels, whose weights are sums of
  the 3×3 kernel's taps: 16 multiply-adds per input pixel and channel pair instead of
  36 (2.25× fewer). The batch norm is folded into the kernels and bias. (One stride-2
  transposed convolution computes the same, but onnxruntime's CPU provider runs it
  slower than the four convolutions.) In ONNX three of the four phases are one Conv
  with asymmetric pads, not a Pad then a Conv: a pass over the tensor less, which the
  WebGPU provider (NHWC convolutions) would also wrap in transposes. (The fourth pads
  only after the data, which trips an onnxruntime WebGPU bug; see _padded_conv.) The
  phases are interleaved either by stacking them (`interleave="stack"`, the default:
  the fastest on the CPU provider) or, concatenated along channels, by one
  DepthToSpace (DCR) (`"depth-to-space"`: an op every provider runs in either layout,
  which leaves the WebGPU provider's NHWC graph almost without transposes, but costs
  the CPU provider about 4 %; docs/performance.md).
- AntiAliasDownsample (a Gaussian blur at full resolution, then every n-th pixel)
  computes the blur at the kept pixels only: a convolution with stride n (n² fewer).
- ResBlock2d (the generator's bottleneck) computes its two 3×3 convolutions by
  Winograd's F(4×4, 3×3), 4× fewer multiplications, with the second batch norm folded
  into the first convolution (winograd.py; `winograd=False` keeps them direct, as the
  float16 export does: F(4×4, 3×3)'s transforms cost half precision about three bits).

The checkpoint's modules are not changed; the rewrite returns new modules.
"""

import copy

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import AntiAliasDownsample, ResBlock2d, UpBlock2d
from .rewrite_ops import depth_to_space_dcr, fold_batch_norm
from .winograd import WinogradResBlock2d

# Output rows 2i + a of a 3×3 convolution (taps w0, w1, w2 at offsets −1, 0, 1) over a
# nearest-2× upsampled input read input rows (i − 1, i) for a = 0 with taps (w0, w1 + w2),
# and rows (i, i + 1) for a = 1 with taps (w0 + w1, w2). The same holds for columns.
_PHASE_TAPS = (
    torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], dtype=torch.float64),
    torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64),
)
_PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))


class _PadThenConv2d:
    """F.pad then F.conv2d, exported as PyTorch exports them (a Pad node, then a Conv without pads)."""

    def __init__(self, left: int, right: int, top: int, bottom: int) -> None:
        self.padding = (left, right, top, bottom)

    def apply(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(x, self.padding), weight, bias)


def _padded_conv(left: int, right: int, top: int, bottom: int):  # type: ignore[no-untyped-def]
    """F.conv2d after zero padding (left, right, top, bottom), exported as one ONNX Conv with asymmetric pads.

    The padding is baked into the class, so the exporter sees tensor arguments only.

    Except padding only after the data (no leading pads): onnxruntime's WebGPU provider
    (1.30, NHWC) runs a Conv whose input is as small as its kernel as one matrix product
    when the leading pads are zero, ignoring the trailing ones. At the hourglasses' 2×2
    level that came out wrong (found on lavapipe; tests/convert/vox-model.test.ts runs
    the full-size networks on WebGPU), so such padding stays an explicit Pad."""
    if top == 0 and left == 0:
        return _PadThenConv2d(left, right, top, bottom)

    class PaddedConv2d(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, weight, bias):  # type: ignore[no-untyped-def, override]
            return F.conv2d(F.pad(x, (left, right, top, bottom)), weight, bias)

        @staticmethod
        def symbolic(g, x, weight, bias):  # type: ignore[no-untyped-def]
            return g.op("Conv", x, weight, bias, kernel_shape_i=[2, 2], pads_i=[top, left, bottom, right], strides_i=[1, 1], dilations_i=[1, 1], group_i=1)

    return PaddedConv2d


# Phase (a, b) reads rows i − 1 + a … i + a and columns j − 1 + b … j + b: zero padding on the side it reaches over.
_PHASE_CONVS = tuple(_padded_conv(1 - b, b, 1 - a, a) for a, b in _PHASES)


INTERLEAVES = ("stack", "depth-to-space")


class SubpixelUpBlock2d(nn.Module):
    """UpBlock2d as four 2×2 convolutions at the input's resolution (batch norm folded in), interleaved, then ReLU."""

    def __init__(self, block: UpBlock2d, interleave: str = "stack") -> None:
        super().__init__()
        if interleave not in INTERLEAVES:
            raise ValueError(f"interleave must be one of {', '.join(INTERLEAVES)}")
        self.interleave = interleave
        conv = block.conv
        if conv.kernel_size != (3, 3) or conv.padding != (1, 1) or conv.stride != (1, 1) or conv.groups != 1 or conv.dilation != (1, 1):
            raise ValueError("only 3×3 convolutions with padding 1 have a sub-pixel form here")
        weight, bias = fold_batch_norm(conv.weight, conv.bias, block.norm)
        kernels = [torch.einsum("ty,oiyx,sx->oits", _PHASE_TAPS[a], weight, _PHASE_TAPS[b]) for a, b in _PHASES]
        self.weight = nn.Parameter(torch.stack(kernels).to(conv.weight.dtype), requires_grad=False)  # [4, out, in, 2, 2]
        self.bias = nn.Parameter(bias.to(conv.bias.dtype), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        phases = [conv.apply(x, self.weight[i], self.bias) for i, conv in enumerate(_PHASE_CONVS)]
        if self.interleave == "depth-to-space":
            return F.relu(depth_to_space_dcr(torch.cat(phases, dim=1), 2))
        n, _, h, w = x.shape
        rows = [torch.stack(phases[2 * a : 2 * a + 2], dim=-1) for a in (0, 1)]  # [N, C, H, W, 2 (b)] each
        out = torch.stack(rows, dim=3)  # [N, C, H, 2 (a), W, 2 (b)]
        return F.relu(out.reshape(n, -1, 2 * h, 2 * w))


class StridedAntiAliasDownsample(nn.Module):
    """AntiAliasDownsample with the blur evaluated only at the pixels it keeps."""

    def __init__(self, block: AntiAliasDownsample) -> None:
        super().__init__()
        self.register_buffer("weight", block.weight.detach().clone())
        self.channels = block.channels
        self.pad = block.pad
        self.step = block.step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, weight=self.weight, padding=self.pad, stride=self.step, groups=self.channels)


def rewrite_for_inference(module: nn.Module, interleave: str = "stack", winograd: bool = True) -> nn.Module:
    """A copy of `module` (in eval mode) with every UpBlock2d, AntiAliasDownsample and (if `winograd`) ResBlock2d replaced as described above."""
    out = copy.deepcopy(module).eval()
    _replace(out, interleave, winograd)
    return out


def _replace(module: nn.Module, interleave: str, winograd: bool) -> None:
    for name, child in module.named_children():
        if isinstance(child, UpBlock2d):
            setattr(module, name, SubpixelUpBlock2d(child, interleave))
        elif isinstance(child, AntiAliasDownsample):
            setattr(module, name, StridedAntiAliasDownsample(child))
        elif winograd and isinstance(child, ResBlock2d):
            setattr(module, name, WinogradResBlock2d(child))
        else:
            _replace(child, interleave, winograd)
