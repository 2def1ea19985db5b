"""The conversion itself: checkpoint + config → kp_detector.onnx, generator.onnx, manifest.json."""

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import onnx
import torch
from onnx import TensorProto

from . import __version__
from .checkpoint import load_weights, read_checkpoint
from .configs import check_frame_size, resolve_config
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
from .generator import OcclusionAwareGenerator
from .inference_rewrites import rewrite_for_inference
from .keypoint_detector import KPDetector
from .manifest import build_manifest, model_name, write_manifest

KP_DETECTOR_FILE = "kp_detector.onnx"
GENERATOR_FILE = "generator.onnx"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class ConvertOptions:
    checkpoint: str
    config: str
    out: str
    fp16: bool = False
    # Layer for layer, without the inference rewrites and the shared source (for comparisons).
    plain: bool = False
    # How the sub-pixel up-sampling interleaves its phases: "stack" or "depth-to-space" (inference_rewrites).
    interleave: str = "stack"
    # The generator's residual blocks by Winograd F(4×4, 3×3) (inference_rewrites); never in a float16 generator.
    winograd: bool = True


def convert(options: ConvertOptions, log: Callable[[str], None] = print) -> None:
    started = time.monotonic()
    config = resolve_config(options.config)
    check_frame_size(config)
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

    if not options.plain:
        # Equivalent blocks with less arithmetic (sub-pixel up-sampling, strided blur, Winograd); see inference_rewrites.
        # Winograd's transforms would cost a float16 generator about three bits, so it keeps direct convolutions.
        winograd = options.winograd and not options.fp16
        kp_detector = rewrite_for_inference(kp_detector, options.interleave, winograd)
        generator = rewrite_for_inference(generator, options.interleave, winograd)

    parent = os.path.dirname(os.path.abspath(options.out))
    try:
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{name}.converting-", dir=parent)
    except OSError as e:
        raise ConvertError(f"The model cannot be written next to {options.out} ({e.strerror or e}).") from None
    try:
        metadata = {
            "marionette.converter": f"marionette-convert {__version__}",
            "marionette.config": config.label,
            "marionette.checkpoint": os.path.basename(options.checkpoint),
            "torch": torch.__version__,
        }
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
            metadata,
        )
        if options.fp16:
            log("Rewriting the generator in float16")
            half, clipped = convert_to_float16(model)
            if clipped:
                log(f"Warning: {clipped} generator weights exceed float16's range and were clipped")
            inputs, outputs = generator_io(config.num_kp, config.height, config.width, TensorProto.FLOAT16, shared_source)
            check_model(half, inputs, outputs)
            declare_shapes(half, inputs, outputs)
            onnx.save(half, generator_path)
        write_manifest(os.path.join(staging, MANIFEST_FILE), build_manifest(name, config, options.checkpoint, options.fp16, shared_source))
        _publish(staging, options.out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    sizes = ", ".join(
        f"{f} ({os.path.getsize(os.path.join(options.out, f)) / 1e6:.1f} MB)" for f in (KP_DETECTOR_FILE, GENERATOR_FILE)
    )
    log(f"Wrote {options.out}: {sizes}, {MANIFEST_FILE} in {time.monotonic() - started:.0f} s")


def _publish(staging: str, out: str) -> None:
    """Moves the three files into `out` (created if needed), replacing earlier ones."""
    os.makedirs(out, exist_ok=True)
    for name in (KP_DETECTOR_FILE, GENERATOR_FILE, MANIFEST_FILE):
        os.replace(os.path.join(staging, name), os.path.join(out, name))


def _millions(module: torch.nn.Module) -> str:
    return f"{sum(p.numel() for p in module.parameters()) / 1e6:.1f}"
