"""Opening an official FOMM checkpoint and loading its weights strictly.

An official checkpoint (`vox-cpk.pth.tar`, …) is a torch.save'd dict with the
state_dicts of `kp_detector` and `generator`, and often `discriminator`, the three
optimizers and `epoch`; only the first two are used here.
"""

import inspect
import os
import pickle
import re
import zipfile
from typing import Any, Dict, List, Mapping, Tuple

import torch
from torch import nn

from . import safe_unpickle
from .errors import ConvertError

NETWORKS = ("kp_detector", "generator")


def read_checkpoint(path: str) -> Dict[str, Mapping[str, torch.Tensor]]:
    """Loads the file without running code from it; returns the kp_detector and generator state_dicts."""
    if not os.path.exists(path):
        raise ConvertError(f"The checkpoint {path} does not exist.")
    if os.path.isdir(path):
        raise ConvertError(f"The checkpoint {path} is a folder, not a .pth.tar file.")
    if os.path.getsize(path) == 0:
        raise ConvertError(f"The checkpoint {path} is empty.")
    _refuse_torchscript(path)
    data = _torch_load(path)
    if not isinstance(data, Mapping):
        raise ConvertError(f"{path} is a PyTorch file but not a First Order Motion Model checkpoint (it holds a {type(data).__name__}, not a dict).")
    absent = [name for name in NETWORKS if not _is_state_dict(data.get(name))]
    if absent:
        keys = ", ".join(sorted(str(k) for k in data.keys())[:6]) or "none"
        raise ConvertError(
            f"{path} is not a First Order Motion Model checkpoint: it has no {' or '.join(absent)} weights (its top-level keys: {keys})."
        )
    return {name: _strip_wrapper_prefix(data[name]) for name in NETWORKS}


def load_weights(module: nn.Module, state: Mapping[str, torch.Tensor], network: str, config_label: str) -> None:
    """load_state_dict(strict=True), after naming any mismatch with the config in one sentence."""
    problem = describe_mismatch(module, state)
    if problem:
        raise ConvertError(
            f"The checkpoint's {network} weights do not fit the \"{config_label}\" config ({problem}); pass the config the checkpoint was trained with."
        )
    module.load_state_dict(state, strict=True)


def describe_mismatch(module: nn.Module, state: Mapping[str, torch.Tensor]) -> str:
    """'' when every key and shape matches; else a short account of what differs."""
    expected = module.state_dict()
    # BatchNorm's batch counter is absent from checkpoints older than PyTorch 0.4.1; it is unused at inference
    # and load_state_dict fills it in.
    missing = [k for k in expected if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in expected]
    reshaped: List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = [
        (k, tuple(state[k].shape), tuple(v.shape)) for k, v in expected.items() if k in state and tuple(state[k].shape) != tuple(v.shape)
    ]
    parts = []
    if missing:
        parts.append(f"{len(missing)} weights missing, such as {missing[0]}")
    if unexpected:
        parts.append(f"{len(unexpected)} weights the config has no place for, such as {unexpected[0]}")
    if reshaped:
        key, got, want = reshaped[0]
        parts.append(f"{len(reshaped)} weights of another shape, such as {key} {list(got)} where the config needs {list(want)}")
    return "; ".join(parts)


def _refuse_torchscript(path: str) -> None:
    """A TorchScript archive is a program: torch.load (before PyTorch 2.6, weights_only or not) hands one to
    torch.jit.load, which runs its code (CVE-2025-32434). Such a file is refused before torch.load sees it.

    The archive is read the way torch.load reads it — PyTorch's own zip reader, chosen by the same first-bytes
    test — not with Python's zipfile: the two disagree on damaged archives (a malformed extra field that zipfile
    rejects and PyTorch ignores), and a file one of them cannot list must not pass as "not a zip"."""
    serialization = torch.serialization
    try:
        with open(path, "rb") as f:
            if not serialization._is_zipfile(f):
                return  # the legacy format: read by the restricted unpickler only, never by torch.jit.load
            with serialization._open_zipfile_reader(f) as archive:
                records = list(archive.get_all_records())
    except OSError as e:
        raise _unreadable(path, e) from None
    except Exception as e:  # noqa: BLE001 - a zip PyTorch cannot open is not a checkpoint, and is not loaded
        raise _unreadable(path, RuntimeError(str(e))) from None
    # PyTorch names records inside the archive's top folder, without it; allow for a reader that keeps it.
    names = set(records) | {name.split("/", 1)[1] for name in records if "/" in name}
    if "constants.pkl" in names or any(name.startswith("code/") for name in names):
        raise ConvertError(
            f"{path} is a TorchScript program, not a checkpoint of weights, so it was not opened "
            "(loading it would run its code); use the official First Order Motion Model checkpoint."
        )


def _torch_load(path: str) -> Any:
    if "weights_only" in inspect.signature(torch.load).parameters:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            message = str(e)
            # PyTorch < 2.0's weights-only reader lacks some ordinary opcodes (floats); anything else it
            # refuses (a Python class or function) is refused by the restricted reader below too.
            if "Unsupported operand" not in message:
                raise _not_weights(path, message) from None
        except Exception as e:  # noqa: BLE001 - any failure to parse means "not a checkpoint"
            raise _unreadable(path, e) from None
    try:
        return _restricted_load(path)
    except safe_unpickle.UnsafeGlobalError as e:
        raise _not_weights(path, e.global_name) from None
    except Exception as e:  # noqa: BLE001
        raise _unreadable(path, e) from None


def _restricted_load(path: str) -> Any:
    """torch.load's readers for the zip and legacy formats, driven by the allow-listing unpickler.

    They are called directly because PyTorch 1.13's torch.load replaces any pickle_module
    with the standard pickle when weights_only is False.
    """
    serialization = torch.serialization
    with open(path, "rb") as f:
        if serialization._is_zipfile(f):
            with serialization._open_zipfile_reader(f) as archive:
                return serialization._load(archive, "cpu", safe_unpickle, encoding="utf-8")
        return serialization._legacy_load(f, "cpu", safe_unpickle, encoding="utf-8")


def _not_weights(path: str, detail: str) -> ConvertError:
    name = _global_named_in(detail)
    what = f" ({name})" if name else ""
    return ConvertError(
        f"{path} holds Python objects other than weights{what}, so it is not an official First Order Motion Model checkpoint and was not loaded."
    )


def _unreadable(path: str, error: Exception) -> ConvertError:
    if isinstance(error, MemoryError):
        return ConvertError(f"There is not enough memory to load the checkpoint {path}.")
    if isinstance(error, (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, RuntimeError, ValueError, KeyError, AttributeError, UnicodeDecodeError)):
        return ConvertError(f"{path} is not a PyTorch checkpoint (torch.load could not read it), so it is not a First Order Motion Model checkpoint.")
    if isinstance(error, OSError):
        return ConvertError(f"The checkpoint {path} could not be read ({error.strerror or error}).")
    return ConvertError(f"{path} is not a PyTorch checkpoint (torch.load failed with {type(error).__name__}).")


def _global_named_in(message: str) -> str:
    """Pulls 'module.name' out of a refusal message, if it names one."""
    if re.fullmatch(r"[\w.]+", message):
        return message
    found = re.search(r"(?:GLOBAL|class)\s+([A-Za-z_][\w.]*\.[\w]+)", message)
    return found.group(1) if found else ""


def _is_state_dict(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) > 0 and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items())


def _strip_wrapper_prefix(state: Mapping[str, torch.Tensor]) -> Mapping[str, torch.Tensor]:
    """Weights saved from an nn.DataParallel wrapper carry 'module.' on every key."""
    if all(k.startswith("module.") for k in state):
        return {k[len("module."):]: v for k, v in state.items()}
    return state
