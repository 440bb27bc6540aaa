"""What a state file's world must be besides well-typed: text the world can write out again
and put into documents and mail, and parts that agree with each other. A document that parses
and fits every type can still name a tenant that is not there or an invoice number that the
numbering would hand out again; each is refused with :class:`FormatError` naming the place.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from mockserver.domain.invoices import InvoiceStatus
from mockserver.domain.numbering import PREFIXES
from mockserver.scenarios import ScenarioError, parse_behaviour
from mockserver.schemas import CONTROL, NOT_XML, SURROGATE, not_one_line, strings_holding
from mockserver.state import Store
from mockserver.statefile.codec import FormatError

MAX_SEQUENCE = 1_000_000  # the next number after SCAI-YYYY-999999 (six digits)
NUMBER = re.compile(r"^(SCAI|SCAI-CN)-([0-9]{4})-([0-9]{6})$")
NUMBERED = frozenset({InvoiceStatus.FINALIZED, InvoiceStatus.SENT, InvoiceStatus.PAST_DUE,
                      InvoiceStatus.PAID})


def check_text(raw: Any, where: str) -> None:
    """No string of the world may hold a lone surrogate (it could never be written again) or
    a character no XML document can carry (invoices are also UBL and CII); scripted
    behaviours are answers, not documents, and only the first rule holds for them."""
    documents = {k: v for k, v in raw.items() if k != "behaviours"}
    for value, pattern, why in ((raw, SURROGATE, "which is not text (no UTF-8 form)"),
                                (documents, NOT_XML, "which no XML document (UBL, CII) can "
                                                     "carry")):
        for path, char in strings_holding(value, pattern):
            raise FormatError(_at(where, path), f"holds U+{ord(char):04X}, {why}")


def check_world(store: Store, where: str) -> None:
    """The parts of a decoded world agree (see the module)."""
    for token, grant in store.tokens.items():
        if CONTROL.search(token) or not token:
            raise FormatError(f"{where}.tokens", f"{token[:80]!r} is no token: one is sent as "
                              "one line of a header")
        if grant.tenant_id not in store.tenants:
            raise FormatError(f"{where}.tokens.{token}.tenant_id",
                              f"no tenant {grant.tenant_id!r} in the world")
    for tenant_id in sorted(store.pinned - set(store.tenants)):
        raise FormatError(f"{where}.pinned", f"no tenant {tenant_id!r} in the world")
    given: dict[tuple[str, int], tuple[int, str]] = {}  # the highest number of each sequence
    seen: set[str] = set()
    for i, tenant in enumerate(store.tenants.values()):
        at = f"{where}.tenants[{i}]"
        _check_one_line(tenant.profile, f"{at}.profile")
        for key, invoice in tenant.invoices.items():
            _check_invoice(invoice, tenant.id, f"{at}.invoices.{key}", given, seen)
    for b, behaviour in enumerate(store.behaviours):
        _check_behaviour(behaviour, set(store.tenants), f"{where}.behaviours[{b}]")
    numbering = store.numbering.state()
    for (kind, year), (sequence, number) in sorted(given.items()):
        if numbering.get((kind, year), 1) <= sequence:
            raise FormatError(f"{where}.numbering", f"the next {kind} number of {year} is "
                              f"{numbering.get((kind, year), 1)}, but {number} is given "
                              "already: numbers would repeat")


def check_sequence(value: int, where: str) -> None:
    if not 1 <= value <= MAX_SEQUENCE:
        raise FormatError(where, f"{value} is not a sequence number (1 to {MAX_SEQUENCE})")


def _check_one_line(profile, where: str) -> None:
    """A profile's text fields are one line each, as the API holds them."""
    if profile is None:
        return
    check_one_line(profile, where)


def check_one_line(record, where: str) -> None:
    """A record's (a profile's, the seller's) text fields are one line each, as the API and
    a scenario hold them."""
    for field in dataclasses.fields(record):
        why = not_one_line(getattr(record, field.name))
        if why:
            raise FormatError(f"{where}.{field.name}", why)


def _check_invoice(invoice, tenant_id: str, where: str, given: dict, seen: set) -> None:
    if invoice.tenant_id != tenant_id:
        raise FormatError(f"{where}.tenant_id", f"is tenant {invoice.tenant_id!r}, but the "
                          f"invoice is kept by tenant {tenant_id!r}")
    numbered = invoice.status in NUMBERED or (
        invoice.status is InvoiceStatus.VOID and invoice.finalized_at is not None)
    if not numbered:
        return
    found = NUMBER.match(invoice.number or "")
    prefix = PREFIXES.get(invoice.document_type)
    if found is None or found.group(1) != prefix:
        raise FormatError(f"{where}.number", f"a {invoice.status.value} invoice has a number "
                          f"{prefix}-YYYY-NNNNNN, not {invoice.number!r}")
    if invoice.issue_date is None or invoice.finalized_at is None:
        missing = "issue_date" if invoice.issue_date is None else "finalized_at"
        raise FormatError(f"{where}.{missing}", f"a {invoice.status.value} invoice has one")
    if invoice.number in seen:  # one numbering for the whole world: every number once
        raise FormatError(f"{where}.number", f"{invoice.number} is there twice")
    seen.add(invoice.number)
    key, sequence = (invoice.document_type, int(found.group(2))), int(found.group(3))
    if sequence > given.get(key, (0, ""))[0]:
        given[key] = (sequence, invoice.number)


def _check_behaviour(behaviour, tenants: set[str], where: str) -> None:
    """Held to what ``POST /_mock/behaviours`` checks, as the item it was made from."""
    match = {name: value for name, value in (
        ("tenant", behaviour.tenant_id), ("path_params", behaviour.path_params),
        ("query", behaviour.query), ("body", behaviour.body)) if value}
    spec = {"operation": behaviour.operation, "calls": list(behaviour.calls), "match": match,
            "latency_ms": behaviour.latency_ms, "seed": behaviour.seed,
            **{name: getattr(behaviour, name) for name in ("times", "respond", "failure_rate")
               if getattr(behaviour, name) is not None}}
    try:
        parse_behaviour(spec, tenants)
    except ScenarioError as error:
        raise FormatError(where, f"{error.path or 'the behaviour'}: {error.problem}") from None


def _at(where: str, path: list) -> str:
    return where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


__all__ = ["check_sequence", "check_text", "check_world"]
