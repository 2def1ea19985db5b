"""Test support: seeded random-weight FOMM checkpoints and PyTorch reference outputs.

`python -m marionette_convert.testing make-random-checkpoint --config small --out x.pth.tar --reference dir`
builds the networks of a config with seeded random weights (BatchNorm layers get
running statistics measured on random images, then perturbed), saves a checkpoint
laid out like the official ones, and writes the PyTorch outputs the ONNX export must
reproduce.
"""

import os

CONFIG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")
TEST_CONFIGS = {"small": os.path.join(CONFIG_DIR, "small.yaml"), "small-zero-order": os.path.join(CONFIG_DIR, "small-zero-order.yaml")}
