"""The official FOMM demo's animation loop, timed: the PyTorch baseline of `npm run bench -- --compare-pytorch`.

    python -m marionette_convert.bench_reference --checkpoint vox.pth.tar --config vox \\
        --source photo.rgb --driving frames.rgb [--frames 16] [--warmup 2] [--threads 2] [--device cuda] [--dump out.rgb]

It runs the algorithm of demo.py's `make_animation` (first-order-model, Siarohin et al.):
fp32, under torch.no_grad, one frame at a time — keypoints of the source and of the
first driving frame once, then for every driving frame its keypoints, normalize_kp
(relative movement and jacobian, adapt_movement_scale) and the generator, and the
prediction copied back as an H×W×3 array. The networks are this converter's
module-for-module reimplementation, which loads the official weight names and shapes
strictly and matches the official modules (keypoints bit-identical, frames within 8e-6);
the official generator also returns a few by-products (the deformed source, masks) that
are not computed here.

Frames come as raw RGB24 at the model's size (what the engine's decoder produces), so
both sides see the same pixels. One JSON line on stdout reports the per-frame times;
--dump writes the generated frames as RGB24, rounded like the engine's output.
"""

import argparse
import json
import statistics
import sys
import time
from typing import List, Optional, Tuple

import numpy as np
import torch

from .checkpoint import load_weights, read_checkpoint
from .configs import resolve_config
from .generator import OcclusionAwareGenerator
from .keypoint_detector import KPDetector
from .testing.normalize_reference import normalize_kp


def read_frames(path: str, width: int, height: int, limit: Optional[int] = None) -> np.ndarray:
    """Raw RGB24 frames → float32 [N, H, W, 3] in 0..1 (demo.py's frames after resize are floats in 0..1)."""
    data = np.fromfile(path, dtype=np.uint8)
    frame = width * height * 3
    if data.size == 0 or data.size % frame != 0:
        raise SystemExit(f"{path} holds {data.size} bytes, not whole {width}x{height} RGB24 frames")
    frames = data.reshape(-1, height, width, 3)
    if limit is not None:
        frames = frames[:limit]
    return frames.astype(np.float32) / 255


def load_networks(checkpoint: str, config_name: str) -> Tuple[KPDetector, OcclusionAwareGenerator, int, int]:
    config = resolve_config(config_name)
    weights = read_checkpoint(checkpoint)
    kp_detector = KPDetector(**config.kp_detector_kwargs())
    generator = OcclusionAwareGenerator(**config.generator_kwargs())
    load_weights(kp_detector, weights["kp_detector"], "kp_detector", config.label)
    load_weights(generator, weights["generator"], "generator", config.label)
    return kp_detector.eval(), generator.eval(), config.width, config.height


def make_animation(
    source_image: np.ndarray,
    driving_video: np.ndarray,
    generator: OcclusionAwareGenerator,
    kp_detector: KPDetector,
    warmup: int,
    relative: bool = True,
    adapt_movement_scale: bool = True,
    device: str = "cpu",
) -> Tuple[List[np.ndarray], List[float]]:
    """demo.py's make_animation, with each frame's time taken from its driving frame to its prediction (copied back
    to the host, as the demo does, which also waits for the GPU)."""
    with torch.no_grad():
        predictions: List[np.ndarray] = []
        times: List[float] = []
        source = torch.tensor(source_image[np.newaxis].astype(np.float32)).permute(0, 3, 1, 2).to(device)
        driving = torch.tensor(np.array(driving_video)[np.newaxis].astype(np.float32)).permute(0, 4, 1, 2, 3)
        kp_source = kp_detector(source)
        kp_driving_initial = kp_detector(driving[:, :, 0].to(device))

        # Warm-up frames (the first frame again) are generated but neither timed nor kept.
        order = [0] * warmup + list(range(driving.shape[2]))
        for i, frame_idx in enumerate(order):
            started = time.perf_counter()
            driving_frame = driving[:, :, frame_idx].to(device)
            kp_driving = kp_detector(driving_frame)
            value, jacobian, _ = normalize_kp(
                kp_source,
                kp_driving,
                kp_driving_initial,
                adapt_movement_scale=adapt_movement_scale,
                use_relative_movement=relative,
                use_relative_jacobian=relative,
            )
            out = generator(source, kp_source[0], kp_source[1], value, jacobian)
            prediction = np.transpose(out.data.cpu().numpy(), [0, 2, 3, 1])[0]
            elapsed = (time.perf_counter() - started) * 1000
            if i >= warmup:
                predictions.append(prediction)
                times.append(elapsed)
    return predictions, times


def to_rgb24(predictions: List[np.ndarray]) -> bytes:
    """Rounded and clamped like the engine's planarToRgb24."""
    stacked = np.stack(predictions) * 255
    return np.clip(np.floor(stacked + 0.5), 0, 255).astype(np.uint8).tobytes()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marionette_convert.bench_reference")
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--config", required=True, help="a built-in config name or a YAML path")
    parser.add_argument("--source", required=True, help="the photo as raw RGB24 at the model's size")
    parser.add_argument("--driving", required=True, help="driving frames as raw RGB24 at the model's size")
    parser.add_argument("--frames", type=int, help="at most this many driving frames")
    parser.add_argument("--warmup", type=int, default=2, help="untimed frames first")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--absolute", action="store_true", help="absolute keypoints (default: relative with adapt scale)")
    parser.add_argument("--dump", help="write the generated frames here as RGB24")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    kp_detector, generator, width, height = load_networks(args.checkpoint, args.config)
    kp_detector, generator = kp_detector.to(args.device), generator.to(args.device)
    load_ms = (time.perf_counter() - started) * 1000
    source = read_frames(args.source, width, height, 1)[0]
    driving = read_frames(args.driving, width, height, args.frames)
    relative = not args.absolute
    # Timed as the official demo runs on this GPU: PyTorch's defaults, which on an Ampere or newer GPU compute
    # convolutions in TF32 (10-bit mantissa).
    cuda = args.device != "cpu"
    tf32 = {"cudnn": torch.backends.cudnn.allow_tf32, "matmul": torch.backends.cuda.matmul.allow_tf32} if cuda else None
    predictions, times = make_animation(
        source, driving, generator, kp_detector, args.warmup, relative=relative, adapt_movement_scale=relative, device=args.device
    )
    if args.dump:
        if cuda:
            # The parity reference in full float32, untimed: TF32's error would otherwise be counted against the engine.
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False
            predictions, _ = make_animation(
                source, driving, generator, kp_detector, 0, relative=relative, adapt_movement_scale=relative, device=args.device
            )
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32["cudnn"], tf32["matmul"]
        with open(args.dump, "wb") as f:
            f.write(to_rgb24(predictions))
    report = {
        "frames": len(times),
        "msPerFrame": statistics.median(times),
        "meanMsPerFrame": statistics.fmean(times),
        "times": [round(t, 2) for t in times],
        "loadMs": round(load_ms, 1),
        "threads": torch.get_num_threads(),
        "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(),
        "torch": torch.__version__,
        "tf32WhileTimed": tf32,
        "referenceFloat32": bool(args.dump),  # the dumped frames: float32 throughout (TF32 off on CUDA)
        "width": width,
        "height": height,
    }
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
