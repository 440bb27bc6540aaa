"""The package's data are real files (no symlinks), and every one of them ships in the wheel."""

from __future__ import annotations

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
