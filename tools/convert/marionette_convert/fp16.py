"""Rewrites an exported float32 ONNX graph to float16 (the --fp16 generator, for GPUs).

Every float tensor becomes float16: graph inputs and outputs, initializers, Constant
and ConstantOfShape values and Cast targets. The exceptions are inputs that ONNX
requires to be float32 whatever the data type, namely Resize's roi and scales.
"""

from typing import Dict, List, Set, Tuple

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# Inputs (by position) that stay float32 whatever the data's type.
FLOAT32_ONLY_INPUTS: Dict[str, Tuple[int, ...]] = {"Resize": (1, 2)}
FP16_MAX = float(np.finfo(np.float16).max)


def convert_to_float16(model: onnx.ModelProto) -> Tuple[onnx.ModelProto, int]:
    """A float16 copy of `model`; also returns how many weights were clipped to float16's range."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    if any(a.type == onnx.AttributeProto.GRAPH or a.type == onnx.AttributeProto.GRAPHS for n in graph.node for a in n.attribute):
        raise ValueError("graphs with subgraphs (If, Loop, Scan) are not supported by the float16 rewrite")

    keep = _float32_only_tensors(graph)
    clipped = 0

    for tensor in graph.initializer:
        if tensor.data_type == TensorProto.FLOAT and tensor.name not in keep:
            converted, n = to_half(tensor)
            tensor.CopyFrom(converted)
            clipped += n

    for node in graph.node:
        if node.op_type == "Constant" and node.output[0] not in keep:
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    converted, n = to_half(attr.t)
                    attr.t.CopyFrom(converted)
                    clipped += n
        elif node.op_type == "ConstantOfShape":
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    converted, _ = to_half(attr.t)
                    attr.t.CopyFrom(converted)
        elif node.op_type == "Cast":
            for attr in node.attribute:
                if attr.name == "to" and attr.i == TensorProto.FLOAT:
                    attr.i = TensorProto.FLOAT16

    for value in list(graph.input) + list(graph.output):
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    # Intermediate types are re-derived by shape inference.
    del graph.value_info[:]
    return out, clipped


def _float32_only_tensors(graph: onnx.GraphProto) -> Set[str]:
    """Names that must stay float32; each must be a constant used only in such positions."""
    keep: Set[str] = set()
    for node in graph.node:
        for index in FLOAT32_ONLY_INPUTS.get(node.op_type, ()):
            if index < len(node.input) and node.input[index]:
                keep.add(node.input[index])
    constants = {t.name for t in graph.initializer} | {n.output[0] for n in graph.node if n.op_type == "Constant"}
    for name in keep:
        if name not in constants:
            raise ValueError(f"{name} must be float32 but is computed in the graph")
    shared: List[str] = []
    for node in graph.node:
        allowed = FLOAT32_ONLY_INPUTS.get(node.op_type, ())
        for index, name in enumerate(node.input):
            if name in keep and index not in allowed:
                shared.append(name)
    if shared:
        raise ValueError(f"{shared[0]} feeds both float32-only and float16 inputs")
    return keep


def to_half(tensor: TensorProto) -> Tuple[TensorProto, int]:
    """A float16 copy of a float32 tensor, clipped to float16's range; also returns how many values were clipped."""
    array = numpy_helper.to_array(tensor)
    too_large = int(np.count_nonzero(np.abs(array) > FP16_MAX))
    half = np.clip(array, -FP16_MAX, FP16_MAX).astype(np.float16)
    return numpy_helper.from_array(half, tensor.name), too_large
