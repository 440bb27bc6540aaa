"""Imports point one way: domain <- providers/documents <- state <- services <- api <- app.

The store (state) owns the provider sessions so that snapshots include them."""

import ast
from pathlib import Path

import mockserver

ROOT = Path(mockserver.__file__).parent
LAYERS = {  # a module may import only these parts of mockserver
    "domain": {"domain"},
    "providers": {"domain", "providers"},
    "documents": {"domain", "documents"},
    "state": {"domain", "providers", "state"},
    "services": {"domain", "providers", "documents", "state", "services"},
}


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_layers_import_only_inward():
    for layer, allowed in LAYERS.items():
        files = [ROOT / f"{layer}.py"] if (ROOT / f"{layer}.py").exists() else list(
            (ROOT / layer).rglob("*.py"))
        for path in files:
            for module in imports_of(path):
                if module.startswith("mockserver."):
                    part = module.split(".")[1]
                    assert part in allowed, f"{path.relative_to(ROOT)} imports {module}"


def test_domain_has_no_http_and_no_global_clock():
    for path in [*(ROOT / "domain").rglob("*.py"), *(ROOT / "providers").rglob("*.py")]:
        text = path.read_text()
        for forbidden in ("flask", "connexion", "starlette", "httpx", "uuid4", "datetime.now(",
                          "time.time("):
            if forbidden == "datetime.now(" and path.name == "clock.py":
                continue  # the one real-time source, injected everywhere else
            assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_public_api_is_curated():
    assert mockserver.__all__ == ["create_app", "Settings", "__version__"]
    assert callable(mockserver.create_app) and mockserver.Settings().port == 8000
