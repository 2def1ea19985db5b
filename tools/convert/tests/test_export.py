"""Export of the small test configs: contract, float16 rewrite, zero-order inputs."""

import os
import tempfile
import unittest

import onnx
import torch
from onnx import TensorProto

from marionette_convert.configs import resolve_config
from marionette_convert.export import GeneratorForExport, KPDetectorForExport, check_model, export_network, generator_io, kp_detector_io
from marionette_convert.fp16 import convert_to_float16
from marionette_convert.testing import TEST_CONFIGS
from marionette_convert.testing.random_model import build_random_networks


class ExportTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.dir.cleanup()

    def export_generator(self, config_name: str) -> onnx.ModelProto:
        config = resolve_config(TEST_CONFIGS[config_name])
        _, generator = build_random_networks(config, seed=3)
        inputs, outputs = generator_io(config.num_kp, config.height, config.width)
        path = os.path.join(self.dir.name, "generator.onnx")
        return export_network(GeneratorForExport(generator, config.estimate_jacobian), inputs, outputs, path, "test", {"k": "v"})

    def test_contract_and_metadata(self) -> None:
        model = self.export_generator("small")
        self.assertGreaterEqual(model.opset_import[0].version, 16)
        ops = {n.op_type for n in model.graph.node}
        self.assertIn("GridSample", ops)
        self.assertNotIn("Inverse", ops)
        grid = next(n for n in model.graph.node if n.op_type == "GridSample")
        self.assertEqual(onnx.helper.get_attribute_value(next(a for a in grid.attribute if a.name == "align_corners")), 1)
        self.assertEqual({p.key: p.value for p in model.metadata_props}, {"k": "v"})
        dims = [d.dim_param or d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
        self.assertEqual(dims, ["N", 3, 64, 64])

    def test_zero_order_generator_keeps_jacobian_inputs(self) -> None:
        model = self.export_generator("small-zero-order")
        names = [i.name for i in model.graph.input]
        self.assertEqual(names, ["source", "kp_source_value", "kp_source_jacobian", "kp_driving_value", "kp_driving_jacobian"])

    def test_zero_order_detector_outputs_identity_jacobians(self) -> None:
        config = resolve_config(TEST_CONFIGS["small-zero-order"])
        detector, _ = build_random_networks(config, seed=3)
        value, jacobian = KPDetectorForExport(detector).eval()(torch.rand(2, 3, config.height, config.width))
        self.assertEqual(tuple(value.shape), (2, 3, 2))
        self.assertTrue(torch.equal(jacobian, torch.eye(2).expand(2, 3, 2, 2)))
        inputs, outputs = kp_detector_io(config.num_kp, config.height, config.width)
        export_network(KPDetectorForExport(detector), inputs, outputs, os.path.join(self.dir.name, "kp.onnx"), "kp", {})

    def test_float16_rewrite(self) -> None:
        model = self.export_generator("small")
        half, clipped = convert_to_float16(model)
        self.assertEqual(clipped, 0)
        config = resolve_config(TEST_CONFIGS["small"])
        inputs, outputs = generator_io(config.num_kp, config.height, config.width, TensorProto.FLOAT16)
        check_model(half, inputs, outputs)
        float32_left = [t.name for t in half.graph.initializer if t.data_type == TensorProto.FLOAT]
        resize_params = {n.input[i] for n in half.graph.node if n.op_type == "Resize" for i in (1, 2) if i < len(n.input)}
        self.assertTrue(set(float32_left) <= resize_params, float32_left)


if __name__ == "__main__":
    unittest.main()
