"""The mixed-precision rewrite: float16 regions by node name, float32 everywhere else."""

import os
import tempfile
import unittest
from typing import Dict, List

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

from marionette_convert.configs import resolve_config
import torch

from marionette_convert.convert import MIXED_HALF_BOTTLENECK, MIXED_HALF_MODULES, ConvertOptions, convert
from marionette_convert.export import GeneratorForExport, check_model, export_network, generator_io
from marionette_convert.inference_rewrites import rewrite_for_inference
from marionette_convert.mixed_precision import convert_to_mixed_precision
from marionette_convert.testing import TEST_CONFIGS
from marionette_convert.testing.random_model import build_random_networks


def _toy_graph() -> onnx.ModelProto:
    """x → conv → relu → resize → cast(float) → add(shared) → softmax → y; relu → mul(shared) → z.
    The /trunk/ nodes are the float16 region; `shared` is used on both sides."""
    init = [
        numpy_helper.from_array(np.full((2, 2, 3, 3), 0.1, np.float32), "w"),
        numpy_helper.from_array(np.array([0.5, -0.5], np.float32), "b"),
        numpy_helper.from_array(np.array([1.0, 1.0, 2.0, 2.0], np.float32), "scales"),
        numpy_helper.from_array(np.array([0.25], np.float32), "shared"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["t1"], name="/trunk/conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["t1"], ["t2"], name="/trunk/relu"),
        helper.make_node("Resize", ["t2", "", "scales"], ["t3"], name="/trunk/resize", mode="nearest"),
        helper.make_node("Cast", ["t3"], ["t4"], name="/trunk/cast", to=TensorProto.FLOAT),
        helper.make_node("Add", ["t4", "shared"], ["t5"], name="/head/add"),
        helper.make_node("Softmax", ["t5"], ["y"], name="/head/softmax", axis=1),
        helper.make_node("Mul", ["t2", "shared"], ["z"], name="/trunk/mul"),
    ]
    graph = helper.make_graph(
        nodes,
        "toy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8]), helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 2, 4, 4])],
        init,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _types(model: onnx.ModelProto) -> Dict[str, int]:
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    g = inferred.graph
    types = {v.name: v.type.tensor_type.elem_type for v in [*g.input, *g.value_info, *g.output]}
    types.update({t.name: t.data_type for t in g.initializer})
    return types


class ToyGraphTest(unittest.TestCase):
    def setUp(self) -> None:
        self.model, self.clipped = convert_to_mixed_precision(_toy_graph(), ["/trunk/"])
        self.types = _types(self.model)
        self.nodes = {n.name: n for n in self.model.graph.node}

    def test_is_a_valid_graph_with_float32_inputs_and_outputs(self) -> None:
        onnx.checker.check_model(self.model)  # also checks that producers come before consumers
        self.assertEqual([(v.name, v.type.tensor_type.elem_type) for v in self.model.graph.input], [("x", TensorProto.FLOAT)])
        self.assertEqual(
            [(v.name, v.type.tensor_type.elem_type) for v in self.model.graph.output], [("y", TensorProto.FLOAT), ("z", TensorProto.FLOAT)]
        )
        self.assertEqual(self.clipped, 0)

    def test_the_named_region_computes_in_float16_and_the_rest_in_float32(self) -> None:
        for name in ("/trunk/conv", "/trunk/relu", "/trunk/resize", "/trunk/cast", "/trunk/mul"):
            self.assertEqual(self.types[self.nodes[name].output[0]], TensorProto.FLOAT16, name)
        for name in ("/head/add", "/head/softmax"):
            self.assertEqual(self.types[self.nodes[name].output[0]], TensorProto.FLOAT, name)
        self.assertEqual(self.types["w"], TensorProto.FLOAT16)
        self.assertEqual(self.types["b"], TensorProto.FLOAT16)

    def test_casts_only_where_the_precisions_meet(self) -> None:
        casts = [n for n in self.model.graph.node if n.op_type == "Cast" and n.name != "/trunk/cast"]
        edges = sorted((n.input[0], helper.get_attribute_value(n.attribute[0])) for n in casts)
        # x into the region, t4 out of it to /head/add, and z's float16 value back to float32 under its own name.
        self.assertEqual(edges, [("t4", TensorProto.FLOAT), ("x", TensorProto.FLOAT16), ("z__fp16", TensorProto.FLOAT)])
        self.assertEqual(helper.get_attribute_value(self.nodes["/trunk/cast"].attribute[0]), TensorProto.FLOAT16)

    def test_a_constant_used_on_both_sides_gets_a_float16_copy(self) -> None:
        self.assertEqual(self.types["shared"], TensorProto.FLOAT)
        self.assertEqual(self.types["shared__fp16"], TensorProto.FLOAT16)
        self.assertEqual(list(self.nodes["/trunk/mul"].input), ["t2", "shared__fp16"])
        self.assertEqual(list(self.nodes["/head/add"].input), ["t4__fp32", "shared"])

    def test_resize_scales_stay_float32(self) -> None:
        self.assertEqual(self.types["scales"], TensorProto.FLOAT)
        self.assertEqual(self.nodes["/trunk/resize"].input[2], "scales")

    def test_a_prefix_that_names_no_node_is_an_error(self) -> None:
        with self.assertRaisesRegex(ValueError, "no node is named /encoder/"):
            convert_to_mixed_precision(_toy_graph(), ["/trunk/", "/encoder/"])


class GeneratorTest(unittest.TestCase):
    """The converter's regions on an exported FOMM generator (the small test config)."""

    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.config = resolve_config(TEST_CONFIGS["small"])

    def tearDown(self) -> None:
        self.dir.cleanup()

    def mixed(self, winograd: bool) -> onnx.ModelProto:
        _, generator = build_random_networks(self.config, seed=5)
        generator = rewrite_for_inference(generator, "stack", winograd)
        inputs, outputs = generator_io(self.config.num_kp, self.config.height, self.config.width, shared_source=True)
        path = os.path.join(self.dir.name, "generator.onnx")
        model = export_network(GeneratorForExport(generator, True, True), inputs, outputs, path, "test", {})
        modules = MIXED_HALF_MODULES if winograd else (*MIXED_HALF_MODULES, MIXED_HALF_BOTTLENECK)
        mixed, _ = convert_to_mixed_precision(model, modules)
        check_model(mixed, inputs, outputs)  # the float32 contract, unchanged
        return mixed

    def weight_types(self, model: onnx.ModelProto, prefix: str, ops: List[str]) -> List[int]:
        init = {t.name: t.data_type for t in model.graph.initializer}
        return [init[n.input[1]] for n in model.graph.node if n.name.startswith(prefix) and n.op_type in ops and n.input[1] in init]

    def test_the_trunk_is_float16_and_the_motion_network_float32(self) -> None:
        model = self.mixed(winograd=True)
        for prefix in MIXED_HALF_MODULES:
            types = self.weight_types(model, prefix, ["Conv"])
            self.assertTrue(types and set(types) == {TensorProto.FLOAT16}, prefix)
        motion = self.weight_types(model, "/dense_motion_network/", ["Conv"])
        self.assertTrue(motion and set(motion) == {TensorProto.FLOAT}, motion)
        grid_samples = [n for n in model.graph.node if n.op_type == "GridSample"]
        types = _types(model)
        self.assertTrue(grid_samples and all(types[n.output[0]] == TensorProto.FLOAT for n in grid_samples))
        # With Winograd the residual blocks keep float32 (the transforms would lose about three bits in float16).
        bottleneck = self.weight_types(model, MIXED_HALF_BOTTLENECK, ["Conv", "MatMul"])
        self.assertTrue(bottleneck and set(bottleneck) == {TensorProto.FLOAT}, bottleneck)

    def test_a_plain_export_is_converted_too(self) -> None:
        # --plain --precision mixed: the layer-for-layer export names the modules under /generator.
        detector, generator = build_random_networks(self.config, seed=6)
        checkpoint = os.path.join(self.dir.name, "small.pth.tar")
        torch.save({"kp_detector": detector.state_dict(), "generator": generator.state_dict()}, checkpoint)
        out = os.path.join(self.dir.name, "small-plain-mixed")
        convert(ConvertOptions(checkpoint=checkpoint, config=TEST_CONFIGS["small"], out=out, plain=True, precision="mixed"), log=lambda _: None, warn=lambda _: None)
        model = onnx.load(os.path.join(out, "generator.onnx"))
        self.assertEqual(set(self.weight_types(model, "/generator/first/", ["Conv"])), {TensorProto.FLOAT16})
        self.assertEqual(set(self.weight_types(model, "/generator/dense_motion_network/", ["Conv"])), {TensorProto.FLOAT})

    def test_without_winograd_the_residual_blocks_are_float16_too(self) -> None:
        model = self.mixed(winograd=False)
        bottleneck = self.weight_types(model, MIXED_HALF_BOTTLENECK, ["Conv"])
        self.assertTrue(bottleneck and set(bottleneck) == {TensorProto.FLOAT16}, bottleneck)


if __name__ == "__main__":
    unittest.main()
