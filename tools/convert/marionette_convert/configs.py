"""Model configurations: the published `model_params` of the official configs, and YAML reading.

A config fixes the architecture (and so the weights' shapes) and the frame size. The
built-in names carry the `model_params` of the official first-order-model configs
(config/vox-256.yaml, vox-adv-256.yaml, taichi-256.yaml, taichi-adv-256.yaml,
mgif-256.yaml, fashion-256.yaml), so a user needs only the checkpoint. A path to an
official-style YAML file is read as-is.
"""

import copy
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from .errors import ConvertError

OFFICIAL_REPO = "https://github.com/AliaksandrSiarohin/first-order-model"

LICENSE = (
    "CC BY-NC 4.0 (non-commercial): weights by Siarohin et al., released with "
    "github.com/AliaksandrSiarohin/first-order-model while that repository was under this license "
    "(its code has been MIT since 2023; the checkpoints were not relicensed separately, and their "
    "training videos carry research-only terms)"
)


@dataclass(frozen=True)
class Dataset:
    """What a model was trained on, for the manifest."""

    key: str
    checkpoint: str
    trained_on: str
    description: str


DATASETS: Dict[str, Dataset] = {
    d.key: d
    for d in [
        Dataset(
            "vox",
            "vox-cpk.pth.tar",
            "VoxCeleb talking-head videos",
            "FOMM for faces: animates a head-and-shoulders portrait with a talking-head video (both cropped to the head).",
        ),
        Dataset(
            "vox-adv",
            "vox-adv-cpk.pth.tar",
            "VoxCeleb talking-head videos (with an adversarial loss)",
            "FOMM for faces, adversarially fine-tuned: sharper details than vox; animates a portrait with a talking-head video.",
        ),
        Dataset(
            "taichi",
            "taichi-cpk.pth.tar",
            "Tai-Chi-HD: YouTube tai chi videos of whole bodies",
            "FOMM for full bodies: animates a standing person with a video of someone moving (tai chi, dance).",
        ),
        Dataset(
            "taichi-adv",
            "taichi-adv-cpk.pth.tar",
            "Tai-Chi-HD: YouTube tai chi videos of whole bodies (with an adversarial loss)",
            "FOMM for full bodies, adversarially fine-tuned: animates a standing person with a video of someone moving.",
        ),
        Dataset(
            "mgif",
            "mgif-cpk.pth.tar",
            "MGif: GIFs of cartoon animals",
            "FOMM for cartoons: animates a drawn animal or character on a plain background with a cartoon GIF.",
        ),
        Dataset(
            "fashion",
            "fashion.pth.tar",
            "Fashion: catwalk videos of dressed models",
            "FOMM for fashion: animates a full-length photo of a dressed person with a model turning and posing.",
        ),
        Dataset(
            "bair",
            "bair-cpk.pth.tar",
            "BAIR robot pushing videos",
            "FOMM for robot arms: animates a frame of a robot-pushing scene.",
        ),
        Dataset(
            "nemo",
            "nemo-cpk.pth.tar",
            "UvA-NEMO smiling faces",
            "FOMM for frontal faces trained on smiles: animates a face photo with a smile video.",
        ),
    ]
}

# The published model_params of the official 256×256 configs (identical apart from mgif's
# single jacobian map). bair-256.yaml and nemo-256.yaml carry exactly these too, with frames of
# [256, 256, 3] (bair's once as image_shape, which _frame_size also reads).
_FOMM_256: Dict[str, Any] = {
    "common_params": {"num_kp": 10, "num_channels": 3, "estimate_jacobian": True},
    "kp_detector_params": {
        "temperature": 0.1,
        "block_expansion": 32,
        "max_features": 1024,
        "scale_factor": 0.25,
        "num_blocks": 5,
    },
    "generator_params": {
        "block_expansion": 64,
        "max_features": 512,
        "num_down_blocks": 2,
        "num_bottleneck_blocks": 6,
        "estimate_occlusion_map": True,
        "dense_motion_params": {"block_expansion": 64, "max_features": 1024, "num_blocks": 5, "scale_factor": 0.25},
    },
}


def _with_kp_params(extra: Dict[str, Any]) -> Dict[str, Any]:
    params = copy.deepcopy(_FOMM_256)
    params["kp_detector_params"].update(extra)
    return params


BUILTIN_MODEL_PARAMS: Dict[str, Dict[str, Any]] = {
    "vox": copy.deepcopy(_FOMM_256),
    "vox-adv": copy.deepcopy(_FOMM_256),
    "taichi": copy.deepcopy(_FOMM_256),
    "taichi-adv": copy.deepcopy(_FOMM_256),
    "mgif": _with_kp_params({"single_jacobian_map": True}),
    "fashion": copy.deepcopy(_FOMM_256),
    "bair": copy.deepcopy(_FOMM_256),
    "nemo": copy.deepcopy(_FOMM_256),
}
BUILTIN_NAMES = tuple(BUILTIN_MODEL_PARAMS)

# Keys each constructor accepts, and which of them are required.
_COMMON = {"num_kp": True, "num_channels": True, "estimate_jacobian": False}
_KP = {
    "block_expansion": True,
    "max_features": True,
    "num_blocks": True,
    "temperature": True,
    "scale_factor": False,
    "single_jacobian_map": False,
    "pad": False,
}
_GEN = {
    "block_expansion": True,
    "max_features": True,
    "num_down_blocks": True,
    "num_bottleneck_blocks": True,
    "estimate_occlusion_map": False,
    "dense_motion_params": True,
}
_DENSE = {"block_expansion": True, "max_features": True, "num_blocks": True, "scale_factor": False, "kp_variance": False}
# What each value must be, checked before any network is built (a string "5" would fail deep inside PyTorch).
_WHOLE = {"num_kp", "num_channels", "block_expansion", "max_features", "num_blocks", "num_down_blocks", "num_bottleneck_blocks", "pad"}
_SWITCH = {"estimate_jacobian", "single_jacobian_map", "estimate_occlusion_map"}
_NUMBER = {"temperature", "scale_factor", "kp_variance"}


@dataclass(frozen=True)
class ModelConfig:
    label: str
    """The built-in name, or the YAML file's name."""
    model_params: Mapping[str, Any]
    height: int
    width: int
    dataset: Optional[Dataset]
    """None for a custom config whose dataset is unknown."""

    @property
    def common(self) -> Mapping[str, Any]:
        return self.model_params["common_params"]

    @property
    def num_kp(self) -> int:
        return int(self.common["num_kp"])

    @property
    def estimate_jacobian(self) -> bool:
        return bool(self.common.get("estimate_jacobian", False))

    def kp_detector_kwargs(self) -> Dict[str, Any]:
        return {**self.model_params["kp_detector_params"], **self.common}

    def generator_kwargs(self) -> Dict[str, Any]:
        return {**copy.deepcopy(self.model_params["generator_params"]), **self.common}


def resolve_config(arg: str) -> ModelConfig:
    """A built-in name or the path of an official-style YAML file → ModelConfig (ConvertError if unusable)."""
    if arg in BUILTIN_MODEL_PARAMS:
        return ModelConfig(arg, BUILTIN_MODEL_PARAMS[arg], 256, 256, DATASETS[arg])
    if os.path.isfile(arg):
        return load_yaml_config(arg)
    if os.path.isdir(arg):
        raise ConvertError(f"The config {arg} is a folder; pass a YAML file or one of {', '.join(BUILTIN_NAMES)}.")
    if os.sep in arg or "/" in arg or arg.endswith((".yaml", ".yml")):
        raise ConvertError(f"The config file {arg} does not exist.")
    raise ConvertError(f"Unknown config \"{arg}\"; use one of {', '.join(BUILTIN_NAMES)} or the path of an official YAML file.")


def load_yaml_config(path: str) -> ModelConfig:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        raise ConvertError(
            "Reading a YAML config needs PyYAML: install python3-yaml (Debian) or pip install pyyaml, or use a built-in config name."
        ) from None
    try:
        with open(path, "r", encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConvertError(f"The config {path} could not be read as YAML ({reason}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("model_params"), dict):
        raise ConvertError(f"The config {path} has no model_params section, so it is not a First Order Motion Model config.")
    params = validate_model_params(document["model_params"], path)
    height, width = _frame_size(document.get("dataset_params"), path)
    return ModelConfig(os.path.basename(path), params, height, width, _guess_dataset(path, document.get("dataset_params")))


def validate_model_params(raw: Mapping[str, Any], where: str) -> Dict[str, Any]:
    """Checks the sections and keys the networks take; returns a clean copy."""
    out: Dict[str, Any] = {}
    for section, spec in (("common_params", _COMMON), ("kp_detector_params", _KP), ("generator_params", _GEN)):
        out[section] = _section(raw, section, spec, where)
    out["generator_params"]["dense_motion_params"] = _section(
        out["generator_params"], "dense_motion_params", _DENSE, where, "generator_params.dense_motion_params"
    )
    common = out["common_params"]
    if common["num_channels"] != 3:
        raise ConvertError(f"The config {where} has num_channels {common['num_channels']}; Marionette models take RGB images (3).")
    if not isinstance(common["num_kp"], int) or not 1 <= common["num_kp"] <= 256:
        raise ConvertError(f"The config {where} has num_kp {common['num_kp']!r}; it must be an integer from 1 to 256.")
    for name, section in (
        ("kp_detector_params", out["kp_detector_params"]),
        ("dense_motion_params", out["generator_params"]["dense_motion_params"]),
    ):
        scale = section.get("scale_factor", 1)
        if scale != 1 and not _is_unit_fraction(scale):
            raise ConvertError(f"The config {where} has {name}.scale_factor {scale!r}; Marionette supports 1 or 1/n (such as 0.25).")
    return out


def check_frame_size(config: ModelConfig) -> None:
    """The frame size must survive every halving of the networks exactly."""
    kp = config.model_params["kp_detector_params"]
    gen = config.model_params["generator_params"]
    dense = gen["dense_motion_params"]
    needs: Tuple[Tuple[str, int], ...] = (
        ("kp_detector_params", _step(kp.get("scale_factor", 1)) * 2 ** kp["num_blocks"]),
        ("generator_params", 2 ** gen["num_down_blocks"]),
        ("dense_motion_params", _step(dense.get("scale_factor", 1)) * 2 ** dense["num_blocks"]),
    )
    for section, multiple in needs:
        if config.height % multiple or config.width % multiple:
            raise ConvertError(
                f"The config {config.label} has frames of {config.width}x{config.height}, which its {section} cannot "
                f"halve evenly (both sides must be multiples of {multiple})."
            )
    # The keypoint head is a 7x7 convolution (padding `pad`) over the detector's map, which has the frame's size
    # times its scale_factor: it needs at least one output position.
    side = min(config.height, config.width) // _step(kp.get("scale_factor", 1))
    if side + 2 * int(kp.get("pad", 0)) < 7:
        raise ConvertError(
            f"The config {config.label} has frames of {config.width}x{config.height}, too small for its keypoint "
            f"detector's 7x7 head at scale {kp.get('scale_factor', 1)} (its map would be {side} pixels a side)."
        )


# The published FOMM checkpoints (those of the built-in configs) run their keypoint detector and their dense motion
# network on maps of 64x64 pixels (256x256 frames at scale_factor 0.25). The official config/vox-512.yaml has
# scale_factor 0.125 (which gives 64 at 512x512) but frame_shape [256, 256, 3], and the official demo.py resizes every
# frame to 256x256 whatever the config says: converted as written, its networks see 32x32 maps. (frame_shape does not
# fix the training size either: the official loader reads it only for frames stacked in one image, so it can be stale.)
PUBLISHED_MAP_SIDE = 64


def map_size_warning(config: ModelConfig) -> Optional[str]:
    """One sentence when a config with the published networks runs the keypoint detector or the dense motion network
    on maps whose longer side is not PUBLISHED_MAP_SIDE (naming the square frame_shape that would fix it, when one
    does); None otherwise. It starts in lower case: stderr shows it after "Warning: ", the ONNX metadata as it is.
    Other architectures (such as the small test configs) have no published map size to compare with."""
    if not _has_published_networks(config):
        return None
    reductions = _map_reductions(config)
    longer_side = max(config.width, config.height)
    off_size = {
        network: (config.width // r, config.height // r)
        for network, r in reductions.items()
        if longer_side // r != PUBLISHED_MAP_SIDE
    }
    if not off_size:
        return None
    maps = " and ".join(f"its {network} on {w}x{h} maps (scale_factor {1 / reductions[network]:g})" for network, (w, h) in off_size.items())
    text = (
        f"at {config.width}x{config.height} frames the config {config.label} runs {maps}, where the published "
        f"FOMM models with these networks use {PUBLISHED_MAP_SIDE}x{PUBLISHED_MAP_SIDE}; the model is converted for "
        f"{config.width}x{config.height} frames as the config says"
    )
    side = _published_frame_side(config, reductions)
    if side is not None:
        text += (
            f", but if its weights were trained on {side}x{side} frames, convert with a copy of the config whose "
            f"dataset_params.frame_shape is [{side}, {side}, 3]"
        )
    return f"{text}."


def _has_published_networks(config: ModelConfig) -> bool:
    """Whether the config's model_params are a built-in config's, the two scale factors aside (they only set the map
    size, which is what map_size_warning judges)."""
    bare = _without_scale_factors(config.model_params)
    return any(bare == _without_scale_factors(p) for p in BUILTIN_MODEL_PARAMS.values())


def _without_scale_factors(params: Mapping[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(dict(params))
    out["kp_detector_params"].pop("scale_factor", None)
    out["generator_params"]["dense_motion_params"].pop("scale_factor", None)
    return out


def _map_reductions(config: ModelConfig) -> Dict[str, int]:
    """How many frame pixels make one map pixel (1 / scale_factor) for each of the two networks that run on maps."""
    kp = config.model_params["kp_detector_params"]
    dense = config.model_params["generator_params"]["dense_motion_params"]
    return {"keypoint detector": _step(kp.get("scale_factor", 1)), "dense motion network": _step(dense.get("scale_factor", 1))}


def _published_frame_side(config: ModelConfig, reductions: Mapping[str, int]) -> Optional[int]:
    """The side of the square frames that give both networks PUBLISHED_MAP_SIDE maps; None when the config's frames
    are not square or its two networks reduce by different factors (no one frame size suits both). No need to run
    check_frame_size on it: the published networks halve their published maps evenly, and the generator's two
    halvings divide any multiple of 64."""
    if config.width != config.height or len(set(reductions.values())) != 1:
        return None
    return PUBLISHED_MAP_SIDE * next(iter(reductions.values()))


def _step(scale: float) -> int:
    return round(1 / scale)


def _is_unit_fraction(v: Any) -> bool:
    return isinstance(v, (int, float)) and 0 < v < 1 and abs(1 / v - round(1 / v)) < 1e-6


def _section(raw: Mapping[str, Any], key: str, spec: Mapping[str, bool], where: str, label: Optional[str] = None) -> Dict[str, Any]:
    label = label or key
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ConvertError(f"The config {where} has no {label} section.")
    unknown = sorted(set(value) - set(spec))
    if unknown:
        raise ConvertError(f"The config {where} has {label} keys this converter does not know: {', '.join(map(str, unknown))}.")
    missing = [k for k, required in spec.items() if required and k not in value]
    if missing:
        raise ConvertError(f"The config {where} lacks {label}.{missing[0]}.")
    for k, v in value.items():
        whole = isinstance(v, int) and not isinstance(v, bool)
        if k in _WHOLE and not (whole and v >= (0 if k == "pad" else 1)):
            raise ConvertError(f"The config {where} has {label}.{k} {v!r}; it must be a whole number{'' if k == 'pad' else ' of at least 1'}.")
        if k in _SWITCH and not isinstance(v, bool):
            raise ConvertError(f"The config {where} has {label}.{k} {v!r}; it must be True or False.")
        if k in _NUMBER and not ((whole or isinstance(v, float)) and v > 0):
            raise ConvertError(f"The config {where} has {label}.{k} {v!r}; it must be a number above 0.")
    return copy.deepcopy(dict(value))


def _frame_size(dataset_params: Any, where: str) -> Tuple[int, int]:
    """(height, width) from frame_shape, which is [width, height, channels]: the official loader (frames_dataset.py,
    read_video) reshapes a row of stacked frames to (-1,) + frame_shape and then swaps the two image axes, so the
    first number is the width. (The official configs are all square.)"""
    shape = None
    if isinstance(dataset_params, dict):
        shape = dataset_params.get("frame_shape", dataset_params.get("image_shape"))
    if shape is None:
        return 256, 256
    if not (isinstance(shape, (list, tuple)) and len(shape) >= 2 and all(isinstance(v, int) and v > 0 for v in shape[:2])):
        raise ConvertError(f"The config {where} has a frame_shape that is not [width, height, channels].")
    return int(shape[1]), int(shape[0])


def _guess_dataset(path: str, dataset_params: Any) -> Optional[Dataset]:
    """Which published dataset a YAML config is for, from its file name or data folder."""
    hints = os.path.basename(path).lower()
    if isinstance(dataset_params, dict) and isinstance(dataset_params.get("root_dir"), str):
        hints += " " + dataset_params["root_dir"].lower()
    adversarial = "adv" in os.path.basename(path).lower()
    for pattern, key in (
        (r"vox", "vox"),
        (r"taichi", "taichi"),
        (r"mgif|moving-gif", "mgif"),
        (r"fashion", "fashion"),
        (r"bair", "bair"),
        (r"nemo", "nemo"),
    ):
        if re.search(pattern, hints):
            return DATASETS.get(f"{key}-adv" if adversarial and f"{key}-adv" in DATASETS else key)
    return None
