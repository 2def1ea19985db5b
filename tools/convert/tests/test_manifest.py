import unittest

from marionette_convert.configs import LICENSE, resolve_config
from marionette_convert.errors import ConvertError
from marionette_convert.manifest import build_manifest, model_name
from marionette_convert.testing import TEST_CONFIGS


class ManifestTest(unittest.TestCase):
    def test_name_from_folder(self) -> None:
        self.assertEqual(model_name("models/Vox-ADV"), "vox-adv")
        self.assertEqual(model_name("models/vox/"), "vox")
        for bad in ("models/my model", "models/.hidden", "models/" + "x" * 65):
            with self.assertRaises(ConvertError):
                model_name(bad)

    def test_training_framing_per_builtin_config(self) -> None:
        # GIVEN each built-in config THEN the manifest says how its training data was framed (faces or the whole subject).
        expected = {"vox": "face", "vox-adv": "face", "nemo": "face", "taichi": "whole", "taichi-adv": "whole"}
        expected.update({"fashion": "whole", "mgif": "whole", "bair": "whole"})
        for label, framing in expected.items():
            self.assertEqual(build_manifest(label, resolve_config(label), f"{label}.pth.tar")["framing"], framing, label)
        # GIVEN a custom config THEN nothing is claimed (the engine reads it as centred framing).
        self.assertNotIn("framing", build_manifest("mine", resolve_config(TEST_CONFIGS["small-zero-order"]), "mine.pth.tar"))

    def test_official_model(self) -> None:
        manifest = build_manifest("vox", resolve_config("vox"), "/data/vox-cpk.pth.tar", "fp16")
        self.assertEqual(manifest["formatVersion"], 1)
        self.assertEqual(manifest["family"], "fomm")
        self.assertEqual(manifest["inputSize"], {"width": 256, "height": 256})
        self.assertEqual((manifest["numKeypoints"], manifest["hasJacobian"]), (10, True))
        self.assertEqual(manifest["recommendedMode"], "relative")
        self.assertEqual(manifest["trainedOn"], "VoxCeleb talking-head videos")
        self.assertEqual(manifest["license"], LICENSE)
        self.assertEqual(manifest["source"], "https://github.com/AliaksandrSiarohin/first-order-model (vox-cpk.pth.tar)")
        self.assertEqual(manifest["precision"], {"kpDetector": "fp32", "generator": "fp16"})

    def test_shared_source_is_stated_only_when_exported(self) -> None:
        config = resolve_config("vox")
        self.assertNotIn("sharedSource", build_manifest("vox", config, "vox-cpk.pth.tar"))
        self.assertIs(build_manifest("vox", config, "vox-cpk.pth.tar", shared_source=True)["sharedSource"], True)

    def test_custom_model_does_not_claim_the_official_license(self) -> None:
        manifest = build_manifest("mine", resolve_config(TEST_CONFIGS["small-zero-order"]), "mine.pth.tar")
        self.assertNotIn("Siarohin", manifest["license"])
        self.assertEqual(manifest["inputSize"], {"width": 64, "height": 48})
        self.assertFalse(manifest["hasJacobian"])


if __name__ == "__main__":
    unittest.main()
