"""Marionette's converter: official First Order Motion Model checkpoints → ONNX model folders.

This package is the only Python in Marionette. It re-implements the FOMM networks
(Siarohin et al., NeurIPS 2019) with the official checkpoints' parameter names, loads
a checkpoint's `kp_detector` and `generator` weights strictly and exports both
networks to ONNX in the contract of src/engine/model/manifest.ts.
"""

__version__ = "1.0.0"
