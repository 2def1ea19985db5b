import os
import tempfile
import unittest

import yaml

from marionette_convert.configs import BUILTIN_MODEL_PARAMS, BUILTIN_NAMES, check_frame_size, map_size_warning, resolve_config
from marionette_convert.errors import ConvertError
from marionette_convert.testing import TEST_CONFIGS

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
        self.assertEqual(BUILTIN_NAMES, ("vox", "vox-adv", "taichi", "taichi-adv", "mgif", "fashion", "bair", "nemo"))
        for name in BUILTIN_NAMES:
            config = resolve_config(name)
            self.assertEqual((config.width, config.height, config.num_kp), (256, 256, 10))
            self.assertTrue(config.estimate_jacobian)
            self.assertEqual(config.dataset.key if config.dataset else None, name)
            check_frame_size(config)
            self.assertIsNone(map_size_warning(config))
        self.assertTrue(resolve_config("mgif").model_params["kp_detector_params"]["single_jacobian_map"])

    def test_official_yaml_reads_as_the_builtin(self) -> None:
        config = resolve_config(self.write("vox-256.yaml", OFFICIAL_VOX_YAML))
        self.assertEqual(config.model_params, BUILTIN_MODEL_PARAMS["vox"])
        self.assertEqual(config.dataset.key if config.dataset else None, "vox")
        adv = resolve_config(self.write("vox-adv-256.yaml", OFFICIAL_VOX_YAML))
        self.assertEqual(adv.dataset.key if adv.dataset else None, "vox-adv")

    def test_bair_and_nemo_are_the_official_yamls(self) -> None:
        # config/bair-256.yaml and nemo-256.yaml publish vox's model_params, key for key; bair's frames were
        # once given as image_shape.
        for name, frames in (("bair-256.yaml", "image_shape: [256, 256, 3]"), ("nemo-256.yaml", "frame_shape: [256, 256, 3]")):
            with self.subTest(name):
                key = name.split("-")[0]
                text = OFFICIAL_VOX_YAML.replace("data/vox-png", f"data/{key}").replace("frame_shape: [256, 256, 3]", frames)
                config = resolve_config(self.write(name, text))
                builtin = resolve_config(key)
                self.assertEqual(config.model_params, builtin.model_params)
                self.assertEqual((config.width, config.height), (builtin.width, builtin.height))
                self.assertEqual(config.dataset, builtin.dataset)

    def test_the_official_vox_512_yaml_warns_about_its_maps(self) -> None:
        # config/vox-512.yaml: vox-256's model_params with both scale_factors 0.125, and frame_shape [256, 256, 3].
        text = OFFICIAL_VOX_YAML.replace("scale_factor: 0.25", "scale_factor: 0.125")
        self.assertEqual(text.count("scale_factor: 0.125"), 2)
        config = resolve_config(self.write("vox-512.yaml", text))
        check_frame_size(config)  # converts as written, at 256x256
        self.assertEqual((config.width, config.height), (256, 256))
        warning = map_size_warning(config)
        self.assertIsNotNone(warning)
        assert warning is not None
        self.assertEqual(
            warning,
            "at 256x256 frames the config vox-512.yaml runs its keypoint detector on 32x32 maps (scale_factor "
            "0.125) and its dense motion network on 32x32 maps (scale_factor 0.125), where the published FOMM models "
            "with these networks use 64x64; the model is converted for 256x256 frames as the config says, but if its "
            "weights were trained on 512x512 frames, convert with a copy of the config whose dataset_params.frame_shape is [512, 512, 3].",
        )
        # Following the advice gives 64x64 maps and no warning.
        at_512 = resolve_config(self.write("vox-512-at-512.yaml", text.replace("[256, 256, 3]", "[512, 512, 3]")))
        check_frame_size(at_512)
        self.assertEqual((at_512.width, at_512.height), (512, 512))
        self.assertIsNone(map_size_warning(at_512))

    def test_map_size_warning_names_a_size_only_when_one_fits(self) -> None:
        # Only the dense motion network is off: its maps would be 64 at 512 but the detector's at 256, so no advice.
        text = OFFICIAL_VOX_YAML.replace("scale_factor: 0.25\n  discriminator", "scale_factor: 0.125\n  discriminator")
        self.assertIn("scale_factor: 0.125", text)
        warning = map_size_warning(resolve_config(self.write("mixed.yaml", text)))
        self.assertEqual(
            warning,
            "at 256x256 frames the config mixed.yaml runs its dense motion network on 32x32 maps "
            "(scale_factor 0.125), where the published FOMM models with these networks use 64x64; the model is "
            "converted for 256x256 frames as the config says.",
        )
        # A non-square config is judged by the longer side of its maps.
        wide = resolve_config(self.write("wide.yaml", OFFICIAL_VOX_YAML.replace("[256, 256, 3]", "[256, 128, 3]")))
        check_frame_size(wide)
        self.assertIsNone(map_size_warning(wide))

    def test_map_size_warning_is_only_for_the_published_networks(self) -> None:
        # The small test configs run 32x32 maps, but no published model has their networks to compare with.
        for name, path in TEST_CONFIGS.items():
            with self.subTest(name):
                self.assertIsNone(map_size_warning(resolve_config(path)))
        wider = OFFICIAL_VOX_YAML.replace("scale_factor: 0.25", "scale_factor: 0.125").replace("max_features: 512", "max_features: 256")
        self.assertIsNone(map_size_warning(resolve_config(self.write("other.yaml", wider))))

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
