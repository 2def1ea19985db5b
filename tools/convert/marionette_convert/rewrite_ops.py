"""Pieces the inference rewrites share: batch-norm folding, and ops exported as one ONNX node."""

from typing import Optional, Tuple

import torch
from torch import nn


def fold_batch_norm(conv_weight: torch.Tensor, conv_bias: Optional[torch.Tensor], norm: Optional[nn.BatchNorm2d]) -> Tuple[torch.Tensor, torch.Tensor]:
    """Weight and bias of conv followed by norm (inference statistics; none: the conv alone), in float64; output channels first."""
    weight = conv_weight.detach().double()
    bias = conv_bias.detach().double() if conv_bias is not None else torch.zeros(weight.shape[0], dtype=torch.float64)
    if norm is None:
        return weight, bias
    scale = norm.weight.detach().double() / torch.sqrt(norm.running_var.double() + norm.eps)
    weight = weight * scale.view(-1, *([1] * (weight.dim() - 1)))
    bias = (bias - norm.running_mean.double()) * scale + norm.bias.detach().double()
    return weight, bias


class _DepthToSpaceDCR(torch.autograd.Function):
    """[N, b²·C, H, W] with channel (b·a + c')·C + c → [N, C, b·H, b·W] with pixel (b·i + a, b·j + c'); ONNX DepthToSpace, mode DCR."""

    @staticmethod
    def forward(ctx, x, block):  # type: ignore[no-untyped-def, override]
        n, channels, h, w = x.shape
        c = channels // (block * block)
        return x.reshape(n, block, block, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(n, c, block * h, block * w)

    @staticmethod
    def symbolic(g, x, block):  # type: ignore[no-untyped-def]
        return g.op("DepthToSpace", x, blocksize_i=block, mode_s="DCR")


def depth_to_space_dcr(x: torch.Tensor, block: int) -> torch.Tensor:
    """ONNX DepthToSpace (DCR) with the given block size: one node in the export, in every provider and layout."""
    return _DepthToSpaceDCR.apply(x, block)  # type: ignore[no-any-return]
