"""The tenants' starting state, as far as the recorded reads show it.

A read counts when it came before any write that changes what it shows: the billing profile
(before the first successful PUT), the payment methods (before the first add, default, delete
or successful confirm), the invoices and credit notes of the lists and details (their state
before a send), the subscriptions of the overview, the period's usage of the upcoming
estimate (for the built-in plans, whose tiers say what a line's quantity counts), and the
seller of the first invoice. Values that are secrets (IBANs) are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mockserver.default_world import PLANS
from mockserver.spec import load_spec

METHOD_WRITES = {"addPaymentMethod", "deletePaymentMethod", "setDefaultPaymentMethod",
                 "confirmProviderPaymentMethod"}
SELLER_FIELDS = ("legal_name", "address_line1", "postal_code", "city", "country_code",
                 "vat_number", "registration_number", "email", "phone", "iban", "bic",
                 "bank_name", "payment_terms_days", "website")
DISPLAY = ("brand", "last4", "iban_last4", "bank_name")  # a method's display data
INVOICE_STATES = {"finalized", "sent", "past_due", "paid", "void"}


def profile_fields() -> tuple[str, ...]:
    schema = load_spec()["components"]["schemas"]["BillingProfileCreateUpdate"]
    return tuple(schema["properties"])


class StartingState:
    """Fed every Billing API call of one tenant in order (``add``); ``spec()`` is the tenant's
    part of the scenario."""

    def __init__(self, is_secret: Callable[[str], bool]) -> None:
        self.is_secret = is_secret
        self.profile: dict | None = None
        self.profile_known = self.methods_known = self.subscriptions_known = False
        self.methods: list[dict] = []
        self.subscriptions: list[dict] = []
        self.invoices: dict[str, dict] = {}  # id -> the first answer that showed it
        self.lines: dict[str, list[dict]] = {}  # id -> line items of a detail answer
        self.sent: set[str] = set()  # invoices sent before they were read
        self.seller: dict | None = None
        self.buyer: dict | None = None
        self.usage_lines: list[dict] | None = None

    def add(self, operation_id: str, path: str, status: int, body: Any) -> None:
        data = body.get("data") if isinstance(body, dict) else None
        ok = 200 <= status < 300
        if operation_id == "upsertBillingProfile" and ok:
            self.profile_known = True
        elif operation_id == "getBillingProfile" and ok and not self.profile_known:
            self.profile_known, self.profile = True, self._kept(data, profile_fields())
        elif operation_id in METHOD_WRITES and ok:
            self.methods_known = True
        elif operation_id == "listPaymentMethods" and ok and not self.methods_known:
            self.methods_known = True
            self.methods = [_method(m) for m in data or [] if m.get("status", "active")
                            == "active"]
        elif operation_id == "getBillingOverview" and ok and isinstance(data, dict):
            self._overview(data)
        elif operation_id == "getUpcomingInvoice" and ok and isinstance(data, dict):
            if self.usage_lines is None:
                self.usage_lines = [line for line in data.get("line_items") or []
                                    if isinstance(line, dict) and line.get("kind") == "usage"]
        elif operation_id == "listInvoices" and ok:
            for invoice in data or []:
                self._invoice(invoice)
        elif operation_id == "getInvoice" and ok and isinstance(data, dict):
            self._invoice(data)
            if data.get("line_items") is not None:
                self.lines.setdefault(data["id"], data["line_items"])
        elif operation_id == "sendInvoiceEmail" and ok:
            invoice_id = path.split("/")[3]
            if invoice_id not in self.invoices:
                self.sent.add(invoice_id)

    def _overview(self, data: dict) -> None:
        if not self.methods_known and data.get("default_payment_method"):
            self.methods = [_method(data["default_payment_method"])]
        if not self.subscriptions_known and "subscriptions" in data:
            self.subscriptions_known = True
            self.subscriptions = [_subscription(s) for s in data["subscriptions"] or []]

    def _invoice(self, invoice: dict) -> None:
        if not isinstance(invoice, dict) or "id" not in invoice:
            return
        first = self.invoices.setdefault(invoice["id"], invoice)
        if self.seller is None and isinstance(first.get("seller"), dict):
            self.seller = self._seller(first["seller"])
        if self.buyer is None and isinstance(first.get("buyer"), dict):
            self.buyer = self._kept(first["buyer"], profile_fields())

    def _seller(self, data: dict) -> dict:
        """Every field of the seller, as a scenario's seller must name them: a secret (the
        seller's IBAN) as null, like a field the seller has not got."""
        return {k: None if isinstance(data[k], str) and self.is_secret(data[k]) else data[k]
                for k in SELLER_FIELDS if k in data}

    def _kept(self, data, names: tuple[str, ...]) -> dict | None:
        if not isinstance(data, dict):
            return None
        return {k: v for k, v in data.items() if k in names and v is not None
                and not (isinstance(v, str) and self.is_secret(v))}

    # -- the tenant's part of the scenario ----------------------------------------------------

    def spec(self) -> dict:
        found: dict[str, Any] = {}
        profile = self.profile if self.profile_known else self.buyer
        if profile:
            found["profile"] = profile
        if self.subscriptions:
            found["subscriptions"] = self.subscriptions
            usage = self._usage()
            if usage:
                found["usage"] = usage
        if self.methods:
            found["payment_methods"] = self.methods
        invoices = self._invoice_specs()
        if invoices and profile:
            found["invoices"] = invoices
        return found

    def _usage(self) -> list[dict]:
        """One event per metric at the period's start: the sum of the estimate's lines, in
        the units the built-in plan's tiers count (a line with ``unit_divisor`` counts units;
        one without counts per the tier's divisor, as the mock did before it had one)."""
        plans = {PLANS[s["plan"]].plan_key: PLANS[s["plan"]] for s in self.subscriptions
                 if isinstance(s["plan"], str)}
        totals: dict[tuple[str, str], Decimal] = {}
        for line in self.usage_lines or []:
            plan = plans.get(line.get("plan_key"))
            tiers = [t for t in plan.usage_pricing if t.metric_slug == line.get("metric_slug")
                     ] if plan else []
            if not tiers or not line.get("period_start"):
                continue
            key = (line["metric_slug"], line["period_start"])
            per = 1 if "unit_divisor" in line else tiers[0].unit_divisor
            totals[key] = totals.get(key, Decimal(0)) + Decimal(str(line.get("quantity", "0"))
                                                                 ) * per
        return [{"metric": metric, "quantity": int(total), "at": f"{start}T00:00:00Z"}
                for (metric, start), total in totals.items() if total > 0]

    def _invoice_specs(self) -> list[dict]:
        keys: dict[str, str] = {}
        specs = []
        ordered = sorted(self.invoices.values(), key=_issued_at)
        for invoice in ordered:
            status = "finalized" if invoice["id"] in self.sent else invoice.get("status")
            if status not in INVOICE_STATES:
                continue
            spec: dict[str, Any] = {"key": f"invoice-{len(specs) + 1}",
                                    "issued_at": _issued_at(invoice), "status": status}
            original = invoice.get("referenced_invoice_id")
            if invoice.get("document_type") == "credit_note":
                if original not in keys:
                    continue  # its invoice was not read: the note cannot be rebuilt
                spec["credit_note_for"] = keys[original]
                credited = self._credited_lines(invoice["id"], original)
                if credited is not None:
                    spec["credit_lines"] = credited
            else:
                spec["lines"] = self._lines(invoice)
            for name in ("period_start", "period_end", "notes"):
                if invoice.get(name) is not None:
                    spec[name] = invoice[name]
            if invoice.get("pdf_url"):  # a signed URL is a secret: a placeholder keeps the 307
                spec["pdf_url"] = f"https://invoices.invalid/{spec['key']}.pdf"
            keys[invoice["id"]] = spec["key"]
            specs.append(spec)
        return specs

    def _credited_lines(self, note_id: str, original_id: str) -> list[int] | None:
        """Indexes of the original's lines the note credits, matched by description and
        price (None, all of them, when either's lines were not read)."""
        note, original = self.lines.get(note_id), self.lines.get(original_id)
        if not note or not original:
            return None
        free = list(enumerate(original))
        credited = []
        for line in note:
            match = next((i for i, o in free if o.get("description") == line.get("description")
                          and abs(o.get("unit_price_cents") or 0)
                          == abs(line.get("unit_price_cents") or 0)), None)
            if match is not None:
                credited.append(match)
                free = [(i, o) for i, o in free if i != match]
        return sorted(credited) if len(credited) < len(original) else None

    def _lines(self, invoice: dict) -> list[dict]:
        recorded = self.lines.get(invoice["id"])
        if not recorded:
            line = {"description": "Recorded invoice (its lines were not read)",
                    "unit_price_cents": invoice.get("subtotal_cents", 0)}
            if invoice.get("tax_category") == "S" and invoice.get("tax_rate"):
                line["tax_rate"] = invoice["tax_rate"]
            return [line]
        lines = []
        for item in recorded:
            line = {"description": item.get("description") or "Line",
                    "quantity": str(item.get("quantity", "1")),
                    "unit_price_cents": item.get("unit_price_cents", 0)}
            if (item.get("unit_divisor") or 1) > 1:  # the price is per so many units
                line["unit_divisor"] = item["unit_divisor"]
            if item.get("tax_category") == "S" and item.get("tax_rate"):
                line["tax_rate"] = item["tax_rate"]
            for name in ("period_start", "period_end"):
                if item.get(name):
                    line[name] = item[name]
            lines.append(line)
        return lines


def _method(method: dict) -> dict:
    found = {"provider": method.get("provider_slug"), "type": method.get("method_type")}
    if method.get("is_default"):
        found["default"] = True
    display = {k: method[k] for k in DISPLAY if method.get(k)}
    if display:
        found["display"] = display
    return found


def _subscription(sub: dict) -> dict:
    service, _, slug = (sub.get("plan_key") or "plan.plan").partition(".")
    quantity = max(1, int(sub.get("quantity") or 1))
    builtin = PLANS.get(slug)
    price = (sub.get("price_cents") or 0) // quantity
    if builtin is not None and builtin.plan_key == sub.get("plan_key") and (
            builtin.base_price_cents == price):
        plan: Any = slug
    else:
        plan = {"slug": _key(slug), "name": sub.get("plan_name") or slug,
                "service_slug": _key(service), "base_price_cents": price,
                "billing_period": sub.get("billing_period") or "monthly"}
    found = {"plan": plan, "quantity": quantity}
    if sub.get("status"):
        found["status"] = sub["status"]
    if sub.get("current_period_start"):
        found["period_start"] = sub["current_period_start"]
    return found


def _key(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in text).strip("-_")
    return (cleaned or "plan")[:63]


def _issued_at(invoice: dict) -> str:
    for name in ("finalized_at", "created_at"):
        if invoice.get(name):
            return invoice[name]
    return f"{invoice.get('issue_date', '2026-01-01')}T00:00:00Z"
