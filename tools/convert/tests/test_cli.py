import contextlib
import io
import os
import tempfile
import unittest

from marionette_convert.cli import main


def run(argv):  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


class CliTest(unittest.TestCase):
    def test_versions(self) -> None:
        code, out, _ = run(["versions"])
        self.assertEqual(code, 0)
        self.assertRegex(out, r"^python 3\.\d+\.\d+ \(.+\), torch \S+, onnx \S+, pyyaml \S+\n$")

    def test_bad_input_is_one_sentence_and_exit_2(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out_dir = os.path.join(tmp, "model")
            cases = [
                ["convert", "--checkpoint", os.path.join(tmp, "none.pth.tar"), "--config", "vox", "--out", out_dir],
                ["convert", "--checkpoint", "x", "--config", "vox"],
                ["convert", "--checkpoint", "x", "--config", "nonsense", "--out", out_dir],
                ["frobnicate"],
            ]
            for argv in cases:
                with self.subTest(argv=argv):
                    code, _, err = run(argv)
                    self.assertEqual(code, 2)
                    self.assertEqual(err.count("\n"), 1, err)
                    self.assertTrue(err.strip().endswith("."), err)
            self.assertFalse(os.path.exists(out_dir))


if __name__ == "__main__":
    unittest.main()
