"""manifest.json for a converted model, in the engine's format (formatVersion 1)."""

import json
import os
import re
from typing import Any, Dict

from .configs import DATASETS, LICENSE, OFFICIAL_REPO, ModelConfig
from .errors import ConvertError

FORMAT_VERSION = 1
# The engine's rule for model names (src/engine/model/manifest.ts).
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
OFFICIAL_CHECKPOINTS = {d.checkpoint for d in DATASETS.values()}

# How each built-in config's training data was framed (src/engine/model/manifest.ts, TrainingFraming): the
# engine frames a member's photo and video the same way. "face": a square the face fills (VoxCeleb, UvA-NEMO);
# "whole": the whole subject fitted in the square (a standing person, a drawn character, a robot scene).
# A custom config writes nothing, which the engine reads as "centre".
TRAINING_FRAMING: Dict[str, str] = {
    "vox": "face",
    "vox-adv": "face",
    "nemo": "face",
    "taichi": "whole",
    "taichi-adv": "whole",
    "fashion": "whole",
    "mgif": "whole",
    "bair": "whole",
}


def model_name(out_dir: str) -> str:
    """The model's name: the output folder's name, lowercased."""
    name = os.path.basename(os.path.normpath(out_dir)).lower()
    if not NAME_PATTERN.fullmatch(name):
        raise ConvertError(
            f"The output folder's name \"{os.path.basename(os.path.normpath(out_dir))}\" cannot name a model; "
            "use letters, digits, \".\", \"_\" or \"-\" (at most 64, starting with a letter or digit)."
        )
    return name


def build_manifest(
    name: str, config: ModelConfig, checkpoint_path: str, generator_precision: str = "fp32", shared_source: bool = False
) -> Dict[str, Any]:
    checkpoint = os.path.basename(checkpoint_path)
    # A built-in config means "the official weights"; with a YAML file, an official file name does.
    official = config.dataset is not None and (config.label in DATASETS or checkpoint in OFFICIAL_CHECKPOINTS)
    if config.dataset is not None:
        description = config.dataset.description
        trained_on = config.dataset.trained_on
    else:
        description = f"First Order Motion Model converted from {checkpoint} with the config {config.label}."
        trained_on = f"not stated (custom config {config.label})"
    manifest: Dict[str, Any] = {
        "formatVersion": FORMAT_VERSION,
        "name": name,
        "description": description,
        "family": "fomm",
        "inputSize": {"width": config.width, "height": config.height},
        "numKeypoints": config.num_kp,
        "hasJacobian": config.estimate_jacobian,
        "trainedOn": trained_on,
        # FOMM's demo animates with relative motion (--relative); absolute needs matching poses.
        "recommendedMode": "relative",
        "license": LICENSE if official else f"not stated: ask whoever trained {checkpoint}",
        "source": f"{OFFICIAL_REPO} ({checkpoint})" if official else f"{checkpoint} (config {config.label})",
        # fp32, fp16 (inputs and outputs too) or mixed (float32 inputs and outputs; src/engine/model/manifest.ts).
        "precision": {"kpDetector": "fp32", "generator": generator_precision},
    }
    if config.dataset is not None and config.dataset.key in TRAINING_FRAMING:
        manifest["framing"] = TRAINING_FRAMING[config.dataset.key]
    if shared_source:
        # The generator also takes one source image for a whole batch (src/engine/model/manifest.ts).
        manifest["sharedSource"] = True
    return manifest


def write_manifest(path: str, manifest: Dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
