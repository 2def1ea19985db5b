"""One Python conversion, measured from inside (npm run bench:convert): `python -m marionette_convert.testing.measure
<convert arguments>` runs `python -m marionette_convert convert <arguments>` and prints one JSON line on stderr with
the time from the start of the conversion module's work (PyTorch's import included) and the process's peak resident
memory."""

import json
import resource
import runpy
import sys
import time

started = time.monotonic()
sys.argv = ["marionette_convert", "convert", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("marionette_convert", run_name="__main__")
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else 1
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"ms": (time.monotonic() - started) * 1000, "peakRssMb": peak, "code": code}), file=sys.stderr, flush=True)
sys.exit(code)
