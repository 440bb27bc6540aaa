"""The named scenarios shipped in ``scenarios/``."""

from __future__ import annotations

from pathlib import Path

import yaml

from mockserver.scenarios.loader import ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parent / "files"


def names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    """A library name (``dunning``) or a path to a scenario file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        return candidate
    named = SCENARIO_DIR / f"{name_or_path}.yaml"
    if named.exists():
        return named
    raise ScenarioError(str(name_or_path), "", f"no such scenario; the library has: "
                        f"{', '.join(names())}")


def describe_all() -> list[dict]:
    """Name, description and number of replay steps of every library scenario."""
    found = []
    for name in names():
        data = yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        found.append({"name": name, "description": " ".join(data["description"].split()),
                      "steps": len(data.get("steps", []))})
    return found
