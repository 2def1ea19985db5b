"""ONNX export in the engine's model-folder contract (src/engine/model/manifest.ts).

kp_detector.onnx  source [N,3,H,W] → kp_value [N,K,2], kp_jacobian [N,K,2,2]
generator.onnx    source, kp_source_value, kp_source_jacobian, kp_driving_value,
                  kp_driving_jacobian → prediction [N,3,H,W]; with a shared source, source
                  is [S,3,H,W] where S is N or 1 (one source image encoded once for the batch)

The batch dimension is dynamic ('N'); everything else is fixed by the config. Each
file is checked with onnx's checker and a strict shape-inference pass, and its
inputs and outputs are compared with the contract.
"""

import inspect
import warnings
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import onnx
import torch
from onnx import TensorProto, helper, shape_inference
from torch import nn

from .generator import OcclusionAwareGenerator
from .keypoint_detector import KPDetector

OPSET = 17
BATCH = "N"
# The generator's source batch when it may be shared by the whole batch (1 or N).
SOURCE_BATCH = "S"
Dim = Union[int, str]


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: Tuple[Dim, ...]
    elem_type: int = TensorProto.FLOAT


def kp_detector_io(num_kp: int, height: int, width: int) -> Tuple[List[TensorSpec], List[TensorSpec]]:
    return (
        [TensorSpec("source", (BATCH, 3, height, width))],
        [TensorSpec("kp_value", (BATCH, num_kp, 2)), TensorSpec("kp_jacobian", (BATCH, num_kp, 2, 2))],
    )


def generator_io(
    num_kp: int, height: int, width: int, elem_type: int = TensorProto.FLOAT, shared_source: bool = False
) -> Tuple[List[TensorSpec], List[TensorSpec]]:
    value = (BATCH, num_kp, 2)
    jacobian = (BATCH, num_kp, 2, 2)
    return (
        [
            TensorSpec("source", (SOURCE_BATCH if shared_source else BATCH, 3, height, width), elem_type),
            TensorSpec("kp_source_value", value, elem_type),
            TensorSpec("kp_source_jacobian", jacobian, elem_type),
            TensorSpec("kp_driving_value", value, elem_type),
            TensorSpec("kp_driving_jacobian", jacobian, elem_type),
        ],
        [TensorSpec("prediction", (BATCH, 3, height, width), elem_type)],
    )


class KPDetectorForExport(nn.Module):
    """The detector with the contract's outputs: identity jacobians when it estimates none."""

    def __init__(self, detector: KPDetector) -> None:
        super().__init__()
        self.detector = detector

    def forward(self, source: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        value, jacobian = self.detector(source)
        if jacobian is None:
            eye = torch.eye(2, dtype=value.dtype, device=value.device)
            jacobian = torch.zeros_like(value).unsqueeze(-1) + eye
        return value, jacobian


class GeneratorForExport(nn.Module):
    """The generator with the contract's five inputs (jacobians ignored by zero-order models).

    With `shared_source`, the source batch may also be 1 for N driving keypoints: the
    source is encoded once and its features broadcast over the batch (Expand), which
    leaves the output unchanged and saves the encoder's work for every other frame.
    """

    def __init__(self, generator: OcclusionAwareGenerator, use_jacobian: bool, shared_source: bool = False) -> None:
        super().__init__()
        self.generator = generator
        self.use_jacobian = use_jacobian
        self.shared_source = shared_source

    def forward(
        self,
        source: torch.Tensor,
        kp_source_value: torch.Tensor,
        kp_source_jacobian: torch.Tensor,
        kp_driving_value: torch.Tensor,
        kp_driving_jacobian: torch.Tensor,
    ) -> torch.Tensor:
        jac_source = kp_source_jacobian if self.use_jacobian else None
        jac_driving = kp_driving_jacobian if self.use_jacobian else None
        if not self.shared_source:
            return self.generator(source, kp_source_value, jac_source, kp_driving_value, jac_driving)
        n = kp_driving_value.shape[0]
        features = self.generator.encode(source).expand(n, -1, -1, -1)
        return self.generator.render(features, source.expand(n, -1, -1, -1), kp_source_value, jac_source, kp_driving_value, jac_driving)


def example_inputs(specs: Sequence[TensorSpec], batch: int = 1) -> Tuple[torch.Tensor, ...]:
    """Plausible tracing inputs: an image in 0..1, keypoints inside the frame, near-identity jacobians."""
    generator = torch.Generator().manual_seed(0)
    out = []
    for spec in specs:
        shape = [batch if d == BATCH else 1 if isinstance(d, str) else int(d) for d in spec.shape]
        if spec.name.endswith("jacobian"):
            out.append(torch.eye(2).expand(*shape).clone() + 0.05 * torch.randn(*shape, generator=generator))
        elif spec.name.startswith("kp_"):
            out.append(torch.rand(*shape, generator=generator) * 1.6 - 0.8)
        else:
            out.append(torch.rand(*shape, generator=generator))
    return tuple(out)


def export_network(
    module: nn.Module,
    inputs: Sequence[TensorSpec],
    outputs: Sequence[TensorSpec],
    path: str,
    doc: str,
    metadata: Dict[str, str],
) -> onnx.ModelProto:
    """Traces `module` to ONNX at `path`, then checks it against the contract; returns the checked model."""
    module.eval()
    args = example_inputs(inputs)
    kwargs = {
        "opset_version": OPSET,
        "input_names": [s.name for s in inputs],
        "output_names": [s.name for s in outputs],
        "dynamic_axes": {s.name: {0: str(s.shape[0])} for s in [*inputs, *outputs]},
        "do_constant_folding": True,
    }
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter; PyTorch ≥ 2.9 defaults to the dynamo one
    with torch.no_grad(), warnings.catch_warnings():
        # Tracer notes about Python-side shape arithmetic are expected: shapes other than N are fixed.
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, path, **kwargs)

    model = onnx.load(path)
    add_unused_inputs(model, inputs)
    model.producer_name = "marionette-convert"
    model.doc_string = doc
    del model.metadata_props[:]
    for key, value in metadata.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    check_model(model, inputs, outputs)
    declare_shapes(model, inputs, outputs)
    onnx.save(model, path)
    return model


def declare_shapes(model: onnx.ModelProto, inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec]) -> None:
    """Writes the contract's shapes on the graph's inputs and outputs (after check_model derived them), replacing
    the placeholder names the exporter gives dimensions it could not follow."""
    for values, specs in ((model.graph.input, inputs), (model.graph.output, outputs)):
        by_name = {s.name: s for s in specs}
        for value in values:
            spec = by_name.get(value.name)
            if spec is not None:
                value.CopyFrom(helper.make_tensor_value_info(spec.name, spec.elem_type, list(spec.shape)))


def add_unused_inputs(model: onnx.ModelProto, inputs: Sequence[TensorSpec]) -> None:
    """The exporter drops inputs the graph never reads (jacobians of a zero-order model); the contract keeps them."""
    present = {i.name for i in model.graph.input}
    ordered = []
    for spec in inputs:
        if spec.name in present:
            ordered.append(next(i for i in model.graph.input if i.name == spec.name))
        else:
            ordered.append(helper.make_tensor_value_info(spec.name, spec.elem_type, list(spec.shape)))
    extra = [i for i in model.graph.input if i.name not in {s.name for s in inputs}]
    del model.graph.input[:]
    model.graph.input.extend(ordered + extra)


def check_model(model: onnx.ModelProto, inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec]) -> None:
    """onnx.checker, then strict shape inference, which must derive the contract's output shapes by itself."""
    onnx.checker.check_model(model)
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for output in probe.graph.output:
        output.type.tensor_type.ClearField("shape")  # infer, rather than echo, the declared shapes
    inferred = shape_inference.infer_shapes(probe, check_type=True, strict_mode=True, data_prop=True)
    _compare("input", list(model.graph.input), inputs)
    _compare("output", list(inferred.graph.output), outputs)


def _compare(kind: str, actual: List[onnx.ValueInfoProto], expected: Sequence[TensorSpec]) -> None:
    names = [v.name for v in actual]
    if names != [s.name for s in expected]:
        raise AssertionError(f"exported {kind}s are {names}, expected {[s.name for s in expected]}")
    for value, spec in zip(actual, expected):
        tensor = value.type.tensor_type
        if tensor.elem_type != spec.elem_type:
            raise AssertionError(f"{kind} {spec.name} has element type {tensor.elem_type}, expected {spec.elem_type}")
        dims: List[Optional[Dim]] = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in tensor.shape.dim]
        # Batch dimensions (N, S) must be symbolic (any name); the others fixed and equal to the contract's.
        ok = len(dims) == len(spec.shape) and all(
            (isinstance(want, str) and not isinstance(got, int)) or got == want for got, want in zip(dims, spec.shape)
        )
        if not ok:
            raise AssertionError(f"{kind} {spec.name} has shape {dims}, expected {list(spec.shape)}")
