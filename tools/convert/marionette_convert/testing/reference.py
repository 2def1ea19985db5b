"""PyTorch reference outputs for the parity tests, as raw little-endian float32 files plus reference.json.

reference.json lists each tensor ({file, shape}) and the cases:
  kpDetector   input `images` [B,3,H,W] → `kp_value`, `kp_jacobian` (B = source, driving initial, driving)
  generator    inputs source, kp_source_*, kp_driving_* → `prediction`
  normalize    keypoints of source, driving, driving initial → FOMM normalize_kp's output in three modes
"""

import json
import os
from typing import Any, Dict, List, Tuple

import numpy as np
import torch

from ..configs import ModelConfig
from ..export import GeneratorForExport, KPDetectorForExport
from ..generator import OcclusionAwareGenerator
from ..keypoint_detector import KPDetector
from .normalize_reference import normalize_kp
from .random_model import random_images

NORMALIZE_MODES = (
    ("relative-adapt", True, True),
    ("relative", False, True),
    ("absolute", False, False),
)


class ReferenceWriter:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.tensors: Dict[str, Dict[str, Any]] = {}
        os.makedirs(directory, exist_ok=True)

    def add(self, name: str, tensor: torch.Tensor) -> str:
        array = tensor.detach().to(torch.float32).contiguous().numpy()
        file = f"{name}.f32"
        array.astype("<f4").tofile(os.path.join(self.directory, file))
        self.tensors[name] = {"file": file, "shape": list(array.shape)}
        return name


def write_reference(directory: str, config: ModelConfig, kp_detector: KPDetector, generator: OcclusionAwareGenerator, seed: int, generator_batch: int) -> None:
    writer = ReferenceWriter(directory)
    rng = torch.Generator().manual_seed(seed + 3)
    detector = KPDetectorForExport(kp_detector).eval()
    gen = GeneratorForExport(generator, config.estimate_jacobian).eval()

    images = random_images(3, config.height, config.width, rng)
    with torch.no_grad():
        kp_value, kp_jacobian = detector(images)
    source, initial, driving = ((kp_value[i : i + 1], kp_jacobian[i : i + 1]) for i in range(3))

    # Normalisation parity on the detector's keypoints and on hand-placed, well-spread ones.
    normalize_cases: List[Dict[str, Any]] = []
    spread = _spread_keypoints(config.num_kp, rng)
    for label, (s, d0, d) in (("detected", (source, initial, driving)), ("spread", spread)):
        for mode, adapt, relative in NORMALIZE_MODES:
            value, jacobian, scale = normalize_kp(s, d, d0, adapt_movement_scale=adapt, use_relative_movement=relative, use_relative_jacobian=relative)
            prefix = f"normalize_{label}_{mode}"
            normalize_cases.append(
                {
                    "name": f"{label} keypoints, {mode}",
                    "relative": relative,
                    "adaptScale": adapt,
                    "movementScale": scale,
                    "source": [writer.add(f"{prefix}_source_value", s[0]), writer.add(f"{prefix}_source_jacobian", s[1])],
                    "driving": [writer.add(f"{prefix}_driving_value", d[0]), writer.add(f"{prefix}_driving_jacobian", d[1])],
                    "drivingInitial": [writer.add(f"{prefix}_initial_value", d0[0]), writer.add(f"{prefix}_initial_jacobian", d0[1])],
                    "expected": [writer.add(f"{prefix}_expected_value", value), writer.add(f"{prefix}_expected_jacobian", jacobian)],
                }
            )

    # Generator: the source animated towards the driving frame, relative then absolute motion.
    gen_inputs: List[Tuple[torch.Tensor, ...]] = []
    rel_value, rel_jacobian, _ = normalize_kp(source, driving, initial, adapt_movement_scale=False, use_relative_movement=True, use_relative_jacobian=True)
    gen_inputs.append((images[0:1], source[0], source[1], rel_value, rel_jacobian))
    gen_inputs.append((images[0:1], source[0], source[1], driving[0], driving[1]))
    batch = [torch.cat(parts, dim=0) for parts in zip(*gen_inputs[:generator_batch])]
    with torch.no_grad():
        prediction = gen(*batch)

    reference = {
        "config": config.label,
        "height": config.height,
        "width": config.width,
        "numKp": config.num_kp,
        "hasJacobian": config.estimate_jacobian,
        "kpDetector": {"inputs": {"source": writer.add("kp_images", images)}, "outputs": {"kp_value": writer.add("kp_value", kp_value), "kp_jacobian": writer.add("kp_jacobian", kp_jacobian)}},
        "generator": {
            "inputs": {
                name: writer.add(f"gen_{name}", tensor)
                for name, tensor in zip(("source", "kp_source_value", "kp_source_jacobian", "kp_driving_value", "kp_driving_jacobian"), batch)
            },
            "outputs": {"prediction": writer.add("gen_prediction", prediction)},
        },
        "normalize": normalize_cases,
        "tensors": writer.tensors,
    }
    with open(os.path.join(directory, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)


def _spread_keypoints(num_kp: int, rng: torch.Generator) -> Tuple[Tuple[torch.Tensor, torch.Tensor], ...]:
    """Source, driving-initial and driving keypoints on jittered circles of different sizes, jacobians near identity."""
    angles = torch.linspace(0, 2 * np.pi, num_kp + 1)[:-1]
    out = []
    for radius in (0.5, 0.3, 0.35):
        jitter = 0.05 * torch.randn(num_kp, 2, generator=rng)
        value = torch.stack([radius * torch.cos(angles), radius * torch.sin(angles)], dim=1) + jitter
        jacobian = torch.eye(2).expand(num_kp, 2, 2) + 0.2 * torch.randn(num_kp, 2, 2, generator=rng)
        out.append((value.unsqueeze(0), jacobian.unsqueeze(0)))
    source, initial, driving = out
    return source, initial, driving
