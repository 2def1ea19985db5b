"""python -m marionette_convert.testing make-random-checkpoint --config small|small-zero-order|vox|… --out F [--reference DIR]"""

import argparse
import sys
import time
from typing import List, Optional

import torch

from ..configs import resolve_config
from . import TEST_CONFIGS
from .official_layout import save_official_layout
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
    args = parser.parse_args(argv)

    started = time.monotonic()
    torch.set_grad_enabled(False)
    config = resolve_config(TEST_CONFIGS.get(args.config, args.config))
    kp_detector, generator = build_random_networks(config, args.seed)
    save_official_layout(args.out, kp_detector, generator, args.seed, legacy_format=args.format == "legacy", with_moments=not args.no_optimizer_moments)
    if args.reference:
        write_reference(args.reference, config, kp_detector, generator, args.seed, args.generator_batch)
    print(f"Wrote {args.out}{' and ' + args.reference if args.reference else ''} in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
