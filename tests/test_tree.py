"""The repository's tree: plain ``pytest`` collects it, the package's data are real files (no
symlinks), and every one of them ships in the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import mockserver

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(mockserver.__file__).parent
SKIPPED = {".git", ".venv", "__pycache__", "node_modules", ".node"}


def _tree(top: Path):
    for path in top.iterdir():
        if path.name in SKIPPED:
            continue
        yield path
        if path.is_dir() and not path.is_symlink():
            yield from _tree(path)


def test_the_checkout_has_no_symlinks():
    """They break on Windows checkouts and hide files from grep."""
    assert [str(p.relative_to(ROOT)) for p in _tree(ROOT) if p.is_symlink()] == []


def test_every_data_file_of_the_package_is_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["mockserver"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    data = {p for p in _tree(PACKAGE) if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert sorted(str(p.relative_to(PACKAGE)) for p in data - shipped) == []
    assert shipped, "the patterns match no file"


def test_plain_pytest_collects_every_test():
    """As the ``pytest`` console script runs: the working directory is not on ``sys.path``
    (``python -P``) and nothing comes through PYTHONPATH (conftest.py puts the root there)."""
    inherited = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in inherited if p != str(ROOT))}
    done = subprocess.run([sys.executable, "-P", "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0 and re.fullmatch(r"\d+ tests collected in .*", summary), (
        done.stdout[-3000:] + done.stderr[-3000:])
