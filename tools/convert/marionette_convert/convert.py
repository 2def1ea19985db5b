"""The conversion itself: checkpoint + config → kp_detector.onnx, generator.onnx, manifest.json."""

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import onnx
import torch
from onnx import TensorProto

from . import __version__
from .checkpoint import load_weights, read_checkpoint
from .configs import ModelConfig, check_frame_size, map_size_warning, resolve_config
from .errors import ConvertError
from .export import (
    OPSET,
    GeneratorForExport,
    KPDetectorForExport,
    check_model,
    declare_shapes,
    export_network,
    generator_io,
    kp_detector_io,
)
from .fp16 import convert_to_float16
from .mixed_precision import convert_to_mixed_precision
from .generator import OcclusionAwareGenerator
from .inference_rewrites import rewrite_for_inference
from .keypoint_detector import KPDetector
from .manifest import build_manifest, model_name, write_manifest

KP_DETECTOR_FILE = "kp_detector.onnx"
GENERATOR_FILE = "generator.onnx"
MANIFEST_FILE = "manifest.json"

# The generator's precision: float32; "mixed", float16 for its convolutional trunk only (inputs, outputs,
# the dense-motion network and the warps stay float32); or float16 throughout, inputs and outputs included.
PRECISIONS = ("fp32", "mixed", "fp16")
# What a mixed-precision generator computes in float16: its encoder, residual bottleneck and decoder
# (the exporter names nodes after the modules). The dense-motion network stays float32: in float16 on
# WebGPU it moved frames by about 2/255 (see docs/performance.md).
MIXED_HALF_MODULES = ("/first/", "/down_blocks.", "/up_blocks.", "/final/")
MIXED_HALF_BOTTLENECK = "/bottleneck/"
# How the generator samples (F.grid_sample in generator.py and dense_motion.py), recorded in its ONNX metadata:
# the official code calls grid_sample without align_corners, which PyTorch 1.0 (the weights were trained with it)
# ran as align_corners=True; PyTorch 1.3 and newer default to False, so the official code run there samples each
# map up to half a pixel off (a zoom by W/(W-1) about its centre) and draws different frames.
GRID_SAMPLE = (
    "mode=bilinear padding_mode=zeros align_corners=True (PyTorch 1.0's grid_sample, with which the official "
    "weights were trained; the official code on PyTorch 1.3 or newer runs it with align_corners=False)"
)


@dataclass(frozen=True)
class ConvertOptions:
    checkpoint: str
    config: str
    out: str
    # One of PRECISIONS.
    precision: str = "fp32"
    # Layer for layer, without the inference rewrites and the shared source (for comparisons).
    plain: bool = False
    # How the sub-pixel up-sampling interleaves its phases: "stack" or "depth-to-space" (inference_rewrites).
    interleave: str = "stack"
    # The generator's residual blocks by Winograd F(4×4, 3×3) (inference_rewrites); never in float16 (a mixed
    # generator keeps them float32 with Winograd, or float16 and direct without).
    winograd: bool = True


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def convert(options: ConvertOptions, log: Callable[[str], None] = print, warn: Callable[[str], None] = _stderr) -> None:
    """Progress lines go to `log`; the map-size warning (map_size_warning), which does not stop the conversion, goes
    to `warn` and into both networks' metadata."""
    started = time.monotonic()
    if options.precision not in PRECISIONS:
        raise ConvertError(f"The precision must be {', '.join(PRECISIONS)}, not \"{options.precision}\".")
    config = resolve_config(options.config)
    check_frame_size(config)
    warning = map_size_warning(config)
    if warning is not None:
        warn(f"Warning: {warning}")
    name = model_name(options.out)
    if os.path.exists(options.out) and not os.path.isdir(options.out):
        raise ConvertError(f"The output {options.out} exists and is not a folder.")

    if os.path.isfile(options.checkpoint):
        log(f"Reading {options.checkpoint} ({os.path.getsize(options.checkpoint) / 1e6:.0f} MB)")
    weights = read_checkpoint(options.checkpoint)

    kp_detector = KPDetector(**config.kp_detector_kwargs())
    generator = OcclusionAwareGenerator(**config.generator_kwargs())
    load_weights(kp_detector, weights["kp_detector"], "kp_detector", config.label)
    load_weights(generator, weights["generator"], "generator", config.label)
    del weights
    kp_detector.eval()
    generator.eval()
    shared_source = not options.plain
    log(
        f"Loaded the keypoint detector ({_millions(kp_detector)}M parameters) and the generator ({_millions(generator)}M) "
        f"for config {config.label}: {config.width}x{config.height}, {config.num_kp} keypoints"
        f"{', with jacobians' if config.estimate_jacobian else ', zero-order (no jacobians)'}"
    )

    winograd = False
    if not options.plain:
        # Equivalent blocks with less arithmetic (sub-pixel up-sampling, strided blur, Winograd); see inference_rewrites.
        # Winograd's transforms would cost a float16 generator about three bits, so it keeps direct convolutions.
        winograd = options.winograd and options.precision != "fp16"
        kp_detector = rewrite_for_inference(kp_detector, options.interleave, winograd)
        generator = rewrite_for_inference(generator, options.interleave, winograd)

    parent = os.path.dirname(os.path.abspath(options.out))
    created = _missing_folders(parent)
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{name}.converting-", dir=parent)
    except OSError as e:
        raise ConvertError(f"The model cannot be written next to {options.out} ({e.strerror or e}).") from None
    published = False
    try:
        metadata = onnx_metadata(config, options.checkpoint, warning)
        log(f"Exporting {KP_DETECTOR_FILE} (ONNX opset {OPSET})")
        inputs, outputs = kp_detector_io(config.num_kp, config.height, config.width)
        export_network(
            KPDetectorForExport(kp_detector),
            inputs,
            outputs,
            os.path.join(staging, KP_DETECTOR_FILE),
            "FOMM keypoint detector: source [N,3,H,W] RGB 0..1 -> kp_value [N,K,2], kp_jacobian [N,K,2,2]",
            metadata,
        )
        log(f"Exporting {GENERATOR_FILE} (ONNX opset {OPSET})")
        inputs, outputs = generator_io(config.num_kp, config.height, config.width, shared_source=shared_source)
        generator_path = os.path.join(staging, GENERATOR_FILE)
        model = export_network(
            GeneratorForExport(generator, config.estimate_jacobian, shared_source),
            inputs,
            outputs,
            generator_path,
            "FOMM occlusion-aware generator: source and keypoints of source and driving frames -> prediction [N,3,H,W]",
            {**metadata, "marionette.grid_sample": GRID_SAMPLE},
        )
        if options.precision != "fp32":
            if options.precision == "fp16":
                log("Rewriting the generator in float16")
                half, clipped = convert_to_float16(model)
                elem_type = TensorProto.FLOAT16
            else:
                modules = MIXED_HALF_MODULES if winograd else (*MIXED_HALF_MODULES, MIXED_HALF_BOTTLENECK)
                if not shared_source:
                    # Exported through the generator's own forward (--plain), its modules are named under it.
                    modules = tuple(f"/generator{m}" for m in modules)
                log(f"Rewriting the generator's {', '.join(m.strip('/.') for m in modules)} in float16 (mixed precision)")
                half, clipped = convert_to_mixed_precision(model, modules)
                elem_type = TensorProto.FLOAT
            del model  # the float32 graph is no longer needed: one copy fewer while the result is checked
            if clipped:
                log(f"Warning: {clipped} generator weights exceed float16's range and were clipped")
            inputs, outputs = generator_io(config.num_kp, config.height, config.width, elem_type, shared_source)
            check_model(half, inputs, outputs)
            declare_shapes(half, inputs, outputs)
            onnx.save(half, generator_path)
        manifest = build_manifest(name, config, options.checkpoint, options.precision, shared_source)
        write_manifest(os.path.join(staging, MANIFEST_FILE), manifest)
        _publish(staging, options.out)
        published = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not published:
            _remove_empty(created)

    sizes = ", ".join(
        f"{f} ({os.path.getsize(os.path.join(options.out, f)) / 1e6:.1f} MB)" for f in (KP_DETECTOR_FILE, GENERATOR_FILE)
    )
    log(f"Wrote {options.out}: {sizes}, {MANIFEST_FILE} in {time.monotonic() - started:.0f} s")


def onnx_metadata(config: ModelConfig, checkpoint: str, warning: Optional[str]) -> Dict[str, str]:
    """The provenance both networks carry in their ONNX metadata (the generator adds marionette.grid_sample)."""
    metadata = {
        "marionette.converter": f"marionette-convert {__version__}",
        "marionette.config": config.label,
        "marionette.checkpoint": os.path.basename(checkpoint),
        "torch": torch.__version__,
    }
    if warning is not None:
        metadata["marionette.warning"] = warning
    return metadata


def _missing_folders(path: str) -> List[str]:
    """The folders from `path` upwards that do not exist yet (innermost first)."""
    missing = []
    while path and not os.path.exists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


def _remove_empty(folders: List[str]) -> None:
    """Removes the folders this run created for the output, innermost first, while they are empty."""
    for folder in folders:
        try:
            os.rmdir(folder)
        except OSError:
            return


def _publish(staging: str, out: str) -> None:
    """Moves the three files into `out` (created if needed), replacing earlier ones."""
    os.makedirs(out, exist_ok=True)
    for name in (KP_DETECTOR_FILE, GENERATOR_FILE, MANIFEST_FILE):
        os.replace(os.path.join(staging, name), os.path.join(out, name))


def _millions(module: torch.nn.Module) -> str:
    return f"{sum(p.numel() for p in module.parameters()) / 1e6:.1f}"
