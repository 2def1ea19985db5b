"""Mixed precision for an exported float32 ONNX graph: chosen regions in float16, the rest float32.

What PyTorch's autocast does for a GPU, written into the graph: the nodes whose names start
with one of `half_prefixes` (the convolutional trunks, where nearly all the arithmetic is)
compute in float16; every other node (coordinates, the jacobians' inverses, softmax, the
grid samples) keeps float32, and so do the graph's inputs and outputs. A `Cast` is placed
on each edge where the two meet (one per tensor and direction, shared by its consumers).

Constants (initializers and `Constant` nodes) take the precision of their consumers; one
used by both kinds gets a float16 copy. Inputs that ONNX wants in float32 whatever the
data's type (Resize's roi and scales) are left alone, and `Cast … to float` inside a
float16 region becomes `to float16`. Element types come from ONNX shape inference.
"""

from typing import Dict, List, Sequence, Set, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, shape_inference

from .fp16 import FLOAT32_ONLY_INPUTS, to_half


def convert_to_mixed_precision(model: onnx.ModelProto, half_prefixes: Sequence[str]) -> Tuple[onnx.ModelProto, int]:
    """A copy of `model` whose nodes under `half_prefixes` run in float16; also returns how many weights were clipped
    to float16's range. Raises ValueError when a prefix matches no node (the exporter's names changed)."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in graph.node for a in n.attribute):
        raise ValueError("graphs with subgraphs (If, Loop, Scan) are not supported by the mixed-precision rewrite")
    unmatched = [p for p in half_prefixes if not any(n.name.startswith(p) for n in graph.node)]
    if unmatched:
        raise ValueError(f"no node is named {unmatched[0]}…: the exported graph's names are not what the rewrite expects")

    floats = _float_tensors(out)
    constant_nodes = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
    initializers = {t.name: t for t in graph.initializer}
    # By position: protobuf hands out a new wrapper object for a node at every access.
    is_half = [n.op_type != "Constant" and any(n.name.startswith(p) for p in half_prefixes) for n in graph.node]

    # Which precision each consumer wants of each float tensor (float32-only positions want float32).
    wanted: Dict[str, Set[bool]] = {}
    for position, node in enumerate(graph.node):
        keep32 = FLOAT32_ONLY_INPUTS.get(node.op_type, ())
        for index, name in enumerate(node.input):
            if name in floats:
                wanted.setdefault(name, set()).add(is_half[position] and index not in keep32)
    for output in graph.output:
        wanted.setdefault(output.name, set()).add(False)

    # Precision of each float tensor as produced: graph inputs float32, node outputs their node's,
    # constants float16 when every consumer wants float16.
    produced_half: Dict[str, bool] = {i.name: False for i in graph.input}
    for position, node in enumerate(graph.node):
        for name in node.output:
            if name in floats:
                if node.op_type == "Constant":
                    produced_half[name] = wanted.get(name) == {True}
                else:
                    produced_half[name] = is_half[position]
    for name in initializers:
        if name in floats:
            produced_half[name] = wanted.get(name) == {True}

    clipped = 0
    for name, tensor in initializers.items():
        if produced_half.get(name):
            converted, n = to_half(tensor)
            tensor.CopyFrom(converted)
            clipped += n
    for name, node in constant_nodes.items():
        if produced_half.get(name):
            value = next(a for a in node.attribute if a.name == "value")
            converted, n = to_half(value.t)
            value.t.CopyFrom(converted)
            clipped += n

    # Nodes inside float16 regions: float attributes and Cast targets follow.
    for position, node in enumerate(graph.node):
        if not is_half[position]:
            continue
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.FLOAT:
                attr.i = TensorProto.FLOAT16
            elif node.op_type == "ConstantOfShape" and attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(to_half(attr.t)[0])

    # Casts where precisions meet: a float16 copy of a float32 constant is a constant, anything else a Cast node.
    converted_names: Dict[Tuple[str, bool], str] = {}
    new_nodes: List[onnx.NodeProto] = []

    def as_precision(name: str, half: bool) -> str:
        if produced_half[name] == half:
            return name
        key = (name, half)
        if key not in converted_names:
            target = f"{name}__{'fp16' if half else 'fp32'}"
            converted_names[key] = target
            if half and name in initializers:
                copy, _ = to_half(initializers[name])
                copy.name = target
                graph.initializer.append(copy)
            elif half and name in constant_nodes:
                value = next(a for a in constant_nodes[name].attribute if a.name == "value")
                new_nodes.append(helper.make_node("Constant", [], [target], name=target, value=to_half(value.t)[0]))
            else:
                new_nodes.append(
                    helper.make_node("Cast", [name], [target], name=target, to=TensorProto.FLOAT16 if half else TensorProto.FLOAT)
                )
        return converted_names[key]

    for position, node in enumerate(graph.node):
        keep32 = FLOAT32_ONLY_INPUTS.get(node.op_type, ())
        for index, name in enumerate(node.input):
            if name in floats:
                node.input[index] = as_precision(name, is_half[position] and index not in keep32)

    # Graph outputs stay float32: a float16 result is renamed inside and cast back under its own name.
    for output in graph.output:
        if produced_half.get(output.name):
            inner = f"{output.name}__fp16"
            for node in [*graph.node, *new_nodes]:
                for index, name in enumerate(node.output):
                    if name == output.name:
                        node.output[index] = inner
                for index, name in enumerate(node.input):
                    if name == output.name:
                        node.input[index] = inner
            new_nodes.append(helper.make_node("Cast", [inner], [output.name], name=f"{output.name}__fp32", to=TensorProto.FLOAT))

    _insert_in_order(graph, new_nodes)
    del graph.value_info[:]  # intermediate types are re-derived by shape inference
    return out, clipped


def _float_tensors(model: onnx.ModelProto) -> Set[str]:
    """Names of every float32 tensor in the graph: inputs, initializers and node outputs (by shape inference)."""
    inferred = shape_inference.infer_shapes(_without_weights(model), data_prop=True)
    graph = inferred.graph
    names = {v.name for v in [*graph.input, *graph.value_info, *graph.output] if v.type.tensor_type.elem_type == TensorProto.FLOAT}
    names |= {t.name for t in model.graph.initializer if t.data_type == TensorProto.FLOAT}
    for node in graph.node:
        if node.op_type == "Constant":
            value = next((a for a in node.attribute if a.name == "value"), None)
            if value is not None and value.t.data_type == TensorProto.FLOAT:
                names.add(node.output[0])
    return names


def _without_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """The graph for shape inference, with its large initializers declared as inputs of the same type and shape:
    inference needs their types, not their hundreds of megabytes (small ones, such as shapes, keep their values)."""
    light = onnx.ModelProto()
    light.ir_version = model.ir_version
    light.opset_import.extend(model.opset_import)
    graph = light.graph
    graph.node.extend(model.graph.node)
    graph.input.extend(model.graph.input)
    graph.output.extend(model.graph.output)
    for tensor in model.graph.initializer:
        if int(np.prod(tensor.dims)) <= 64:
            graph.initializer.append(tensor)
        else:
            graph.input.append(helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
    return light


def _insert_in_order(graph: onnx.GraphProto, added: List[onnx.NodeProto]) -> None:
    """Adds each of `added` right after the node producing its input (first when that is a graph input, an
    initializer or nothing), so producers stay before consumers and the original order is kept."""
    after: Dict[str, List[onnx.NodeProto]] = {}
    first: List[onnx.NodeProto] = []
    producers = {name for node in graph.node for name in node.output}
    for node in added:
        source = node.input[0] if node.input else ""
        if source in producers:
            after.setdefault(source, []).append(node)
        else:
            first.append(node)
    ordered: List[onnx.NodeProto] = list(first)
    for node in graph.node:
        ordered.append(node)
        for name in node.output:
            ordered.extend(after.pop(name, []))
    del graph.node[:]
    graph.node.extend(ordered)
