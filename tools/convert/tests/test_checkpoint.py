import collections
import os
import tempfile
import struct
import unittest
import zipfile

import torch
from torch import nn

from marionette_convert import safe_unpickle
from marionette_convert.checkpoint import _restricted_load, describe_mismatch, load_weights, read_checkpoint
from marionette_convert.errors import ConvertError


class Payload:
    """A class a malicious checkpoint could ask the unpickler to build."""


class CheckpointTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))

    def tearDown(self) -> None:
        self.dir.cleanup()

    def save(self, name: str, obj: object, legacy: bool = True) -> str:
        path = os.path.join(self.dir.name, name)
        torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
        return path

    def official_like(self) -> dict:
        optimizer = torch.optim.Adam(self.net.parameters(), lr=2e-4, betas=(0.5, 0.999))
        return {
            "kp_detector": self.net.state_dict(),
            "generator": self.net.state_dict(),
            "discriminator": {"discs.1.conv.weight": torch.zeros(1)},
            "optimizer_generator": optimizer.state_dict(),  # floats: PyTorch 1.13's weights-only reader rejects these
            "epoch": 99,
        }

    def test_reads_both_formats_with_optimizer_floats(self) -> None:
        for legacy in (True, False):
            with self.subTest(legacy=legacy):
                weights = read_checkpoint(self.save(f"c{legacy}.pth.tar", self.official_like(), legacy))
                self.assertEqual(set(weights), {"kp_detector", "generator"})
                self.assertTrue(torch.equal(weights["generator"]["0.weight"], self.net[0].weight))

    def test_restricted_reader_reads_both_formats(self) -> None:
        for legacy in (True, False):
            with self.subTest(legacy=legacy):
                data = _restricted_load(self.save(f"r{legacy}.pth.tar", self.official_like(), legacy))
                self.assertEqual(data["epoch"], 99)
                self.assertEqual(data["optimizer_generator"]["param_groups"][0]["betas"], (0.5, 0.999))
                self.assertTrue(torch.equal(data["kp_detector"]["1.running_var"], self.net[1].running_var))

    def test_data_parallel_prefix_is_removed(self) -> None:
        checkpoint = self.official_like()
        checkpoint["generator"] = collections.OrderedDict((f"module.{k}", v) for k, v in self.net.state_dict().items())
        weights = read_checkpoint(self.save("dp.pth.tar", checkpoint))
        self.assertIn("0.weight", weights["generator"])

    def test_restricted_unpickler_refuses_other_globals(self) -> None:
        path = self.save("evil.pth", {"kp_detector": self.net.state_dict(), "x": Payload()})
        with self.assertRaises(safe_unpickle.UnsafeGlobalError):
            _restricted_load(path)
        with self.assertRaises(ConvertError) as caught:
            read_checkpoint(path)
        self.assertIn("Payload", caught.exception.sentence)

    def test_a_torchscript_archive_is_refused_before_loading(self) -> None:
        # torch.load before PyTorch 2.6 hands such a file to torch.jit.load, which runs its code, even with weights_only.
        path = os.path.join(self.dir.name, "scripted.pth.tar")
        torch.jit.save(torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3))), path)
        with self.assertRaises(ConvertError) as caught:
            read_checkpoint(path)
        self.assertIn("is a TorchScript program, not a checkpoint of weights, so it was not opened", caught.exception.sentence)

    def test_a_torchscript_archive_python_cannot_list_is_refused_too(self) -> None:
        # A malformed extra field in one central-directory entry: Python's zipfile refuses the archive, PyTorch's
        # reader (the one torch.load uses) ignores the field and would hand the program to torch.jit.load.
        path = os.path.join(self.dir.name, "scripted.pth.tar")
        torch.jit.save(torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3))), path)
        damaged = os.path.join(self.dir.name, "damaged.pth.tar")
        with open(path, "rb") as f:
            data = _with_malformed_extra_field(f.read())
        with open(damaged, "wb") as f:
            f.write(data)
        with self.assertRaises(zipfile.BadZipFile):
            zipfile.ZipFile(damaged)
        with open(damaged, "rb") as f, torch.serialization._open_zipfile_reader(f) as archive:
            self.assertIn("constants.pkl", archive.get_all_records())  # still a TorchScript program to PyTorch
        with self.assertRaises(ConvertError) as caught:
            read_checkpoint(damaged)
        self.assertIn("is a TorchScript program, not a checkpoint of weights, so it was not opened", caught.exception.sentence)

    def test_not_a_checkpoint(self) -> None:
        junk = os.path.join(self.dir.name, "junk.pth.tar")
        with open(junk, "wb") as f:
            f.write(os.urandom(4096))
        empty = os.path.join(self.dir.name, "empty.pth.tar")
        open(empty, "wb").close()
        cases = [junk, empty, os.path.join(self.dir.name, "missing.pth.tar"), self.save("other.pth", {"model": self.net.state_dict()}), self.save("list.pth", [1, 2])]
        for path in cases:
            with self.subTest(path=os.path.basename(path)):
                with self.assertRaises(ConvertError) as caught:
                    read_checkpoint(path)
                self.assertTrue(caught.exception.sentence.endswith("."))

    def test_mismatch_is_described_and_refused(self) -> None:
        other = nn.Sequential(nn.Conv2d(3, 5, 3), nn.BatchNorm2d(5), nn.Conv2d(5, 1, 1))
        problem = describe_mismatch(other, self.net.state_dict())
        self.assertIn("missing, such as 2.weight", problem)
        self.assertIn("0.weight [4, 3, 3, 3] where the config needs [5, 3, 3, 3]", problem)
        with self.assertRaises(ConvertError) as caught:
            load_weights(other, self.net.state_dict(), "generator", "vox")
        self.assertIn('do not fit the "vox" config', caught.exception.sentence)

    def test_missing_batch_counters_are_tolerated(self) -> None:
        state = {k: v for k, v in self.net.state_dict().items() if not k.endswith("num_batches_tracked")}
        target = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.assertEqual(describe_mismatch(target, state), "")


if __name__ == "__main__":
    unittest.main()


def _with_malformed_extra_field(data: bytes) -> bytes:
    """The archive with a 4-byte extra field claiming 255 bytes appended to its last central-directory entry
    (sizes and offsets after it fixed up, ZIP64 records included)."""
    out = bytearray(data)
    eocd = out.rfind(b"PK\x05\x06")
    zip64 = out.rfind(b"PK\x06\x06")
    locator = out.rfind(b"PK\x06\x07")
    count, cd_size, cd_offset = struct.unpack("<HII", out[eocd + 10 : eocd + 20])
    if zip64 != -1:
        count = struct.unpack("<Q", out[zip64 + 32 : zip64 + 40])[0]
        cd_size, cd_offset = struct.unpack("<QQ", out[zip64 + 40 : zip64 + 56])
    p = cd_offset
    for _ in range(count - 1):
        name_len, extra_len, comment_len = struct.unpack("<HHH", out[p + 28 : p + 34])
        p += 46 + name_len + extra_len + comment_len
    name_len, extra_len, _ = struct.unpack("<HHH", out[p + 28 : p + 34])
    bad = struct.pack("<HH", 0xCAFE, 255)
    at = p + 46 + name_len + extra_len
    out[at:at] = bad
    struct.pack_into("<H", out, p + 30, extra_len + len(bad))
    if zip64 != -1:
        zip64 += len(bad)
        locator += len(bad)
        struct.pack_into("<Q", out, zip64 + 40, cd_size + len(bad))
        struct.pack_into("<Q", out, locator + 8, zip64)
    eocd += len(bad)
    size32 = struct.unpack("<I", out[eocd + 12 : eocd + 16])[0]
    if size32 != 0xFFFFFFFF:
        struct.pack_into("<I", out, eocd + 12, size32 + len(bad))
    return bytes(out)
