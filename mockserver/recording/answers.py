"""What a recorded answer justifies expecting, and which of its values later steps may need.

Expected: every field that is not volatile (``scenarios/volatile.py``) and not a secret, the
top of the answer first, at most ``MAX_EXPECTATIONS`` per step and the first ``MAX_ITEMS``
objects of a list and ``MAX_SCALAR_ITEMS`` of its strings or numbers (an empty list is
expected empty). A volatile field whose value an earlier
step's answer gave is expected as that value (``data.0.id: ${payment_method_id}``): a relation
the answers show, whatever the ids are on another server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mockserver.scenarios.volatile import ID_SHAPE, SUBTREES, dotted, is_volatile, key_of

MAX_EXPECTATIONS = 60
MAX_ITEMS = 3  # objects of a list
MAX_SCALAR_ITEMS = 20  # strings or numbers of a list (method_types)
MAX_CANDIDATES = 2000  # values remembered per answer for later steps


def _leaves(body: Any, path: tuple = (), items: int | None = MAX_ITEMS) -> Iterator[tuple]:
    """(path, value) of every scalar, and of every empty list or object."""
    if isinstance(body, dict):
        if not body and path:
            yield path, body
        for key, value in body.items():
            if not path and key in SUBTREES:
                continue
            yield from _leaves(value, (*path, key), items)
    elif isinstance(body, list):
        if not body:
            yield path, body
        scalars = all(not isinstance(value, (dict, list)) for value in body)
        limit = None if items is None else (MAX_SCALAR_ITEMS if scalars else items)
        for index, value in enumerate(body[:limit] if limit is not None else body):
            yield from _leaves(value, (*path, index), items)
    else:
        yield path, body


def expectations(body: Any, relate: Callable[[str, tuple], str | None],
                 is_secret: Callable[[str], bool]) -> dict[str, Any]:
    """Dotted path -> expected value; ``relate(value, path)`` names the variable of an
    earlier answer's equal value (or None)."""
    found: dict[str, Any] = {}
    # Shallow paths first: an answer's own fields before the depths of its lists.
    for path, value in sorted(_leaves(body), key=lambda leaf: len(leaf[0])):
        if len(found) >= MAX_EXPECTATIONS:
            break
        if isinstance(value, str) and is_secret(value):
            continue
        if is_volatile(path, value):
            variable = relate(value, path) if isinstance(value, str) else None
            if variable is not None:
                found[dotted(path)] = "${" + variable + "}"
            continue
        found[dotted(path)] = value
    return dict(sorted(found.items(), key=lambda item: _order(item[0], body)))


def _order(path: str, body: Any) -> tuple:
    """Back in the answer's own order (sorting by depth shuffled it)."""
    order, found = [], body
    for part in path.split("."):
        if isinstance(found, list):
            order.append(int(part))
            found = found[int(part)]
        elif isinstance(found, dict):
            order.append(list(found).index(part))
            found = found[part]
    return tuple(order)


def candidates(body: Any) -> Iterator[tuple[str, tuple]]:
    """(value, path) of the ids and URLs of an answer (``id``, ``*_id``, ``*_url`` or
    shaped like an id) that a later request may send back."""
    count = 0
    for path, value in _leaves(body, items=None):
        if count >= MAX_CANDIDATES:
            return
        if not isinstance(value, str) or len(value) < 4 or (path and path[0] in SUBTREES):
            continue
        key = key_of(path) or ""
        if key == "id" or key.endswith(("_id", "_url")) or ID_SHAPE.fullmatch(value):
            count += 1
            yield value, path


def variable_name(path: tuple, resource: str) -> str:
    """``session_id`` for ``data.session_id``; ``invoice_id`` for an invoice list's
    ``data.0.id``; ``default_payment_method_id`` for ``data.default_payment_method.id``."""
    key = key_of(path) or "value"
    if key != "id":
        return key
    parents = [p for p in path[:-1] if isinstance(p, str) and p not in ("data", "error")]
    return f"{parents[-1] if parents else resource}_id"
