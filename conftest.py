"""Every test, and every process a test starts, runs this checkout's ``mockserver``.

pytest imports the plugins of installed packages (our ``billing_mock`` pytest11 entry point
among them) before it reads a conftest or puts the root on ``sys.path``. With a virtualenv whose
editable install points at another checkout, the whole run would quietly test that one.
pyproject.toml therefore blocks the entry point (``-p no:billing_mock``) and this file, which pytest
imports with the root already first on ``sys.path``, loads the same plugin from here.
"""

import os
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent)
# Servers, CLIs and pytester runs in subprocesses import from here too.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))

pytest_plugins = ["mockserver.testing.plugin"]
