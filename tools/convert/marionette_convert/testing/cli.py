"""python -m marionette_convert.testing make-random-checkpoint --config small|small-zero-order|vox|… --out F [--reference DIR]
python -m marionette_convert.testing make-hostile-checkpoint --kind os-system|… --out F [--marker FILE]
python -m marionette_convert.testing convert-many --checkpoint F --configs vox,taichi,… --out DIR [convert options]
python -m marionette_convert.testing describe-conversion --checkpoint F --configs C1,C2,…
python -m marionette_convert.testing state-dict-layout --configs C1,C2,…
"""

import argparse
import sys
import time
from typing import List, Optional

import torch

from ..configs import resolve_config
from . import TEST_CONFIGS
from .official_layout import save_official_layout
from .hostile import KINDS, write_hostile
from .random_model import build_random_networks
from .reference import write_reference


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marionette_convert.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-random-checkpoint", help="seeded random-weight checkpoint in the official layout")
    make.add_argument("--config", required=True, help=f"{', '.join(TEST_CONFIGS)}, a built-in config name or a YAML path")
    make.add_argument("--out", required=True, help="checkpoint file to write")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--reference", help="folder for PyTorch reference outputs (reference.json + .f32 files)")
    make.add_argument("--generator-batch", type=int, choices=(1, 2), default=2, help="frames in the generator reference")
    make.add_argument("--format", choices=("legacy", "zip"), default="legacy", help="torch.save format (official files are legacy)")
    make.add_argument("--no-optimizer-moments", action="store_true", help="omit Adam's moment tensors (smaller file)")
    hostile = commands.add_parser("make-hostile-checkpoint", help="a file a checkpoint reader must refuse")
    hostile.add_argument("--kind", required=True, choices=KINDS)
    hostile.add_argument("--out", required=True)
    hostile.add_argument("--marker", default="/nonexistent/marionette-pwned", help="the file an os-system pickle would create")
    many = commands.add_parser("convert-many", help="convert one checkpoint with several configs in one process (the converter's convert())")
    many.add_argument("--checkpoint", required=True)
    many.add_argument("--configs", required=True, help="comma-separated config names or YAML paths")
    many.add_argument("--out", required=True, help="folder for one model folder per config, named after it")
    many.add_argument("--precision", choices=("fp32", "mixed", "fp16"), default="fp32")
    many.add_argument("--plain", action="store_true")
    many.add_argument("--upsample-interleave", choices=("stack", "depth-to-space"), default="stack")
    many.add_argument("--no-winograd", action="store_true")
    describe = commands.add_parser("describe-conversion", help="what the converter writes besides the networks, per config, as JSON")
    describe.add_argument("--checkpoint", required=True, help="the checkpoint's path (only its name is used)")
    describe.add_argument("--configs", required=True, help="comma-separated config names")
    layout = commands.add_parser("state-dict-layout", help="print the networks' state_dict names and shapes as JSON")
    layout.add_argument("--configs", required=True, help="comma-separated config names or YAML paths")
    args = parser.parse_args(argv)

    if args.command == "make-hostile-checkpoint":
        write_hostile(args.kind, args.out, args.marker)
        return 0
    if args.command == "convert-many":
        return _convert_many(args)
    if args.command == "describe-conversion":
        return _describe_conversions(args.checkpoint, args.configs.split(","))
    if args.command == "state-dict-layout":
        return _state_dict_layouts(args.configs.split(","))
    started = time.monotonic()
    torch.set_grad_enabled(False)
    config = resolve_config(TEST_CONFIGS.get(args.config, args.config))
    kp_detector, generator = build_random_networks(config, args.seed)
    save_official_layout(args.out, kp_detector, generator, args.seed, legacy_format=args.format == "legacy", with_moments=not args.no_optimizer_moments)
    if args.reference:
        write_reference(args.reference, config, kp_detector, generator, args.seed, args.generator_batch)
    print(f"Wrote {args.out}{' and ' + args.reference if args.reference else ''} in {time.monotonic() - started:.1f} s", flush=True)
    return 0


def _convert_many(args: argparse.Namespace) -> int:
    """The Python converter's convert(), once per config, in one process (PyTorch is imported once)."""
    import os

    from ..convert import ConvertOptions, convert

    for config in args.configs.split(","):
        name = os.path.splitext(os.path.basename(config))[0]
        convert(
            ConvertOptions(
                checkpoint=args.checkpoint,
                config=TEST_CONFIGS.get(config, config),
                out=os.path.join(args.out, name),
                precision=args.precision,
                plain=args.plain,
                interleave=args.upsample_interleave,
                winograd=not args.no_winograd,
            ),
            log=lambda line: print(line, flush=True),
        )
    return 0


def _describe_conversions(checkpoint: str, config_names: List[str]) -> int:
    """{config: {manifest, metadata, generatorMetadata, modelParams}}: the manifest.json text (for a model folder named
    after the config, with the shared source a default conversion writes), the ONNX metadata of each network and the
    model_params, as convert() would write them for this checkpoint, without exporting anything."""
    import json

    from ..convert import GRID_SAMPLE, onnx_metadata
    from ..configs import map_size_warning
    from ..manifest import build_manifest

    out = {}
    for name in config_names:
        config = resolve_config(TEST_CONFIGS.get(name, name))
        metadata = onnx_metadata(config, checkpoint, map_size_warning(config))
        out[name] = {
            "manifest": json.dumps(build_manifest(name, config, checkpoint, "fp32", shared_source=True), indent=2, ensure_ascii=False) + "\n",
            "metadata": metadata,
            "generatorMetadata": {**metadata, "marionette.grid_sample": GRID_SAMPLE},
            "modelParams": config.model_params,
        }
    print(json.dumps(out))
    return 0


def _state_dict_layouts(config_names: List[str]) -> int:
    """{config: {network: [[name, shape], …]}}: each network's state_dict in PyTorch's order, what a checkpoint of the config holds."""
    import json

    from ..generator import OcclusionAwareGenerator
    from ..keypoint_detector import KPDetector

    out = {}
    for name in config_names:
        config = resolve_config(TEST_CONFIGS.get(name, name))
        networks = {"kp_detector": KPDetector(**config.kp_detector_kwargs()), "generator": OcclusionAwareGenerator(**config.generator_kwargs())}
        out[name] = {net: [[k, list(v.shape)] for k, v in module.state_dict().items()] for net, module in networks.items()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
