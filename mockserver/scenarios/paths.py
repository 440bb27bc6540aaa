"""Which operation of the API document a method and a path (relative to the API root) name.

Used when a scenario file loads (a step's path must be an operation, not a 404 found at run
time) and by the recorder (which requests of a session are Billing API calls).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from mockserver.spec import API_BASE, Operation, operations

VARIABLE = re.compile(r"\$\{[A-Za-z0-9_.-]+\}")


@dataclass(frozen=True)
class Template:
    path: str  # as in the document, relative to the API root: /billing/invoices/{invoice_id}
    pattern: re.Pattern
    by_method: dict[str, Operation]  # upper-case method -> operation


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    grouped: dict[str, dict[str, Operation]] = {}
    for op in operations().values():
        grouped.setdefault(op.path.removeprefix(API_BASE), {})[op.method.upper()] = op
    found = []
    for path, by_method in grouped.items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        found.append(Template(path, re.compile(regex), by_method))
    # Fixed segments win over parameters (none of the document's paths overlap today).
    return tuple(sorted(found, key=lambda t: t.path.count("{")))


def template_of(path: str) -> Template | None:
    """The document's path ``path`` fits (``${var}`` counts as any one segment's text)."""
    bare = VARIABLE.sub("x", path.split("?", 1)[0])
    return next((t for t in templates() if t.pattern.fullmatch(bare)), None)


def operation_of(method: str, path: str) -> Operation | None:
    template = template_of(path)
    return template.by_method.get(method.upper()) if template else None


def path_problem(method: str, path: str) -> str | None:
    """Why ``method path`` is no operation of the document, or None when it is one."""
    template = template_of(path)
    if template is not None:
        if method.upper() in template.by_method:
            return None
        return (f"{method} {path} is no operation of the API document (the document has "
                f"{', '.join(sorted(template.by_method))} on {template.path})")
    problem = f"{method} {path} is no operation of the API document"
    if path.startswith(API_BASE + "/"):
        return f"{problem}: step paths are relative to the API root, e.g. " \
               f"{path.removeprefix(API_BASE)}"
    # Compared with every parameter spelled alike, so the names in braces do not count.
    shapes = {re.sub(r"\{[^}]+\}", "{x}", t.path): t.path for t in templates()}
    shape = VARIABLE.sub("{x}", path.split("?", 1)[0])
    close = difflib.get_close_matches(shape, list(shapes), n=1, cutoff=0.6)
    return f"{problem} (did you mean {shapes[close[0]]}?)" if close else problem
