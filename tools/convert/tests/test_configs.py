import os
import tempfile
import unittest

import yaml

from marionette_convert.configs import BUILTIN_MODEL_PARAMS, BUILTIN_NAMES, check_frame_size, resolve_config
from marionette_convert.errors import ConvertError

# The model_params section of the official config/vox-256.yaml, as published.
OFFICIAL_VOX_YAML = """
dataset_params:
  root_dir: data/vox-png
  frame_shape: [256, 256, 3]
model_params:
  common_params:
    num_kp: 10
    num_channels: 3
    estimate_jacobian: True
  kp_detector_params:
     temperature: 0.1
     block_expansion: 32
     max_features: 1024
     scale_factor: 0.25
     num_blocks: 5
  generator_params:
    block_expansion: 64
    max_features: 512
    num_down_blocks: 2
    num_bottleneck_blocks: 6
    estimate_occlusion_map: True
    dense_motion_params:
      block_expansion: 64
      max_features: 1024
      num_blocks: 5
      scale_factor: 0.25
  discriminator_params:
    scales: [1]
    block_expansion: 32
train_params:
  num_epochs: 100
"""


class ConfigTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self) -> None:
        self.dir.cleanup()

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_builtin_names(self) -> None:
        self.assertEqual(BUILTIN_NAMES, ("vox", "vox-adv", "taichi", "taichi-adv", "mgif", "fashion"))
        for name in BUILTIN_NAMES:
            config = resolve_config(name)
            self.assertEqual((config.width, config.height, config.num_kp), (256, 256, 10))
            self.assertTrue(config.estimate_jacobian)
            self.assertIsNotNone(config.dataset)
            check_frame_size(config)
        self.assertTrue(resolve_config("mgif").model_params["kp_detector_params"]["single_jacobian_map"])

    def test_official_yaml_reads_as_the_builtin(self) -> None:
        config = resolve_config(self.write("vox-256.yaml", OFFICIAL_VOX_YAML))
        self.assertEqual(config.model_params, BUILTIN_MODEL_PARAMS["vox"])
        self.assertEqual(config.dataset.key if config.dataset else None, "vox")
        adv = resolve_config(self.write("vox-adv-256.yaml", OFFICIAL_VOX_YAML))
        self.assertEqual(adv.dataset.key if adv.dataset else None, "vox-adv")

    def test_frame_shape_sets_the_size(self) -> None:
        text = OFFICIAL_VOX_YAML.replace("frame_shape: [256, 256, 3]", "frame_shape: [512, 384, 3]")
        config = resolve_config(self.write("custom.yaml", text))
        # [width, height, channels], as the official loader reshapes stacked frames
        self.assertEqual((config.width, config.height), (512, 384))
        self.assertEqual(config.dataset.key if config.dataset else None, "vox")  # from root_dir data/vox-png
        anonymous = resolve_config(self.write("mine.yaml", text.replace("data/vox-png", "data/frames")))
        self.assertIsNone(anonymous.dataset)

    def test_rejections_are_single_sentences(self) -> None:
        cases = {
            "unknown name": "voxceleb",
            "missing file": os.path.join(self.dir.name, "nope.yaml"),
            "no model_params": self.write("a.yaml", "dataset_params: {}\n"),
            "not yaml": self.write("b.yaml", "model_params: [unclosed\n"),
            "unknown key": self.write("c.yaml", OFFICIAL_VOX_YAML.replace("num_blocks: 5\n  generator", "num_blocks: 5\n     dropout: 0.1\n  generator")),
            "grayscale": self.write("d.yaml", OFFICIAL_VOX_YAML.replace("num_channels: 3", "num_channels: 1")),
            "odd scale": self.write("e.yaml", OFFICIAL_VOX_YAML.replace("scale_factor: 0.25\n     num", "scale_factor: 0.3\n     num")),
            "folder": self.dir.name,
        }
        for label, arg in cases.items():
            with self.subTest(label):
                with self.assertRaises(ConvertError) as caught:
                    resolve_config(arg)
                sentence = caught.exception.sentence
                self.assertTrue(sentence.endswith("."), sentence)
                self.assertNotIn("\n", sentence)

    def test_values_of_the_wrong_type_are_refused_in_one_sentence(self) -> None:
        cases = {
            "a quoted number": ("num_blocks: 5\n  generator", 'num_blocks: "5"\n  generator', 'kp_detector_params.num_blocks \'5\'; it must be a whole number of at least 1.'),
            "a fraction": ("block_expansion: 64\n    max_features: 512", "block_expansion: 64.5\n    max_features: 512", "generator_params.block_expansion 64.5; it must be a whole number of at least 1."),
            "a yes/no word": ("estimate_jacobian: True", "estimate_jacobian: maybe", "common_params.estimate_jacobian 'maybe'; it must be True or False."),
            "a negative temperature": ("temperature: 0.1", "temperature: -0.1", "kp_detector_params.temperature -0.1; it must be a number above 0."),
        }
        for label, (old, new, expected) in cases.items():
            with self.subTest(label):
                self.assertIn(old, OFFICIAL_VOX_YAML)
                path = self.write(f"{label.replace('/', '-').replace(' ', '-')}.yaml", OFFICIAL_VOX_YAML.replace(old, new, 1))
                with self.assertRaises(ConvertError) as caught:
                    resolve_config(path)
                self.assertTrue(caught.exception.sentence.endswith(expected), caught.exception.sentence)

    def test_frame_size_must_halve_evenly(self) -> None:
        text = OFFICIAL_VOX_YAML.replace("frame_shape: [256, 256, 3]", "frame_shape: [200, 200, 3]")
        with self.assertRaises(ConvertError):
            check_frame_size(resolve_config(self.write("f.yaml", text)))

    def test_frames_too_small_for_the_keypoint_head_are_refused_in_a_sentence(self) -> None:
        # 16x16 frames with vox's detector at scale 0.25 give it a 4-pixel map; without padding its 7x7 head has no
        # output position, which PyTorch would report with a traceback. (Fewer blocks, so only the head is too big.)
        text = OFFICIAL_VOX_YAML.replace("frame_shape: [256, 256, 3]", "frame_shape: [16, 16, 3]")
        config = resolve_config(self.write("tiny.yaml", text))
        config.model_params["kp_detector_params"]["pad"] = 0
        config.model_params["kp_detector_params"]["num_blocks"] = 0
        config.model_params["generator_params"]["num_down_blocks"] = 0
        config.model_params["generator_params"]["dense_motion_params"]["num_blocks"] = 0
        with self.assertRaises(ConvertError) as caught:
            check_frame_size(config)
        self.assertIn("too small for its keypoint detector's 7x7 head at scale 0.25 (its map would be 4 pixels a side)", caught.exception.sentence)
        config.model_params["kp_detector_params"]["pad"] = 2  # 4 + 2*2 >= 7: one output position
        check_frame_size(config)

    def test_yaml_stays_data(self) -> None:
        # safe_load: a YAML tag cannot construct Python objects.
        path = self.write("g.yaml", "model_params: !!python/object/apply:os.system ['true']\n")
        with self.assertRaises(ConvertError):
            resolve_config(path)
        self.assertIsInstance(yaml.safe_load("a: 1"), dict)


if __name__ == "__main__":
    unittest.main()
