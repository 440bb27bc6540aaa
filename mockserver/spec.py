"""The OpenAPI documents (package data in ``mockserver/openapi/``) and how they are read."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

SPEC_DIR = files("mockserver") / "openapi"
BILLING_SPEC = SPEC_DIR / "billing.yaml"
CONTROL_SPEC = SPEC_DIR / "control.yaml"
API_BASE = "/api/v1"


def load_spec(document: Traversable | Path | str = BILLING_SPEC) -> dict:
    """The parsed document (parsed once per file: treat it as read-only)."""
    if isinstance(document, (str, Path)):
        document = Path(document).resolve()  # one cache entry per file, however it is named
    return _parsed(document)


@lru_cache(maxsize=8)
def _parsed(document: Traversable) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    with document.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)


@dataclass(frozen=True)
class Operation:
    """One billing operation under each of its names."""

    operation_id: str  # the mock's document's (billing-mock 0.1): ``sendInvoiceEmail``
    name: str  # the FastAPI function's, from its summary: ``send_invoice_email``
    fastapi_id: str  # FastAPI's default: ``send_invoice_email_api_v1_billing_invoices_...``
    method: str  # lower case
    path: str  # as published: ``/api/v1/billing/invoices/{invoice_id}/send``


def fastapi_operation_id(name: str, path: str, method: str) -> str:
    """FastAPI's ``generate_unique_id``: the function name and the path, every non-word
    character as ``_``, then the method."""
    return re.sub(r"\W", "_", f"{name}{path}") + f"_{method.lower()}"


@lru_cache(maxsize=1)
def operations() -> dict[str, Operation]:
    """Every billing operation, by the mock document's operationId."""
    found = {}
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            name = op["summary"].lower().replace(" ", "_")
            published = API_BASE + path
            found[op["operationId"]] = Operation(op["operationId"], name, fastapi_operation_id(
                name, published, method), method, published)
    return found


class UnknownOperation(ValueError):
    """A name that is no operation's (with the closest names, when there are any)."""


def operation_id(name: str) -> str:
    """The mock document's operationId of the operation ``name`` names: that id itself, the
    FastAPI function name (``send_invoice_email``) or FastAPI's full operationId."""
    by_any = {alias: op.operation_id for op in operations().values()
              for alias in (op.operation_id, op.name, op.fastapi_id)}
    if name in by_any:
        return by_any[name]
    close = difflib.get_close_matches(name, sorted(by_any), n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise UnknownOperation(f"The billing document has no operation {name!r}.{hint}")
