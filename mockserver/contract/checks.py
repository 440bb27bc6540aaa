"""Billing checks registered with Schemathesis: each looks at one response."""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import schemathesis

from mockserver.contract.failures import BillingFailure, GuessFailure
from mockserver.spec import UnknownOperation, operation_id

REQUEST_ID = re.compile(r"^req_[0-9a-f]+$")
ZERO_RATED = {"AE", "G", "E", "O", "Z", "K"}
VISIBLE_STATES = {"finalized", "sent", "past_due", "paid", "void"}
CHECK_NAMES = ("billing_envelope", "billing_error_envelope", "billing_validation_422",
               "billing_pagination", "billing_invoice_money", "billing_transitions",
               "billing_default_method", "billing_published_answer")
# How often each billing check found something to check in this process's current run: a
# check that never did is reported as skipped ("nothing to check"), not as ok.
RAN: Counter = Counter()


def _checked(name: str) -> bool:
    RAN[name] += 1
    return True


def _json(response):
    content_type = (response.headers.get("content-type") or [""])[0]
    if "json" not in content_type:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _header(response, name: str) -> str | None:
    values = response.headers.get(name.lower()) or response.headers.get(name) or []
    return values[0] if values else None


def _op(case) -> str:
    """The mock's operationId, whichever document (ours, the published one, the server's own
    FastAPI one) the case came from."""
    raw = case.operation.definition.raw.get("operationId", case.operation.label)
    try:
        return operation_id(raw)
    except UnknownOperation:
        return raw


@schemathesis.check
def billing_envelope(ctx, response, case):
    """2xx JSON answers are ``{data, meta}``, lists ``{data, pagination, meta}`` (published).
    The mock's guess on top: ``meta`` carries ``request_id`` (req_<hex>) and ``timestamp``, and
    ``X-Request-ID`` repeats the request id."""
    body = _json(response)
    if not 200 <= response.status_code < 300 or body is None:
        return None
    wanted = ("data", "pagination", "meta") if _op(case) == "listInvoices" else ("data", "meta")
    if not isinstance(body, dict) or any(key not in body for key in wanted):
        raise BillingFailure("billing_envelope", f"Expected {{{', '.join(wanted)}}}, got keys "
                             f"{sorted(body) if isinstance(body, dict) else type(body).__name__}")
    _checked("billing_envelope")
    meta = body["meta"]
    if not isinstance(meta, dict) or not REQUEST_ID.match(str(meta.get("request_id", ""))) \
            or not meta.get("timestamp"):
        raise GuessFailure("billing_envelope", f"the mock puts request_id req_<hex> and a "
                           f"timestamp in meta; the server's meta is {meta!r}")
    header = _header(response, "X-Request-ID")
    if header != meta["request_id"]:
        raise GuessFailure("billing_envelope", f"the mock repeats meta.request_id in "
                           f"X-Request-ID; the server's header is {header!r}, meta.request_id "
                           f"{meta['request_id']!r}")
    return True


@schemathesis.check
def billing_error_envelope(ctx, response, case):
    """Errors other than 422 use ``{"error": {code, message, request_id}}``."""
    body = _json(response)
    if response.status_code < 400 or response.status_code == 422:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not all(isinstance(error.get(k), str) for k in (
            "code", "message", "request_id")):
        raise BillingFailure("billing_error_envelope", f"A {response.status_code} must be "
                             f"{{error: {{code, message, request_id}}}}, got {str(body)[:200]}")
    return _checked("billing_error_envelope")


@schemathesis.check
def billing_validation_422(ctx, response, case):
    """A 422 is FastAPI's: ``{"detail": [{loc, msg, type, ...}]}``."""
    if response.status_code != 422:
        return None
    body = _json(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list) or not detail or not all(
            isinstance(item, dict) and isinstance(item.get("loc"), list)
            and isinstance(item.get("msg"), str) and isinstance(item.get("type"), str)
            for item in detail):
        raise BillingFailure("billing_validation_422", "A 422 must be FastAPI's "
                             f"{{detail: [{{loc, msg, type}}]}}, got {str(body)[:200]}")
    return _checked("billing_validation_422")


@schemathesis.check
def billing_pagination(ctx, response, case):
    """Pages add up: total_pages from total and page_size, the page's length, no repeats."""
    if _op(case) != "listInvoices" or response.status_code != 200:
        return None
    body = _json(response) or {}
    p = body.get("pagination") or {}
    try:
        page, size, total, pages = (int(p[k]) for k in ("page", "page_size", "total",
                                                         "total_pages"))
    except (KeyError, TypeError, ValueError):  # the names are the mock's guess
        raise GuessFailure("billing_pagination", "the mock's pagination is {page, page_size, "
                           f"total, total_pages}}; the server's is {p!r}") from None
    if size < 1:
        raise BillingFailure("billing_pagination", f"page_size {size} in {p!r}")
    _checked("billing_pagination")
    query = case.query or {}
    problems = []
    for name, got in (("page", page), ("page_size", size)):
        asked = query.get(name)  # a repeated parameter (a list) is not compared
        if isinstance(asked, (str, int)) and not isinstance(asked, bool) \
                and str(asked).strip().lstrip("+").isdigit() and int(asked) != got:
            if not GUESSED_RANGE[name][0] <= int(asked) <= GUESSED_RANGE[name][1]:
                # Out of the mock's range (its 422): a server may clamp instead.
                raise GuessFailure("billing_pagination", f"the mock refuses {name} {asked} "
                                   f"(a 422); the server answered {name} {got}")
            problems.append(f"asked {name} {asked}, got {got}")
    if pages != math.ceil(total / size):
        problems.append(f"total_pages {pages} but ceil({total}/{size}) = "
                        f"{math.ceil(total / size)}")
    expected = max(0, min(size, total - (page - 1) * size))
    items = body.get("data") or []
    if len(items) != expected:
        problems.append(f"page {page} should hold {expected} of {total}, holds {len(items)}")
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    if len(ids) != len(set(ids)):
        problems.append("an invoice appears twice on one page")
    if problems:
        raise BillingFailure("billing_pagination", "; ".join(problems))
    return True


INVOICE_OPERATIONS = ("listInvoices", "getInvoice")
GUESSED_RANGE = {"page": (1, 10**9), "page_size": (1, 100)}  # the mock's bounds (a 422 beyond)


def _invoices(body, operation: str, also: tuple[str, ...] = ()) -> list[dict]:
    """The invoices in an answer of an operation that returns invoices."""
    if operation not in INVOICE_OPERATIONS + also:
        return []
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and "total_cents" in data:
        return [data]
    if isinstance(data, list):
        return [i for i in data if isinstance(i, dict) and "total_cents" in i]
    return []


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money_problems(invoice: dict) -> list[str]:
    """Why an invoice's money does not add up (empty when it does)."""
    number = invoice.get("number")
    problems = []
    subtotal, tax, total = (invoice.get(k) for k in ("subtotal_cents", "tax_cents",
                                                     "total_cents"))
    present = [v for v in (subtotal, tax, total) if v is not None]
    if any(not isinstance(v, int) or isinstance(v, bool) for v in present):
        return [f"{number}: subtotal_cents, tax_cents and total_cents must be integer cents, "
                f"got {subtotal!r}, {tax!r}, {total!r}"]
    if len(present) == 3 and subtotal + tax != total:
        problems.append(f"{number}: subtotal {subtotal} + tax {tax} != total {total}")
    if invoice.get("document_type") == "credit_note" and (total or 0) > 0:
        problems.append(f"{number}: a credit note's total must be negative, got {total}")
    if invoice.get("status") in ("paid", "void") and invoice.get("amount_due_cents", 0) != 0:
        problems.append(f"{number}: {invoice['status']} but amount_due_cents "
                        f"{invoice['amount_due_cents']}")
    if invoice.get("reverse_charge") and invoice.get("tax_cents") != 0:
        problems.append(f"{number}: reverse charge with tax {invoice.get('tax_cents')}")
    lines = [li for li in invoice.get("line_items") or [] if isinstance(li, dict)]
    if lines and all(isinstance(li.get("amount_cents"), int) for li in lines):
        if subtotal is not None and sum(li.get("amount_cents", 0) for li in lines) != subtotal:
            problems.append(f"{number}: lines sum to "
                            f"{sum(li.get('amount_cents', 0) for li in lines)}, subtotal "
                            f"{subtotal}")
        if tax is not None and all(isinstance(li.get("tax_cents"), int) for li in lines) and \
                sum(li["tax_cents"] for li in lines) != tax:
            problems.append(f"{number}: line taxes sum to "
                            f"{sum(li.get('tax_cents', 0) for li in lines)}, tax {tax}")
        for line in lines:
            problems += _line_problems(number, line, invoice)
    return problems


def _line_problems(number, line: dict, invoice: dict) -> list[str]:
    """What a line's own fields contradict (a field the server does not have is not checked:
    the line model is the mock's guess)."""
    try:
        amount, line_tax = line["amount_cents"], line.get("tax_cents")
        rate = Decimal(str(line["tax_rate"])) if line.get("tax_rate") is not None else None
        divisor = Decimal(str(line.get("unit_divisor") or 1))  # absent: a price per unit
        expected_amount = (half_up(Decimal(str(line["quantity"])) * line["unit_price_cents"]
                                   / divisor)
                           if "quantity" in line and "unit_price_cents" in line else amount)
    except (KeyError, InvalidOperation, TypeError, ValueError, ZeroDivisionError):
        return [f"{number}: line {line.get('id')} has unreadable quantity, price or rate"]
    problems = []
    if amount != expected_amount:
        per = f" per {divisor}" if divisor != 1 else ""
        problems.append(f"{number}: line {line.get('id')} amount {amount} != quantity x price"
                        f"{per} {expected_amount}")
    if rate is None:
        return problems
    if isinstance(line_tax, int) and line_tax != half_up(Decimal(amount) * rate / 100):
        problems.append(f"{number}: line {line.get('id')} tax {line_tax} != amount x "
                        f"{rate}% = {half_up(Decimal(amount) * rate / 100)}")
    category = line.get("tax_category")
    if category in ZERO_RATED and rate != 0:
        problems.append(f"{number}: category {category} with rate {rate}")
    if category == "S" and rate <= 0:
        problems.append(f"{number}: category S needs a positive rate")
    if invoice.get("reverse_charge") and category is not None and category != "AE":
        problems.append(f"{number}: reverse charge but line category {category}")
    return problems


@schemathesis.check
def billing_invoice_money(ctx, response, case):
    """Lines, VAT and totals of every invoice in the answer add up (credit notes negative)."""
    if response.status_code != 200:
        return None
    found = _invoices(_json(response), _op(case), also=("getUpcomingInvoice",))
    problems = [p for invoice in found for p in money_problems(invoice)]
    if problems:
        raise BillingFailure("billing_invoice_money", "; ".join(problems[:5]))
    return _checked("billing_invoice_money") if found else None


@schemathesis.check
def billing_transitions(ctx, response, case):
    """Tenants never see drafts, a status filter holds, and a send leaves the invoice sent."""
    if response.status_code != 200:
        return None
    body = _json(response) or {}
    op = _op(case)
    if op == "sendInvoiceEmail" and (body.get("data") or {}).get("status") != "sent":
        raise BillingFailure("billing_transitions", "a successful send must leave the invoice "
                             f"'sent', got {(body.get('data') or {}).get('status')!r}")
    states = [i.get("status") for i in _invoices(body, op)]
    wanted = (case.query or {}).get("status") if op == "listInvoices" else None
    if wanted and any(s != wanted for s in states):
        raise BillingFailure("billing_transitions", f"status={wanted} returned {set(states)}")
    hidden = [s for s in states if s not in VISIBLE_STATES]
    if hidden:  # the published facts do not say whether tenants see drafts: the mock's guess
        raise GuessFailure("billing_transitions", f"the mock never shows tenants invoices in "
                           f"{sorted(set(hidden))}; the server does")
    return _checked("billing_transitions") if states or op == "sendInvoiceEmail" else None


@schemathesis.check
def billing_default_method(ctx, response, case):
    """While any active method exists exactly one is the default; deleted ones leave the list."""
    if _op(case) != "listPaymentMethods" or response.status_code != 200:
        return None
    methods = (_json(response) or {}).get("data") or []
    problems = default_method_problems(methods)
    if problems:
        raise BillingFailure("billing_default_method", "; ".join(problems))
    if any(m.get("status", "active") != "active" for m in methods):
        raise GuessFailure("billing_default_method", "the mock drops a deleted (inactive) "
                           "method from the list; the server lists it as inactive")
    return _checked("billing_default_method") if methods else None


def default_method_problems(methods: list[dict]) -> list[str]:
    """Exactly one default among the active methods while there is any (a listed inactive
    method is the probe's and the guess check's business, not a defect here)."""
    active = [m for m in methods if m.get("status", "active") == "active"]
    defaults = [m.get("id") for m in active if m.get("is_default")]
    problems = []
    if active and len(defaults) != 1:
        problems.append(f"{len(active)} active methods but {len(defaults)} defaults {defaults}")
    if any(m.get("is_default") for m in methods if m not in active):
        problems.append("an inactive method is the default")
    return problems


# Errors the published facts make legitimate on any operation although FastAPI's document does
# not list them: the error envelope's documented codes (400 bad_request, 401 unauthorized,
# 403 forbidden, 404 not_found, 409 conflict). 422 and the 2xx are the operation's own.
LEGITIMATE_ERRORS = frozenset({400, 401, 403, 404, 409})
# A 429 comes from the staging gateway's rate limit, not from the API's contract.
NOT_THE_API = frozenset({429})


def published_answers(operation: str) -> dict[str, dict]:
    """The answers the published layer lists for an operation, by status."""
    from mockserver.published import published_document
    from mockserver.spec import operations

    op = operations().get(operation)
    if op is None:
        return {}
    return published_document()["paths"][op.path][op.method]["responses"]


@schemathesis.check
def billing_published_answer(ctx, response, case):
    """The status is one the published layer lists for the operation (201 stays 201), or an
    error the published facts allow; an answer published as a JSON model is JSON."""
    status = response.status_code
    answers = published_answers(_op(case))
    if not answers or status >= 500:  # not a billing operation; 5xx: not_a_server_error's
        return None
    if case.method.lower() != case.operation.method.lower():
        return None  # a method the operation does not have: unsupported_method's
    if status in NOT_THE_API:
        return None
    if str(status) not in answers and status not in LEGITIMATE_ERRORS:
        raise BillingFailure("billing_published_answer", f"{status} is not an answer the "
                             f"published reference lists for {_op(case)} "
                             f"({', '.join(sorted(answers))}) nor a documented error "
                             f"({', '.join(map(str, sorted(LEGITIMATE_ERRORS)))})")
    schema = ((answers.get(str(status)) or {}).get("content", {})
              .get("application/json", {}).get("schema"))
    if schema and _json(response) is None:
        raise BillingFailure("billing_published_answer", f"the published {status} of "
                             f"{_op(case)} is a JSON model; got "
                             f"{_header(response, 'content-type')!r}")
    return _checked("billing_published_answer")
