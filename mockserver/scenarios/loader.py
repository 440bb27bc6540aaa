"""Reading and checking a scenario file; a bad file is refused whole, naming where and what."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timezone
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from mockserver.domain import clock
from mockserver.providers import ProviderRegistry
from mockserver.domain.ids import IdSource
from mockserver.domain.profile import seller_problems
from mockserver.scenarios.paths import path_problem
from mockserver.spec import UnknownOperation, load_spec, operation_id
from mockserver.schemas import NOT_XML, SURROGATE, body_validator, not_one_line
from mockserver.schemas import strings_holding as _strings_holding

SCHEMA_FILE = files("mockserver") / "scenarios" / "scenario.schema.json"
MAX_FILE_BYTES = 5_000_000


class ScenarioError(Exception):
    """What is wrong with a scenario: the file, the path inside it, the problem."""

    def __init__(self, source: str, path: str, problem: str,
                 more: list[tuple[str, str]] | None = None) -> None:
        self.source, self.path, self.problem = source, path, problem
        self.problems = [(path, problem), *(more or [])]
        lines = [f"{source}: {p or '(top level)'}: {what}" for p, what in self.problems]
        super().__init__("\n".join(lines))


@lru_cache(maxsize=1)
def _schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=_formats())


@lru_cache(maxsize=1)
def _behaviour_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft202012Validator({"$ref": "#/$defs/behaviour", "$defs": schema["$defs"]},
                                format_checker=_formats())


def _formats() -> FormatChecker:
    """JSON Schema's formats, with every ``date-time`` and ``date`` also in the test clock's
    range (a world dated past it cannot be built: its due dates and periods overflow)."""
    checker = FormatChecker()
    for name, instant_of in (("date-time", _instant_of), ("date", _midnight_of)):
        # jsonschema checks date-time only with rfc3339-validator (a dependency); without
        # it, what Python reads as one is one.
        conforms, _ = checker.checkers.get(name, (lambda value: True, ()))
        checker.checks(name, raises=ValueError)(_in_clock_range(conforms, instant_of))
    return checker


def _in_clock_range(conforms, instant_of):
    def check(value) -> bool:
        if not isinstance(value, str) or not conforms(value):
            return conforms(value)
        try:
            instant = instant_of(value)
        except ValueError:  # what the world's builder could not read either
            return False
        except OverflowError:  # no UTC time at all (year 1 at +01:00)
            instant = None
        if instant is None or not clock.in_range(instant):
            raise ValueError(f"outside the test clock's range, {clock.RANGE}")
        return True

    return check


def _instant_of(text: str) -> datetime:
    return clock.utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))


def _midnight_of(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), time(), timezone.utc)


def parse_behaviour(data, tenants: set[str], source: str = "<request body>") -> dict:
    """One checked behaviour, shaped as an item of a scenario's ``behaviours``, for a world
    that is running: ``match.tenant`` names one of ``tenants`` (ids or scenario keys)."""
    errors = sorted(_behaviour_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [(_path(e.absolute_path), "give at least one of respond, latency_ms and "
                 "failure_rate" if e.validator == "anyOf" and not e.absolute_path else
                 _schema_message(e)) for e in errors]
    if not problems:
        problems = behaviour_problems(data, [])
    if not problems:
        try:
            operation_id(data["operation"])
        except UnknownOperation as error:
            problems.append(("operation", f"{error} (give an operationId of the API, or its "
                             "FastAPI function name or operationId)"))
        tenant = data.get("match", {}).get("tenant")
        if tenant and tenant not in tenants:
            problems.append(("match.tenant", f"no tenant {tenant!r} in this world"))
    if problems:
        raise ScenarioError(source, problems[0][0], problems[0][1], problems[1:])
    return data


def _schema_message(error) -> str:
    """The schema's complaint, without echoing a long value whole."""
    if error.validator == "maxLength":
        return (f"is too long ({len(error.instance)} characters; at most "
                f"{error.validator_value})")
    if error.validator == "maxProperties":
        return f"has too many entries ({len(error.instance)}; at most {error.validator_value})"
    if error.validator == "format" and error.cause is not None:
        return f"{error.message}: {error.cause}"
    return error.message


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_file(path: Traversable | str) -> dict:
    """The checked scenario in a file: a path, or a library file (package data)."""
    path = Path(path) if isinstance(path, str) else path
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the bound into memory
    except OSError as exc:  # a directory, no permission, gone meanwhile
        raise ScenarioError(str(path), "", f"cannot read the file: {exc.strerror or exc}"
                            ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(str(path), "", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), f"byte {exc.start}", "not UTF-8 text") from None
    return parse(text, str(path))


def parse(text_or_data, source: str = "<scenario>") -> dict:
    """The checked scenario (a dict) from YAML text or already-parsed data."""
    data = text_or_data
    if isinstance(text_or_data, str):
        try:
            data = yaml.safe_load(text_or_data)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ScenarioError(source, where, f"not valid YAML: {exc}") from None
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [(_path(e.absolute_path), _schema_message(e)) for e in errors]
    if not problems:
        problems = _text_problems(data) or _semantic_problems(data)
    if problems:
        raise ScenarioError(source, problems[0][0], problems[0][1], problems[1:])
    return data


def _semantic_problems(data: dict) -> list[tuple[str, str]]:
    """What the schema cannot say: profiles against the API, references, operations."""
    problems: list[tuple[str, str]] = [
        (f"seller.{name}" if name else "seller", problem)
        for name, problem in seller_problems(data.get("seller") or {})]
    spec = load_spec()
    profile_schema = spec["components"]["schemas"]["BillingProfileCreateUpdate"]
    registry = ProviderRegistry(IdSource(0))
    tokens: set[str] = set()
    keys: set[str] = set()
    tenant_ids: set[str] = set()
    for t, tenant in enumerate(data.get("tenants", [])):
        where = f"tenants[{t}]"
        if tenant["key"] in keys:
            problems.append((f"{where}.key", f"tenant key {tenant['key']!r} is used twice"))
        keys.add(tenant["key"])
        if tenant.get("tenant_id") in tenant_ids:
            problems.append((f"{where}.tenant_id",
                             f"tenant id {tenant['tenant_id']!r} is used twice"))
        if tenant.get("tenant_id"):
            tenant_ids.add(tenant["tenant_id"])
        for token in tenant.get("tokens", []):
            if token in tokens:
                problems.append((f"{where}.tokens", f"token {token!r} is used twice"))
            tokens.add(token)
        if "profile" in tenant:  # checked as the API checks a profile PUT's body
            for error in body_validator(profile_schema).iter_errors(tenant["profile"]):
                problems.append((_path([f"{where}.profile", *error.absolute_path]),
                                 error.message))
        problems += _invoice_problems(where, tenant)
        for m, method in enumerate(tenant.get("payment_methods", [])):
            if method["type"] not in registry.get(method["provider"]).provider.method_types:
                problems.append((f"{where}.payment_methods[{m}]",
                                 f"{method['provider']} does not offer {method['type']!r}"))
    for slug, outcomes in data.get("providers", {}).items():
        allowed = registry.get(slug).outcomes
        for o, outcome in enumerate(outcomes.get("next_outcomes", [])):
            if outcome not in allowed:
                problems.append((f"providers.{slug}.next_outcomes[{o}]",
                                 f"{outcome!r} is not one of {', '.join(allowed)}"))
    for b, behaviour in enumerate(data.get("behaviours", [])):
        try:
            operation_id(behaviour["operation"])
        except UnknownOperation as error:
            problems.append((f"behaviours[{b}].operation", f"{error} (give an operationId "
                             "of the API, or its FastAPI function name or operationId)"))
        tenant_key = behaviour.get("match", {}).get("tenant")
        if tenant_key and tenant_key not in keys:
            problems.append((f"behaviours[{b}].match.tenant", f"no tenant {tenant_key!r}"))
    for s, step in enumerate(data.get("steps", [])):
        request = step.get("request")
        problem = request and path_problem(request["method"], request["path"])
        if problem:
            problems.append((f"steps[{s}].request.path", problem))
    return problems


# -- text that cannot go where the scenario puts it -----------------------------------------

# A header field name is an RFC 9110 token; a value is visible Latin-1 text (and spaces and
# tabs), one line: what the server can write (Werkzeug and h11 refuse the rest per request).
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
NOT_IN_A_HEADER = re.compile(r"[^\t\x20-\x7e\xa0-\xff]")
# Headers the server writes itself from the answer it sends: a scripted one would contradict
# the message's own framing and the connection breaks.
FRAMING = {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
           "trailer"}
NOT_DOCUMENTED = ("behaviours", "steps", "seller")
MEDIA_TYPE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(;.*)?$")
# Scripted headers in all, names and values: with the server's own, an answer's head stays
# well under the 16 KiB that common clients read (h11, so httpx; Node).
MAX_SCRIPTED_HEADER_BYTES = 12 * 1024


def _text_problems(data: dict) -> list[tuple[str, str]]:
    """Text the scenario carries into places that cannot hold it: no string anywhere may hold
    a lone surrogate (it has no UTF-8 form); values that become HTTP or mail headers (scripted
    answer and replay step headers, ``pdf_url`` as a redirect's ``Location``, the seller's
    fields in the invoice mail) must be header text."""
    problems = _not_text({k: v for k, v in data.items() if k != "behaviours"}, [])
    # What invoices, documents and mail are made of (the seller has its stricter check below;
    # behaviours and replay steps are answers and requests, not documents).
    problems += [(_path(where), f"holds U+{ord(char):04X}, which no XML document (UBL, CII) "
                  "can carry") for where, char in _strings_holding(
                      {k: v for k, v in data.items() if k not in NOT_DOCUMENTED}, NOT_XML)]
    for b, behaviour in enumerate(data.get("behaviours", [])):
        problems += behaviour_problems(behaviour, ["behaviours", b])
    for s, step in enumerate(data.get("steps", [])):
        request = step.get("request", {})
        problems += _header_problems(["steps", s, "request", "headers"],
                                     request.get("headers", {}))
        if "token" in request:  # sent as ``Authorization: Bearer <token>``
            problems += _header_value_problems(["steps", s, "request", "token"],
                                               request["token"])
    for t, tenant in enumerate(data.get("tenants", [])):
        for i, invoice in enumerate(tenant.get("invoices", [])):
            if "pdf_url" in invoice:
                problems += _header_value_problems(["tenants", t, "invoices", i, "pdf_url"],
                                                   invoice["pdf_url"])
    for field, value in data.get("seller", {}).items():
        why = not_one_line(value)
        if why:
            problems.append((_path(["seller", field]), why))
    return problems


def behaviour_problems(behaviour: dict, where: list) -> list[tuple[str, str]]:
    """What keeps a behaviour (schema-valid) from being answered, at ``where``: the one check
    of a scenario's behaviours and of ``POST /_mock/behaviours``. No string may hold a lone
    surrogate; scripted headers must be writable, not the server's framing, a media type for
    ``Content-Type``, and small enough for any client to read (``MAX_SCRIPTED_HEADER_BYTES``
    together; each value at most 8 KiB and 50 headers are the schema's)."""
    problems = _not_text(behaviour, where)
    at = [*where, "respond", "headers"]
    headers = behaviour.get("respond", {}).get("headers", {})
    problems += _header_problems(at, headers)
    for name, value in headers.items():
        if name.lower() == "content-type" and not MEDIA_TYPE.match(value):
            problems.append((_path([*at, name]), f"{value[:80]!r} is not a media type "
                             "(type/subtype, e.g. text/html)"))
    size = sum(len(name) + len(value) for name, value in headers.items())
    if size > MAX_SCRIPTED_HEADER_BYTES:
        problems.append((_path(at), f"holds {size} bytes of headers; at most "
                         f"{MAX_SCRIPTED_HEADER_BYTES} bytes together (names and values)"))
    return problems


def _not_text(value, where: list) -> list[tuple[str, str]]:
    return [(_path(found), f"holds U+{ord(char):04X}, which is not text (no UTF-8 form)")
            for found, char in _strings_holding(value, SURROGATE, tuple(where))]


def _header_problems(where: list, headers: dict) -> list[tuple[str, str]]:
    problems = []
    for name, value in headers.items():
        at = [*where, name]
        if not HEADER_NAME.match(name):
            problems.append((_path(at), "is not a header name (letters, digits and "
                             "!#$%&'*+.^_`|~- only)"))
        elif name.lower() in FRAMING:
            problems.append((_path(at), "is a header the server sets from the answer itself"))
        else:
            problems += _header_value_problems(at, value)
    return problems


def _header_value_problems(where: list, value: str) -> list[tuple[str, str]]:
    found = NOT_IN_A_HEADER.search(value)
    if found is None:
        return []
    char = found.group()
    if char in "\r\n":
        return [(_path(where), "holds a line break: a header value is one line")]
    return [(_path(where), f"holds U+{ord(char):04X}, which a header value cannot carry "
             "(visible Latin-1 text only)")]


def _invoice_problems(where: str, tenant: dict) -> list[tuple[str, str]]:
    problems, seen = [], {}
    if tenant.get("invoices") and "profile" not in tenant:
        problems.append((f"{where}.invoices", "invoices need the tenant's profile (the buyer)"))
    for i, invoice in enumerate(tenant.get("invoices", [])):
        at = f"{where}.invoices[{i}]"
        start, end = invoice.get("period_start"), invoice.get("period_end")
        if start and end and end < start:
            problems.append((f"{at}.period_end", f"{end} is before period_start {start} (a "
                             "period ends on its last day, the day before the next starts)"))
        original = invoice.get("credit_note_for")
        if original is not None:
            if original not in seen:
                problems.append((f"{at}.credit_note_for",
                                 f"no earlier invoice with key {original!r}"))
            else:
                count = len(seen[original].get("lines", []))
                bad = [n for n in invoice.get("credit_lines", []) if n >= count]
                if bad:
                    problems.append((f"{at}.credit_lines", f"line indexes {bad} do not exist "
                                     f"(the original has {count} lines)"))
        if "key" in invoice:
            if invoice["key"] in seen:
                problems.append((f"{at}.key", f"invoice key {invoice['key']!r} is used twice"))
            seen[invoice["key"]] = invoice
    return problems
