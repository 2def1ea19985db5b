"""Hostile checkpoints for the safety tests of the converters' checkpoint readers.

Each is a file a user could be handed as a "checkpoint": one whose pickle would call os.system, a zip archive
with an entry outside itself, files stating tensors larger than themselves, a TorchScript program. The tests
require both converters to refuse each in one sentence without running or allocating anything from it.
"""

import io
import os
import pickle
import sys
import zipfile
from typing import Any, Dict, List, Tuple

import torch

# torch.save's legacy stream: the magic number and protocol version it starts with (torch/serialization.py).
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
# A storage size no file of these tests comes near: 2**40 float32 elements (4 TiB).
HUGE = 2**40

KINDS = ("os-system", "os-system-zip", "zip-outside", "huge-tensor-legacy", "huge-tensor-zip", "torchscript")


class _System:
    """Unpickled by a plain pickle.load, this runs `command` in a shell: what a malicious checkpoint does."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        return (os.system, (self.command,))


class _Storage:
    """A placeholder for a storage of `numel` float32 elements; written as torch.save writes a storage reference."""

    def __init__(self, key: str, numel: int) -> None:
        self.key = key
        self.numel = numel


class _Rebuild:
    """Pickled as torch._utils._rebuild_tensor_v2(storage, 0, shape, stride, False, OrderedDict())."""

    def __init__(self, storage: _Storage, shape: Tuple[int, ...]) -> None:
        self.storage = storage
        self.shape = shape

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        stride = tuple(int(torch.tensor(self.shape[i + 1 :]).prod()) for i in range(len(self.shape)))
        import collections

        return (torch._utils._rebuild_tensor_v2, (self.storage, 0, self.shape, stride, False, collections.OrderedDict()))


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, legacy: bool) -> None:
        super().__init__(file, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _Storage):
            if self.legacy:
                return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel, None)
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def _small_state(prefix: str) -> Dict[str, torch.Tensor]:
    net = torch.nn.Conv2d(3, 4, 3)
    return {f"{prefix}{k}": v for k, v in net.state_dict().items()}


def write_hostile(kind: str, path: str, marker: str) -> None:
    if kind == "os-system":
        torch.save({"kp_detector": _small_state(""), "generator": _System(f"touch {marker}")}, path, _use_new_zipfile_serialization=False)
    elif kind == "os-system-zip":
        torch.save({"kp_detector": _small_state(""), "generator": _System(f"touch {marker}")}, path)
    elif kind == "zip-outside":
        _zip_with_entry_outside(path)
    elif kind == "huge-tensor-legacy":
        _huge_legacy(path)
    elif kind == "huge-tensor-zip":
        _huge_zip(path)
    elif kind == "torchscript":
        torch.jit.save(torch.jit.script(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3))), path)
    else:
        raise SystemExit(f"unknown kind {kind}; known: {', '.join(KINDS)}")


def _zip_with_entry_outside(path: str) -> None:
    """A real zip checkpoint, with one more entry whose name climbs out of the archive (a "zip slip")."""
    buffer = io.BytesIO()
    torch.save({"kp_detector": _small_state(""), "generator": _small_state("")}, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        folder = source.namelist()[0].split("/")[0]
        for info in source.infolist():
            out.writestr(info, source.read(info))
        out.writestr(f"{folder}/../../outside.sh", b"echo outside\n")


def _pickled(obj: Any, legacy: bool) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, legacy).dump(obj)
    return buffer.getvalue()


def _huge_state() -> Tuple[Dict[str, Any], List[_Storage]]:
    storage = _Storage("0", HUGE)
    return {"kp_detector": {"kp.weight": _Rebuild(storage, (HUGE,))}, "generator": {"final.weight": _Rebuild(storage, (HUGE,))}}, [storage]


def _huge_legacy(path: str) -> None:
    """The legacy stream with one storage that states 2**40 elements (and says so in its size header too), then 16 bytes."""
    state, storages = _huge_state()
    with open(path, "wb") as f:
        for header in (MAGIC_NUMBER, PROTOCOL_VERSION, {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little"}):
            pickle.dump(header, f, protocol=2)
        f.write(_pickled(state, legacy=True))
        pickle.dump([s.key for s in storages], f, protocol=2)
        for s in storages:
            f.write(s.numel.to_bytes(8, "little"))
            f.write(bytes(16))


def _huge_zip(path: str) -> None:
    """The zip format with data.pkl stating a storage of 2**40 elements whose record holds 16 bytes."""
    state, storages = _huge_state()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        out.writestr("archive/data.pkl", _pickled(state, legacy=False))
        for s in storages:
            out.writestr(f"archive/data/{s.key}", bytes(16))
        out.writestr("archive/version", b"3\n")
