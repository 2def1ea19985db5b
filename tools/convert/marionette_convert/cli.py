"""Command line: python -m marionette_convert convert --checkpoint F --config C --out DIR
    [--precision fp32|mixed|fp16 | --fp16] [--plain]
    [--upsample-interleave stack|depth-to-space] [--no-winograd].

Exit codes: 0 done; 2 a bad input, named in one sentence on stderr; 1 anything else.
Progress goes to stdout.
"""

import argparse
import sys
import traceback
from typing import List, Optional

from .configs import BUILTIN_NAMES
from .errors import ConvertError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConvertError(f"{message[0].upper()}{message[1:]} (see --help).")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m marionette_convert", description="Convert official FOMM checkpoints to Marionette model folders.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    convert = commands.add_parser("convert", help="convert a checkpoint")
    convert.add_argument("--checkpoint", required=True, help="official checkpoint, e.g. vox-cpk.pth.tar")
    convert.add_argument("--config", required=True, help=f"one of {', '.join(BUILTIN_NAMES)}, or an official YAML file")
    convert.add_argument("--out", required=True, help="model folder to write, e.g. models/vox")
    convert.add_argument(
        "--precision",
        choices=("fp32", "mixed", "fp16"),  # convert.PRECISIONS (not imported here: it needs torch)
        default=None,
        help="the generator's precision: fp32 (default); mixed, float16 for its convolutional trunk only, for GPUs "
        "(float32 inputs and outputs); fp16, float16 throughout",
    )
    convert.add_argument("--fp16", action="store_true", help="the same as --precision fp16")
    convert.add_argument(
        "--plain",
        action="store_true",
        help="export layer for layer, without the inference rewrites and the shared source (slower; for comparisons)",
    )
    convert.add_argument(
        "--upsample-interleave",
        choices=("stack", "depth-to-space"),  # inference_rewrites.INTERLEAVES (not imported here: it needs torch)
        default="stack",
        help="how the up-sampling blocks interleave their four phases: stack (default, fastest on the CPU) or "
        "depth-to-space (one DepthToSpace op; fewer transposes on the WebGPU provider)",
    )
    convert.add_argument(
        "--no-winograd",
        action="store_true",
        help="compute the generator's residual blocks by direct 3x3 convolutions instead of Winograd F(4x4, 3x3) "
        "(about 1e-6 closer to PyTorch, slower; an fp16 generator always does, a mixed one in float16)",
    )
    commands.add_parser("versions", help="print the Python, PyTorch and ONNX versions in use")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "versions":
            return _versions()
        if args.fp16 and args.precision not in (None, "fp16"):
            raise ConvertError(f"--fp16 means --precision fp16; it cannot go with --precision {args.precision}.")
        from .convert import ConvertOptions, convert

        convert(
            ConvertOptions(
                checkpoint=args.checkpoint,
                config=args.config,
                out=args.out,
                precision="fp16" if args.fp16 else args.precision or "fp32",
                plain=args.plain,
                interleave=args.upsample_interleave,
                winograd=not args.no_winograd,
            ),
            log=lambda line: print(line, flush=True),
        )
        return 0
    except ConvertError as e:
        print(e.sentence, file=sys.stderr, flush=True)
        return e.exit_code
    except KeyboardInterrupt:
        print("Interrupted; nothing was written.", file=sys.stderr)
        return 130
    except MemoryError:
        print("The conversion ran out of memory; converting a 256x256 model needs about 3 GB of free RAM.", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - reported with its traceback
        traceback.print_exc()
        print("The conversion failed unexpectedly (the traceback above says where).", file=sys.stderr)
        return 1


def _versions() -> int:
    import platform

    import onnx
    import torch

    try:
        import yaml  # type: ignore[import-untyped]

        yaml_version = yaml.__version__
    except ImportError:
        yaml_version = "missing"
    print(f"python {platform.python_version()} ({sys.executable}), torch {torch.__version__}, onnx {onnx.__version__}, pyyaml {yaml_version}")
    return 0
