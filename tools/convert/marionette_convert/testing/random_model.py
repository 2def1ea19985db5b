"""Seeded random weights for FOMM networks, with realistic BatchNorm statistics.

Default initialisation plus untouched BatchNorm (mean 0, variance 1) would make the
tests blind to how the export treats normalisation, and activations would drift
through the deep hourglasses. Instead every BatchNorm's running statistics are
measured on random inputs in training mode, then perturbed, and its affine
parameters randomised, so each layer normalises with non-trivial, distinct numbers
while activations stay in a sensible range.
"""

from typing import Tuple

import torch
from torch import nn

from ..configs import ModelConfig
from ..generator import OcclusionAwareGenerator
from ..keypoint_detector import KPDetector


def random_images(n: int, height: int, width: int, generator: torch.Generator) -> torch.Tensor:
    """Smooth random RGB images in 0..1: coarse noise upsampled, plus a gradient and a bright disc."""
    coarse = torch.rand(n, 3, max(2, height // 8), max(2, width // 8), generator=generator)
    smooth = nn.functional.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
    ys = torch.linspace(-1, 1, height).view(1, 1, height, 1)
    xs = torch.linspace(-1, 1, width).view(1, 1, 1, width)
    centre = torch.rand(n, 2, 1, 1, generator=generator) - 0.5
    disc = (((xs - centre[:, :1]) ** 2 + (ys - centre[:, 1:]) ** 2) < 0.2).float()
    return (0.6 * smooth + 0.2 * (xs + 1) / 2 + 0.2 * disc.expand(n, 3, height, width)).clamp(0, 1)


def build_random_networks(config: ModelConfig, seed: int) -> Tuple[KPDetector, OcclusionAwareGenerator]:
    torch.manual_seed(seed)
    kp_detector = KPDetector(**config.kp_detector_kwargs())
    generator = OcclusionAwareGenerator(**config.generator_kwargs())
    rng = torch.Generator().manual_seed(seed + 1)

    if kp_detector.jacobian is not None:
        # Official training starts from zero weights (identity jacobians); small random weights give
        # jacobians that vary around the identity and stay invertible.
        fan_in = kp_detector.jacobian.weight[0].numel()
        with torch.no_grad():
            kp_detector.jacobian.weight.uniform_(-0.15 / fan_in ** 0.5, 0.15 / fan_in ** 0.5, generator=rng)

    images = random_images(4, config.height, config.width, rng)
    calibrate_batch_norm(kp_detector, rng, lambda: kp_detector(images))
    kp_detector.eval()
    with torch.no_grad():
        value, jacobian = kp_detector(images)
    # The generator learns from pairs: source = images, driving = the same images' keypoints rolled by one.
    driving_value = value.roll(1, dims=0)
    driving_jacobian = None if jacobian is None else jacobian.roll(1, dims=0)
    calibrate_batch_norm(generator, rng, lambda: generator(images, value, jacobian, driving_value, driving_jacobian))
    generator.eval()
    return kp_detector, generator


def calibrate_batch_norm(module: nn.Module, rng: torch.Generator, forward) -> None:  # type: ignore[no-untyped-def]
    norms = [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # cumulative average over the calibration passes
            norm.weight.uniform_(0.6, 1.4, generator=rng)
            norm.bias.uniform_(-0.2, 0.2, generator=rng)
        module.train()
        forward()
        module.eval()
        for norm in norms:
            norm.momentum = 0.1
            shape = norm.running_mean.shape
            norm.running_mean.add_(0.1 * norm.running_var.sqrt() * torch.randn(shape, generator=rng))
            norm.running_var.mul_(torch.empty(shape).uniform_(0.8, 1.25, generator=rng))
