"""The EN 16931 arithmetic, recomputed from an invoice's XML by our own code.

A second opinion next to the official rule files, written from the standard's text rather
than from the schematron, so that a blind spot the rule files share cannot hide a wrong
total. One known one: the CEN rules accept a VAT category tax amount (BR-S-09, BR-CO-17)
anywhere within 1.00 of taxable amount x rate. Here it must be a rounding of it to the cent,
and only one of two (:func:`tax_within_rounding`): the group's taxable amount x rate rounded
(the formula of BR-CO-17), or the sum of its lines' VAT, each line's rounded (how
ScaiControl computes it, ``tax_cents = amount_cents * rate / 100`` per line). The second is
at most half a cent per line from the exact product; no other amount passes, not even one
within that distance.

UBL (Invoice and CreditNote) and CII are read into one neutral form, :class:`Figures`, and
every rule runs on that: the totals (BR-CO-10 to BR-CO-17), each line's net amount from
quantity, price and price base quantity, and the rules of the VAT categories S, Z, E, AE, G
and O (breakdown present, party identifiers, line rates, taxable amounts, tax amounts,
exemption reasons, and O alone on its invoice).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
UBL_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
CATEGORIES = ("S", "Z", "E", "AE", "G", "O")
ZERO_RATED = ("Z", "E", "AE", "G")  # a rate of 0 and no tax
NEEDS_REASON = ("E", "AE", "G", "O")  # BR-x-10: an exemption reason (text or code)


@dataclass(frozen=True)
class Line:
    """One invoice line (BG-25): BT-126, BT-129, BT-146, BT-149, BT-131, BT-151, BT-152."""

    id: str
    quantity: Decimal
    price: Decimal
    base_quantity: Decimal
    adjustment: Decimal  # line charges minus line allowances (BT-141 - BT-136)
    net: Decimal
    category: str
    rate: Decimal | None


@dataclass(frozen=True)
class Adjustment:
    """A document level allowance (BG-20) or charge (BG-21) with its VAT category."""

    charge: bool
    amount: Decimal
    category: str
    rate: Decimal | None


@dataclass(frozen=True)
class Breakdown:
    """One VAT breakdown (BG-23): BT-116 to BT-121."""

    category: str
    rate: Decimal | None
    taxable: Decimal
    tax: Decimal
    has_reason: bool


@dataclass(frozen=True)
class Figures:
    """What the arithmetic needs of one invoice, whatever its syntax."""

    syntax: str
    lines: tuple[Line, ...]
    adjustments: tuple[Adjustment, ...]
    breakdowns: tuple[Breakdown, ...]
    totals: dict[str, Decimal | None]  # BT-106 ... BT-115 by their number
    seller_vat: bool  # BT-31
    seller_tax_registration: bool  # BT-32
    tax_representative_vat: bool  # BT-63
    buyer_vat: bool  # BT-48
    buyer_legal_id: bool  # BT-47


def figures(xml: bytes) -> Figures:
    """Read UBL or CII; anything else is a :class:`ValueError`."""
    root = etree.fromstring(xml)
    name = etree.QName(root)
    if name.namespace == CII_NS["rsm"]:
        return _read_cii(root)
    if name.localname in ("Invoice", "CreditNote"):
        return _read_ubl(root, credit=name.localname == "CreditNote")
    raise ValueError(f"not a UBL or CII invoice: {name.text}")


def arithmetic_problems(xml: bytes) -> list[str]:
    """Every EN 16931 arithmetic and VAT category rule the document breaks, as
    ``"RULE-ID: what is wrong"``; an empty list when the sums and categories hold."""
    found = figures(xml)
    return [*_line_problems(found), *_total_problems(found), *_category_problems(found)]


# -- the rules ------------------------------------------------------------------------------

def _line_problems(f: Figures) -> list[str]:
    problems = []
    for line in f.lines:
        expected = _round(line.quantity * line.price / line.base_quantity + line.adjustment)
        if line.net != expected:
            problems.append(
                f"LINE-NET: line {line.id} net amount {line.net} != quantity {line.quantity} x "
                f"price {line.price} / base quantity {line.base_quantity} = {expected}")
    return problems


def _total_problems(f: Figures) -> list[str]:
    t = f.totals
    zero = Decimal(0)
    allowances = sum((a.amount for a in f.adjustments if not a.charge), zero)
    charges = sum((a.amount for a in f.adjustments if a.charge), zero)
    line_sum = sum((line.net for line in f.lines), zero)
    tax_sum = sum((b.tax for b in f.breakdowns), zero)
    tax_total = t["110"] or zero
    checks = [
        ("BR-CO-10", t["106"], line_sum, "sum of line net amounts (BT-106)"),
        ("BR-CO-11", t["107"] or zero, allowances, "sum of allowances (BT-107)"),
        ("BR-CO-12", t["108"] or zero, charges, "sum of charges (BT-108)"),
        ("BR-CO-13", t["109"], (t["106"] or zero) - allowances + charges,
         "total without VAT (BT-109)"),
        ("BR-CO-14", tax_total, tax_sum, "total VAT (BT-110) against the breakdown"),
        ("BR-CO-15", t["112"], (t["109"] or zero) + tax_total, "total with VAT (BT-112)"),
        ("BR-CO-16", t["115"], (t["112"] or zero) - (t["113"] or zero) + (t["114"] or zero),
         "amount due (BT-115)"),
    ]
    problems = [f"{rule}: {what} is {written}, the figures give {expected}"
                for rule, written, expected, what in checks if written != expected]
    if not f.breakdowns:
        problems.append("BR-CO-18: no VAT breakdown (BG-23)")
    for b in f.breakdowns:
        parts = _parts_of(f, b)
        if b.rate is not None and not tax_within_rounding(b.tax, b.taxable, b.rate, parts):
            problems.append(
                f"BR-CO-17: {b.category} {b.rate} % tax {b.tax} is not taxable {b.taxable} x "
                f"rate rounded, by the group or by each of its {len(parts)} line(s)")
    return problems


def tax_within_rounding(tax: Decimal, taxable: Decimal, rate: Decimal,
                        parts: list[Decimal]) -> bool:
    """Whether ``tax`` is the VAT of a group of ``parts`` (line net amounts, signed document
    allowances and charges) summing to ``taxable``, at ``rate`` percent, rounded to the cent:
    either the group's exact VAT rounded (EN 16931's BR-CO-17), or the sum of each part's
    VAT rounded (per line), when the parts do make up ``taxable``. A tie (half a cent) may
    go either way, so half-up, half-even and half-down rounding all pass; any other amount
    does not."""
    if tax != tax.quantize(CENT):
        return False
    low, high = _roundings(taxable * rate / 100)
    if low <= tax <= high:
        return True
    if sum(parts, Decimal(0)) != taxable:
        return False  # lines that are not the group's taxable amount prove nothing of it
    per_part = [_roundings(part * rate / 100) for part in parts]
    return sum(p[0] for p in per_part) <= tax <= sum(p[1] for p in per_part)


def _roundings(exact: Decimal) -> tuple[Decimal, Decimal]:
    """The lowest and highest cent a rounding to the nearest cent gives (two at a tie)."""
    return ((exact - HALF_CENT).quantize(CENT, rounding=ROUND_CEILING),
            (exact + HALF_CENT).quantize(CENT, rounding=ROUND_FLOOR))


def _parts_of(f: Figures, b: Breakdown) -> list[Decimal]:
    """The signed amounts of the lines and document adjustments of ``b``'s category and rate."""
    return [_signed(item) for item in (*f.lines, *f.adjustments) if _key(item) == _key(b)]


def _key(item: Line | Adjustment | Breakdown) -> tuple[str, Decimal | None]:
    rate = None if item.category == "O" else item.rate
    return item.category, rate


def _category_problems(f: Figures) -> list[str]:
    problems = []
    used = {item.category for item in (*f.lines, *f.adjustments)}
    for category in sorted(used | {b.category for b in f.breakdowns}):
        if category not in CATEGORIES:
            continue  # L and M (Canary Islands, Ceuta and Melilla) are beyond this check
        groups = [b for b in f.breakdowns if b.category == category]
        if category in used and not groups:
            problems.append(f"BR-{category}-01: category {category} is used but has no VAT "
                            "breakdown")
        if category != "S" and len(groups) > 1:
            problems.append(f"BR-{category}-01: category {category} has {len(groups)} "
                            "breakdowns, not one")
        problems += _party_problems(f, category)
        problems += _rate_problems(f, category)
        problems += _breakdown_problems(f, category, groups)
    present = used | {b.category for b in f.breakdowns}
    if "O" in present and present - {"O"}:
        problems.append(f"BR-O-11: an invoice with category O has other categories too: "
                        f"{', '.join(sorted(present - {'O'}))}")
    return problems


def _party_problems(f: Figures, category: str) -> list[str]:
    seller = f.seller_vat or f.tax_representative_vat
    if category == "O":
        named = [bt for bt, present in (("BT-31", f.seller_vat), ("BT-63",
                 f.tax_representative_vat), ("BT-48", f.buyer_vat)) if present]
        return [f"BR-O-02: category O but VAT identifiers {', '.join(named)} are given"
                ] if named else []
    if category in ("S", "Z", "E"):
        seller = seller or f.seller_tax_registration
    missing = f"BR-{category}-02: category {category} without the seller's VAT identifier"
    problems = [] if seller else [f"{missing} (BT-31/BT-32/BT-63)"]
    if category == "AE" and not (f.buyer_vat or f.buyer_legal_id):
        problems.append("BR-AE-02: reverse charge without the buyer's VAT identifier (BT-48) "
                        "or legal registration (BT-47)")
    return problems


def _rate_problems(f: Figures, category: str) -> list[str]:
    problems = []
    for item in (*f.lines, *f.adjustments):
        if item.category != category:
            continue
        where = f"line {item.id}" if isinstance(item, Line) else "an allowance or charge"
        if category == "S" and not (item.rate and item.rate > 0):
            problems.append(f"BR-S-05: {where} is standard rated at {item.rate}, not above 0")
        elif category in ZERO_RATED and item.rate != 0:
            problems.append(f"BR-{category}-05: {where} in {category} has rate {item.rate}, not 0")
        elif category == "O" and item.rate is not None:
            problems.append(f"BR-O-05: {where} is not subject to VAT but has a rate")
    return problems


def _breakdown_problems(f: Figures, category: str, groups: list[Breakdown]) -> list[str]:
    problems = []
    for b in groups:
        items = [item for item in (*f.lines, *f.adjustments) if _key(item) == _key(b)]
        taxable = sum((_signed(item) for item in items), Decimal(0))
        label = f"{category} {b.rate} %" if category != "O" else "O"
        if b.taxable != taxable:
            problems.append(f"BR-{category}-08: {label} taxable amount {b.taxable} is not the "
                            f"sum of its lines and adjustments, {taxable}")
        if category == "S":
            exact = b.taxable * (b.rate or 0) / 100
            parts = [_signed(item) for item in items]
            if not tax_within_rounding(b.tax, b.taxable, b.rate or Decimal(0), parts):
                problems.append(f"BR-S-09: {label} tax {b.tax} is not taxable x rate = "
                                f"{_round(exact)}, nor the sum of its {len(parts)} line(s)' "
                                "VAT rounded one by one")
        elif b.tax != 0:
            problems.append(f"BR-{category}-09: {label} tax amount {b.tax}, not 0")
        if category in NEEDS_REASON and not b.has_reason:
            problems.append(f"BR-{category}-10: {label} breakdown without an exemption reason")
        if category in ("S", "Z") and b.has_reason:
            problems.append(f"BR-{category}-10: {label} breakdown has an exemption reason")
    return problems


def _signed(item: Line | Adjustment) -> Decimal:
    if isinstance(item, Line):
        return item.net
    return item.amount if item.charge else -item.amount


# -- reading the two syntaxes ---------------------------------------------------------------

def _read_ubl(root: etree._Element, credit: bool) -> Figures:
    x = _Reader(root, UBL_NS)
    currency = x.text("cbc:DocumentCurrencyCode")
    line_tag, quantity_tag = (("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit
                              else ("cac:InvoiceLine", "cbc:InvoicedQuantity"))
    lines = tuple(_ubl_line(_Reader(node, UBL_NS), quantity_tag) for node in x.all(line_tag))
    adjustments = tuple(
        Adjustment(a.text("cbc:ChargeIndicator") == "true", a.amount("cbc:Amount"),
                   a.text("cac:TaxCategory/cbc:ID"), a.decimal("cac:TaxCategory/cbc:Percent"))
        for a in x.readers("cac:AllowanceCharge"))
    tax_total = [t for t in x.readers("cac:TaxTotal")
                 if t.attribute("cbc:TaxAmount", "currencyID") in (currency, None)]
    breakdowns = tuple(
        Breakdown(s.text("cac:TaxCategory/cbc:ID"), s.decimal("cac:TaxCategory/cbc:Percent"),
                  s.amount("cbc:TaxableAmount"), s.amount("cbc:TaxAmount"),
                  bool(s.text("cac:TaxCategory/cbc:TaxExemptionReason")
                       or s.text("cac:TaxCategory/cbc:TaxExemptionReasonCode")))
        for t in tax_total[:1] for s in t.readers("cac:TaxSubtotal"))
    m = "cac:LegalMonetaryTotal/cbc:"
    totals = {
        "106": x.decimal(m + "LineExtensionAmount"), "107": x.decimal(m + "AllowanceTotalAmount"),
        "108": x.decimal(m + "ChargeTotalAmount"), "109": x.decimal(m + "TaxExclusiveAmount"),
        "110": tax_total[0].decimal("cbc:TaxAmount") if tax_total else None,
        "112": x.decimal(m + "TaxInclusiveAmount"), "113": x.decimal(m + "PrepaidAmount"),
        "114": x.decimal(m + "PayableRoundingAmount"), "115": x.decimal(m + "PayableAmount"),
    }
    seller = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"
    buyer = "cac:AccountingCustomerParty/cac:Party"
    return Figures(
        "ubl", lines, adjustments, breakdowns, totals,
        seller_vat=x.has(f"{seller}[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
        seller_tax_registration=x.has(f"{seller}[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID"),
        tax_representative_vat=x.has("cac:TaxRepresentativeParty/cac:PartyTaxScheme/cbc:CompanyID"),
        buyer_vat=x.has(f"{buyer}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
        buyer_legal_id=x.has(f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID"),
    )


def _ubl_line(line: _Reader, quantity_tag: str) -> Line:
    adjustment = Decimal(0)
    for a in line.readers("cac:AllowanceCharge"):
        amount = a.amount("cbc:Amount")
        adjustment += amount if a.text("cbc:ChargeIndicator") == "true" else -amount
    return Line(
        line.text("cbc:ID"), line.amount(quantity_tag), line.amount("cac:Price/cbc:PriceAmount"),
        line.decimal("cac:Price/cbc:BaseQuantity") or Decimal(1), adjustment,
        line.amount("cbc:LineExtensionAmount"),
        line.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        line.decimal("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
    )


def _read_cii(root: etree._Element) -> Figures:
    x = _Reader(root, CII_NS)
    trade = "rsm:SupplyChainTradeTransaction/"
    settlement = trade + "ram:ApplicableHeaderTradeSettlement/"
    currency = x.text(settlement + "ram:InvoiceCurrencyCode")
    items = x.readers(trade + "ram:IncludedSupplyChainTradeLineItem")
    lines = tuple(_cii_line(line) for line in items)
    adjustments = tuple(
        Adjustment(a.text("ram:ChargeIndicator/udt:Indicator") == "true",
                   a.amount("ram:ActualAmount"), a.text("ram:CategoryTradeTax/ram:CategoryCode"),
                   a.decimal("ram:CategoryTradeTax/ram:RateApplicablePercent"))
        for a in x.readers(settlement + "ram:SpecifiedTradeAllowanceCharge"))
    breakdowns = tuple(
        Breakdown(t.text("ram:CategoryCode"), t.decimal("ram:RateApplicablePercent"),
                  t.amount("ram:BasisAmount"), t.amount("ram:CalculatedAmount"),
                  bool(t.text("ram:ExemptionReason") or t.text("ram:ExemptionReasonCode")))
        for t in x.readers(settlement + "ram:ApplicableTradeTax"))
    s = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    tax_totals = [t for t in x.readers(s + "TaxTotalAmount")
                  if t.attribute(".", "currencyID") in (currency, None)]
    totals = {
        "106": x.decimal(s + "LineTotalAmount"), "107": x.decimal(s + "AllowanceTotalAmount"),
        "108": x.decimal(s + "ChargeTotalAmount"), "109": x.decimal(s + "TaxBasisTotalAmount"),
        "110": tax_totals[0].decimal(".") if tax_totals else None,
        "112": x.decimal(s + "GrandTotalAmount"), "113": x.decimal(s + "TotalPrepaidAmount"),
        "114": x.decimal(s + "RoundingAmount"), "115": x.decimal(s + "DuePayableAmount"),
    }
    agreement = trade + "ram:ApplicableHeaderTradeAgreement/"
    seller = agreement + "ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    buyer = agreement + "ram:BuyerTradeParty/"
    representative = agreement + "ram:SellerTaxRepresentativeTradeParty/"
    return Figures(
        "cii", lines, adjustments, breakdowns, totals,
        seller_vat=x.has(f"{seller}[@schemeID='VA']"),
        seller_tax_registration=x.has(f"{seller}[@schemeID='FC']"),
        tax_representative_vat=x.has(
            f"{representative}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        buyer_vat=x.has(f"{buyer}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        buyer_legal_id=x.has(f"{buyer}ram:SpecifiedLegalOrganization/ram:ID"),
    )


def _cii_line(line: _Reader) -> Line:
    price = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
    settlement = "ram:SpecifiedLineTradeSettlement/"
    adjustment = Decimal(0)
    for a in line.readers(settlement + "ram:SpecifiedTradeAllowanceCharge"):
        amount = a.amount("ram:ActualAmount")
        adjustment += amount if a.text("ram:ChargeIndicator/udt:Indicator") == "true" else -amount
    return Line(
        line.text("ram:AssociatedDocumentLineDocument/ram:LineID"),
        line.amount("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
        line.amount(price + "ram:ChargeAmount"),
        line.decimal(price + "ram:BasisQuantity") or Decimal(1), adjustment,
        line.amount(settlement + "ram:SpecifiedTradeSettlementLineMonetarySummation/"
                    "ram:LineTotalAmount"),
        line.text(settlement + "ram:ApplicableTradeTax/ram:CategoryCode"),
        line.decimal(settlement + "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
    )


class _Reader:
    """XPath reads relative to one element, with decimals parsed strictly."""

    def __init__(self, node: etree._Element, namespaces: dict[str, str]) -> None:
        self.node, self.ns = node, namespaces

    def all(self, path: str) -> list[etree._Element]:
        return self.node.xpath(path, namespaces=self.ns)

    def readers(self, path: str) -> list[_Reader]:
        return [_Reader(node, self.ns) for node in self.all(path)]

    def has(self, path: str) -> bool:
        return any((node.text or "").strip() for node in self.all(path))

    def text(self, path: str) -> str | None:
        found = self.all(path)
        return (found[0].text or "").strip() if found else None

    def attribute(self, path: str, name: str) -> str | None:
        found = self.all(path)
        return found[0].get(name) if found else None

    def decimal(self, path: str) -> Decimal | None:
        text = self.text(path)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{path} is not a number: {text!r}") from None

    def amount(self, path: str) -> Decimal:
        value = self.decimal(path)
        if value is None:
            raise ValueError(f"{path} is missing")
        return value


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
