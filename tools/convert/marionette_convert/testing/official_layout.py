"""Saving weights the way the official training code did (logger.py's save_cpk).

The official file is torch.save of {kp_detector, generator, discriminator,
optimizer_kp_detector, optimizer_generator, optimizer_discriminator, epoch}, written
by PyTorch 1.0 in its legacy (non-zip) format, with weights on the GPU. The
converter must read the two networks and ignore the rest.
"""

from typing import Any, Dict

import torch
from torch import nn


def fake_discriminator_state(generator: torch.Generator) -> Dict[str, torch.Tensor]:
    """A few tensors named like the official multi-scale discriminator's (with spectral norm)."""
    state: Dict[str, torch.Tensor] = {}
    for i, (c_in, c_out) in enumerate([(3, 32), (32, 64)]):
        prefix = f"discs.1.down_blocks.{i}"
        state[f"{prefix}.conv.bias"] = torch.randn(c_out, generator=generator)
        state[f"{prefix}.conv.weight_orig"] = torch.randn(c_out, c_in, 4, 4, generator=generator)
        state[f"{prefix}.conv.weight_u"] = torch.randn(c_out, generator=generator)
        state[f"{prefix}.conv.weight_v"] = torch.randn(c_in * 16, generator=generator)
    state["discs.1.conv.weight"] = torch.randn(1, 64, 1, 1, generator=generator)
    return state


def optimizer_state(module: nn.Module, with_moments: bool) -> Dict[str, Any]:
    """Adam's state_dict as saved during training (floats in param_groups; moments optional, they triple the size)."""
    optimizer = torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999))
    state = optimizer.state_dict()
    if with_moments:
        for index, param in enumerate(module.parameters()):
            state["state"][index] = {"step": 1500, "exp_avg": torch.zeros_like(param), "exp_avg_sq": torch.zeros_like(param)}
    return state


def save_official_layout(
    path: str, kp_detector: nn.Module, generator: nn.Module, seed: int, legacy_format: bool = True, with_moments: bool = True
) -> None:
    rng = torch.Generator().manual_seed(seed + 2)
    discriminator = fake_discriminator_state(rng)
    checkpoint = {
        "kp_detector": kp_detector.state_dict(),
        "generator": generator.state_dict(),
        "discriminator": discriminator,
        "optimizer_kp_detector": optimizer_state(kp_detector, with_moments),
        "optimizer_generator": optimizer_state(generator, with_moments),
        "optimizer_discriminator": {"state": {}, "param_groups": [{"lr": 2e-4, "betas": (0.5, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False, "params": []}]},
        "epoch": 99,
    }
    torch.save(checkpoint, path, _use_new_zipfile_serialization=not legacy_format)
