"""The named scenarios shipped in the package's ``scenarios/library/`` folder."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from mockserver.scenarios.loader import ScenarioError

LIBRARY_DIR = files("mockserver") / "scenarios" / "library"


def names() -> list[str]:
    return sorted(entry.name.removesuffix(".yaml") for entry in LIBRARY_DIR.iterdir()
                  if entry.name.endswith(".yaml"))


def resolve(name_or_path: str) -> Traversable:
    """A library name (``dunning``) or a path to a scenario file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    named = LIBRARY_DIR / f"{name_or_path}.yaml"
    if named.is_file():
        return named
    raise ScenarioError(str(name_or_path), "", f"no such scenario; the library has: "
                        f"{', '.join(names())}")


def resolve_served(name: str, directory: str | None = None) -> Traversable:
    """What ``POST /_mock/scenario`` may load: a library name, or a file inside ``directory``
    (the server's ``--scenario-dir``) named relative to it. Any other path is refused, so a
    request cannot make the server read (and echo) a file it was not given."""
    named = LIBRARY_DIR / f"{name}.yaml"
    if "/" not in name and "\\" not in name and named.is_file():
        return named
    if directory:
        root = Path(directory).resolve()
        for candidate in (name, f"{name}.yaml"):
            path = (root / candidate).resolve()
            if path.is_relative_to(root) and path.suffix in (".yaml", ".yml") and path.is_file():
                return path
    where = f" or a .yaml file in {directory}" if directory else (
        " (start the server with --scenario-dir DIR to load files from DIR)")
    raise ScenarioError(str(name), "", f"no such scenario; give a library name{where}; the "
                        f"library has: {', '.join(names())}")


def describe_all() -> list[dict]:
    """Name, description and number of replay steps of every library scenario."""
    found = []
    for name in names():
        data = yaml.safe_load((LIBRARY_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        found.append({"name": name, "description": " ".join(data["description"].split()),
                      "steps": len(data.get("steps", []))})
    return found
