"""A whole conversion of the small test config: what it warns about and the provenance its ONNX files carry."""

import contextlib
import io
import os
import tempfile
import unittest
from typing import Dict, Tuple
from unittest import mock

import onnx
import torch

from marionette_convert.cli import main
from marionette_convert.configs import resolve_config
from marionette_convert.convert import GRID_SAMPLE, onnx_metadata
from marionette_convert.testing import TEST_CONFIGS
from marionette_convert.testing.random_model import build_random_networks


def _metadata(path: str) -> Dict[str, str]:
    return {p.key: p.value for p in onnx.load(path).metadata_props}


class ConvertTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.dir.cleanup()

    def test_provenance_of_a_builtin_config(self) -> None:
        metadata = onnx_metadata(resolve_config("vox"), "/data/vox-cpk.pth.tar", None)
        self.assertEqual(metadata["marionette.config"], "vox")
        self.assertEqual(metadata["marionette.checkpoint"], "vox-cpk.pth.tar")
        self.assertNotIn("marionette.warning", metadata)
        self.assertIn("align_corners=True", GRID_SAMPLE)

    def convert_small(self, out: str) -> Tuple[int, str, str]:
        config = resolve_config(TEST_CONFIGS["small"])
        detector, generator = build_random_networks(config, seed=2)
        checkpoint = os.path.join(self.dir.name, "small.pth.tar")
        torch.save({"kp_detector": detector.state_dict(), "generator": generator.state_dict()}, checkpoint)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["convert", "--checkpoint", checkpoint, "--config", TEST_CONFIGS["small"], "--out", out, "--plain"])
        return code, stdout.getvalue(), stderr.getvalue()

    def test_a_config_without_warnings_converts_without_stderr_or_warning_metadata(self) -> None:
        out = os.path.join(self.dir.name, "small")
        code, _, stderr = self.convert_small(out)
        self.assertEqual((code, stderr), (0, ""))
        self.assertNotIn("marionette.warning", _metadata(os.path.join(out, "generator.onnx")))
        self.assertEqual(_metadata(os.path.join(out, "generator.onnx"))["marionette.grid_sample"], GRID_SAMPLE)

    def test_the_cli_warns_on_stderr_and_records_sampling_and_warning(self) -> None:
        # A map-size warning (as for the official vox-512.yaml; see test_configs) goes to stderr, once, and into
        # both networks' metadata; the conversion goes on.
        warning = "at 64x64 frames the config small.yaml runs its keypoint detector on 32x32 maps."
        out = os.path.join(self.dir.name, "small")
        with mock.patch("marionette_convert.convert.map_size_warning", return_value=warning):
            code, stdout, stderr = self.convert_small(out)
        self.assertEqual(code, 0, stderr)
        self.assertEqual(stderr, f"Warning: {warning}\n")
        self.assertNotIn("Warning", stdout)

        generator_metadata = _metadata(os.path.join(out, "generator.onnx"))
        self.assertEqual(generator_metadata["marionette.grid_sample"], GRID_SAMPLE)
        self.assertTrue(GRID_SAMPLE.startswith("mode=bilinear padding_mode=zeros align_corners=True "))
        kp_metadata = _metadata(os.path.join(out, "kp_detector.onnx"))
        self.assertNotIn("marionette.grid_sample", kp_metadata)  # the detector samples nothing
        for metadata in (generator_metadata, kp_metadata):
            self.assertEqual(metadata["marionette.config"], "small.yaml")
            self.assertEqual(metadata["marionette.checkpoint"], "small.pth.tar")
            self.assertEqual(metadata["marionette.warning"], warning)
        # The exported graph does what the metadata says.
        grids = [n for n in onnx.load(os.path.join(out, "generator.onnx")).graph.node if n.op_type == "GridSample"]
        self.assertTrue(grids)
        for node in grids:
            attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            self.assertEqual((attributes["align_corners"], attributes.get("mode", b"bilinear"), attributes.get("padding_mode", b"zeros")), (1, b"bilinear", b"zeros"))


if __name__ == "__main__":
    unittest.main()
