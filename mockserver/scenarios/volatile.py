"""Fields whose values differ from run to run and server to server: ids, timestamps, dates,
request ids, URLs, secrets, wording. The recorder never expects them (it captures them when a
later step needs them) and a comparison of two servers does not compare their values.

A field is volatile by its name (the nearest key on its path) or by the shape of its value.
"""

from __future__ import annotations

import re
from typing import Any

# Whole subtrees: the envelope's meta is request id and time, nothing else.
SUBTREES = frozenset({"meta"})
KEYS = frozenset({
    "id", "number", "filename", "size", "timestamp", "provider_ref", "wallet", "client_secret",
    "message", "exp_month", "exp_year", "publishable_key", "api_version",
    "period_start", "period_end", "current_period_start", "current_period_end",
})
SUFFIXES = ("_id", "_at", "_url", "_date", "_number", "_secret", "_token")
# Prefixed ids (inv_..., pm_..., ps_..., mdt_...): a digit somewhere, unlike setup_failed.
ID_SHAPE = re.compile(r"[a-z]{2,6}_(?=[A-Za-z]*[0-9])[A-Za-z0-9]{6,}")
SHAPES = (
    re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"),
    re.compile(r"https?://\S+"),
    ID_SHAPE,
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    re.compile(r"0x[0-9a-fA-F]{40}"),
)


def key_of(path: tuple) -> str | None:
    """The nearest key on a path of keys and list indexes."""
    return next((part for part in reversed(path) if isinstance(part, str)), None)


def volatile_key(key: str | None) -> bool:
    return key is not None and (key in KEYS or key.endswith(SUFFIXES))


def volatile_value(value: Any) -> bool:
    return isinstance(value, str) and any(shape.fullmatch(value) for shape in SHAPES)


def is_volatile(path: tuple, value: Any = None) -> bool:
    """Whether the value at ``path`` (e.g. ``("data", 0, "id")``) is expected to vary."""
    if path and path[0] in SUBTREES:
        return True
    return volatile_key(key_of(path)) or volatile_value(value)


def dotted(path: tuple) -> str:
    """``("data", 0, "id")`` as a step's expectation path: ``data.0.id``."""
    return ".".join(str(part) for part in path)
