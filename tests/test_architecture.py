"""The shape of the package, checked over every part of ``mockserver/``: imports point one
way (no cycles, no two parts importing each other), the domain is plain Python, every
exception name is defined once, and the public API is curated."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import mockserver

ROOT = Path(mockserver.__file__).parent
# A part may import only parts of a lower rank (see style.md "The shape"): the domain and the
# framework adapters at the bottom, the edge above the services and scenarios, the handlers
# (api, control) above the edge and beside each other, then the app, then what uses the app.
RANKS = {
    "settings": 0, "compat": 0, "bounded": 0, "spec": 0, "domain": 0,
    "schemas": 1, "published": 1, "bridge": 1, "fake": 1, "providers": 1, "documents": 1,
    "state": 2,
    "services": 3,
    "default_world": 4,
    "scenarios": 5,
    "edge": 6, "statefile": 6, "redisworld": 6,
    "api": 7, "control": 7,
    "app": 8,
    "testing": 9, "contract": 9, "recording": 9,
    "cli": 10,
}
# Names the package root offers every part without loading anything (see mockserver/__init__).
ROOT_NAMES = {"__version__"}


def parts() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = defaultdict(list)
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts == ("__init__.py",):
            continue
        found[relative.parts[0].removesuffix(".py")].append(path)
    return found


def imports_of(path: Path, source: str | None = None) -> set[str]:
    """The parts of mockserver that ``path`` imports, however it spells it: absolute or
    relative imports (at module level or inside functions), ``importlib.import_module("...")``
    and ``mockserver.<part>`` attribute access."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    package = ["mockserver", *path.relative_to(ROOT).parent.parts]
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module] + [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", None)) == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names = [node.args[0].value]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "mockserver"):
            names = [f"mockserver.{node.attr}"]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mockserver" and len(parts) > 1 and parts[1] not in ROOT_NAMES | {
                    "__all__", "__path__", "__file__"}:
                found.add(parts[1])
    return found


def test_the_import_reader_sees_every_spelling():
    """The checker below is only as good as this reader (each spelling once went unseen)."""
    path = ROOT / "api" / "invoices.py"
    spellings = {
        "from ..control import api": {"control"},
        "from . import representations": {"api"},
        "import importlib\nimportlib.import_module('mockserver.edge.envelope')": {"edge"},
        "import mockserver\nmockserver.control": {"control"},
        "def f():\n    from mockserver.scenarios import watcher": {"scenarios"},
        "from mockserver import __version__": set(),
    }
    for source, parts_seen in spellings.items():
        assert imports_of(path, source) == parts_seen, source


def test_every_part_has_a_rank():
    assert sorted(parts()) == sorted(RANKS), "add the new part to RANKS, where it belongs"


def test_imports_point_one_way():
    wrong = []
    for part, paths in parts().items():
        for path in paths:
            for imported in imports_of(path) - {part}:
                if RANKS[imported] >= RANKS[part]:
                    wrong.append(f"{path.relative_to(ROOT)} ({part}) imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_the_handlers_of_the_api_and_of_control_do_not_know_each_other():
    for part, other in (("api", "control"), ("control", "api")):
        for path in parts()[part]:
            assert other not in imports_of(path), f"{path.relative_to(ROOT)} imports {other}"


def test_domain_has_no_http_and_no_global_clock():
    for path in [*(ROOT / "domain").rglob("*.py"), *(ROOT / "providers").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for forbidden in ("flask", "connexion", "starlette", "httpx", "uuid4", "datetime.now(",
                          "time.time("):
            if forbidden == "datetime.now(" and path.name == "clock.py":
                continue  # the one real-time source, injected everywhere else
            assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_only_compat_reaches_into_framework_internals():
    private = ("_middleware_app", "_resolve_func", "from a2wsgi", "connexion_routing",
               "__signature__", "merge_slashes", "def _parse(self, stream",
               "def _validate(self", "check_bearer_token")
    for path in ROOT.rglob("*.py"):
        if path.name == "compat.py":
            continue
        text = path.read_text(encoding="utf-8")
        for name in private:
            assert name not in text, f"{path.relative_to(ROOT)} touches {name}"


def test_each_exception_name_is_defined_once():
    defined: dict[str, list[str]] = defaultdict(list)
    for info in pkgutil.walk_packages(mockserver.__path__, "mockserver."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, BaseException)
                    and value.__module__ == module.__name__ and name == value.__name__):
                defined[name].append(module.__name__)
    twice = {name: where for name, where in defined.items() if len(where) > 1}
    assert not twice, twice
    assert {"NotFound", "Conflict", "Unauthorized", "DomainError"} <= set(defined)


def test_public_api_is_curated():
    assert mockserver.__all__ == ["create_app", "Settings", "__version__"]
    assert callable(mockserver.create_app) and mockserver.Settings().port == 8000
