"""A pickle module for torch.load that rebuilds tensors and containers, and nothing else.

torch.load(weights_only=True) is the preferred way to open an untrusted checkpoint,
but PyTorch 1.13's weights-only unpickler rejects plain floats (pickle opcode
BINFLOAT), which every official FOMM checkpoint holds in its optimizer state. On such
versions the converter reads the file with torch's own format readers driven by this
module: the standard pickle machinery, with find_class limited to an allow-list, so
the file cannot name (and run) arbitrary Python callables.
"""

import collections
import pickle
from typing import Any

ALLOWED_GLOBALS = frozenset(
    {
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch._utils", "_rebuild_parameter_with_state"),
        ("torch", "Size"),
        ("torch", "device"),
    }
)


class UnsafeGlobalError(pickle.UnpicklingError):
    """The pickle names a global outside the allow-list."""

    def __init__(self, module: str, name: str) -> None:
        super().__init__(f"checkpoint refers to {module}.{name}, which is not allowed in a weights file")
        self.global_name = f"{module}.{name}"


def _resolve(module: str, name: str) -> Any:
    if module == "collections":
        return collections.OrderedDict
    import importlib

    return getattr(importlib.import_module(module), name, None)


class Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # torch.load resolves storage classes (torch.FloatStorage, …) itself before asking here.
        if (module, name) in ALLOWED_GLOBALS:
            resolved = _resolve(module, name)
            if resolved is not None:
                return resolved
        raise UnsafeGlobalError(module, name)


def load(file: Any, **kwargs: Any) -> Any:
    return Unpickler(file, **kwargs).load()


__all__ = ["Unpickler", "load", "UnsafeGlobalError", "ALLOWED_GLOBALS"]
