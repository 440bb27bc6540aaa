"""The blocks of the invoice page, top to bottom, each drawn by one short function.

Amounts are printed with the document's sign, the same numbers the XML formats carry: a
credit note shows positive amounts under a "Credit note" title.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from mockserver.documents import identifiers as ids
from mockserver.documents.facts import InvoiceFacts
from mockserver.documents.localize import format_date, format_money, format_quantity, format_rate
from mockserver.documents.pdf_fonts import FAMILY
from mockserver.documents.pdf_grid import Grid

GREY = (95, 95, 95)
BLACK = (20, 20, 20)
CONTENT_WIDTH = 174
LINE_GRID = Grid((88, 16, 26, 16, 28), ("L", "R", "R", "R", "R"))
VAT_GRID = Grid((82, 20, 36, 36), ("L", "R", "R", "R"), size=8)
SEPARATOR = " \u00b7 "


@dataclass(frozen=True)
class Printer:
    """Formats values for one invoice's currency and language."""

    currency: str
    language: str

    def money(self, value: Decimal) -> str:
        return format_money(int(value * 100), self.currency, self.language)

    def date(self, day) -> str:
        return format_date(day, self.language)

    def unit_price(self, line, labels: dict) -> str:
        """The price, and for a price of many units how many: ``€0.20 per 1,000``."""
        price = self.money(line.unit_price)
        if line.base_quantity == 1:
            return price
        count = format_quantity(Decimal(line.base_quantity), self.language)
        return f"{price} {labels['per']} {count}"

    def period(self, start, end) -> str:
        return f"{self.date(start)} \u2013 {self.date(end)}" if start and end else ""


def draw(pdf: FPDF, facts: InvoiceFacts, labels: dict, language: str) -> None:
    """Draw the whole invoice on ``pdf``, whose first page is open."""
    printer = Printer(facts.invoice.currency, language)
    _letterhead(pdf, facts)
    meta_end = _title_and_meta(pdf, facts, labels, printer)
    buyer_end = _buyer(pdf, facts, labels)
    pdf.set_y(max(meta_end, buyer_end) + 8)
    _lines(pdf, facts, labels, printer)
    _totals(pdf, facts, labels, printer)
    _vat_breakdown(pdf, facts, labels, printer)
    _notes(pdf, facts, labels)
    _payment(pdf, facts, labels, printer)


def footer_lines(facts: InvoiceFacts, labels: dict) -> list[str]:
    """The seller's identity in two lines at the foot of every page."""
    seller = facts.seller
    place = f"{seller.get('postal_code', '')} {seller.get('city', '')}".strip()
    address = [seller["legal_name"], seller.get("address_line1"), place, seller.get("country_code")]
    details = [
        _tax_id(labels, seller.get("vat_number"), " "),
        f"{labels['registration']} {seller['registration_number']}"
        if seller.get("registration_number") else None,
        seller.get("email"), seller.get("phone"), seller.get("website"),
    ]
    return [SEPARATOR.join(filter(None, address)), SEPARATOR.join(filter(None, details))]


def _letterhead(pdf: FPDF, facts: InvoiceFacts) -> None:
    seller = facts.seller
    pdf.set_text_color(*BLACK)
    pdf.set_font(FAMILY, "B", 15)
    pdf.cell(95, 7, seller["legal_name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    for line in _address_lines(seller):
        pdf.cell(95, 4, line, new_x="LMARGIN", new_y="NEXT")


def _title_and_meta(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> float:
    """The document title and its key facts in the top right corner; returns where it ends."""
    invoice = facts.invoice
    left = pdf.l_margin + 96
    pdf.set_xy(left, 16)
    pdf.set_text_color(*BLACK)
    pdf.set_font(FAMILY, "B", 20)
    title = labels["credit_note" if facts.is_credit_note else "invoice"]
    pdf.cell(CONTENT_WIDTH - 96, 9, title, align="R", new_x="LEFT", new_y="NEXT")
    rows = [
        (labels["number"], invoice.number),
        (labels["issue_date"], printer.date(invoice.issue_date)),
        (labels["original_invoice"], facts.is_credit_note and invoice.referenced_invoice_number),
        (labels["original_invoice_date"], facts.is_credit_note and invoice.referenced_invoice_date
         and printer.date(invoice.referenced_invoice_date)),
        (labels["due_date"], None if facts.is_credit_note else printer.date(invoice.due_date)),
        (labels["period"], printer.period(invoice.period_start, invoice.period_end)),
        (labels["leitweg_id"], facts.buyer.get("leitweg_id")),
        (labels["your_reference"], ids.order_reference(facts.buyer)
         or (None if facts.buyer.get("leitweg_id") else facts.buyer.get("buyer_reference"))),
    ]
    pdf.ln(2)
    for label, value in rows:
        if value:
            _meta_row(pdf, left, label, value)
    return pdf.get_y()


def _meta_row(pdf: FPDF, left: float, label: str, value: str) -> None:
    pdf.set_x(left)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.cell(34, 4.6, label)
    pdf.set_font(FAMILY, "B", 8.5)
    pdf.set_text_color(*BLACK)
    pdf.cell(CONTENT_WIDTH - 96 - 34, 4.6, value, align="R", new_x="LMARGIN", new_y="NEXT")


def _buyer(pdf: FPDF, facts: InvoiceFacts, labels: dict) -> float:
    buyer = facts.buyer
    pdf.set_xy(pdf.l_margin, 52)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(*GREY)
    pdf.cell(90, 4, labels["bill_to"].upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLACK)
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(90, 5, buyer["company_name"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    lines = _address_lines(buyer)
    tax_id = _tax_id(labels, buyer.get("vat_number"), ": ")
    if tax_id:
        lines.append(tax_id)
    for line in lines:
        pdf.cell(90, 4.4, line, new_x="LMARGIN", new_y="NEXT")
    return pdf.get_y()


def _tax_id(labels: dict, value: str | None, gap: str) -> str | None:
    """A VAT number under the VAT label; any other tax id (a US EIN) under the tax id one."""
    kind = ids.tax_id_kind(value)
    if kind is None:
        return None
    return f"{labels['vat_id' if kind == 'vat' else 'tax_id']}{gap}{value.strip()}"


def _address_lines(party: dict) -> list[str]:
    place = " ".join(filter(None, [party.get("postal_code"), party.get("city")]))
    region = ", ".join(filter(None, [party.get("state"), party.get("country_code")]))
    lines = (party.get("address_line1"), party.get("address_line2"), place, region)
    return [line for line in lines if line]


def _lines(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    keys = ("description", "quantity", "unit_price", "vat_rate", "amount")
    headings = [labels[key] for key in keys]
    pdf.set_text_color(*BLACK)
    LINE_GRID.heading(pdf, headings)
    for line in facts.lines:
        cells = [
            line.description,
            format_quantity(line.quantity, printer.language),
            printer.unit_price(line, labels),
            "" if line.category == "O" else format_rate(line.rate, printer.language),
            printer.money(line.net_amount),
        ]
        period = printer.period(line.period_start, line.period_end)
        LINE_GRID.row(pdf, cells, subline=period or None, headings=headings)


def _totals(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    pdf.ln(3)
    _total_row(pdf, labels["subtotal"], printer.money(facts.line_total))
    for group in facts.vat_groups:
        rate = format_rate(group.rate, printer.language)
        charged = group.category in ("S", "Z")
        label = f"{labels['vat']} {rate}" if charged else labels[f"cat_{group.category}"]
        _total_row(pdf, label, printer.money(group.tax))
    _total_row(pdf, labels["total"], printer.money(facts.grand_total), bold=True)


def _total_row(pdf: FPDF, label: str, value: str, bold: bool = False) -> None:
    pdf.set_x(pdf.l_margin + 84)
    pdf.set_font(FAMILY, "B" if bold else "", 10 if bold else 9)
    pdf.set_text_color(*BLACK)
    pdf.cell(60, 5.6 if bold else 5, label)
    pdf.cell(30, 5.6 if bold else 5, value, align="R", new_x="LMARGIN", new_y="NEXT")


def _vat_breakdown(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    _section_title(pdf, labels["vat_breakdown"])
    headings = [labels[key] for key in ("category", "vat_rate", "taxable", "tax")]
    VAT_GRID.heading(pdf, headings)
    for group in facts.vat_groups:
        code = f" ({group.exemption_code})" if group.exemption_code else ""
        cells = [
            f"{_category_name(facts, group, labels)} [{group.category}]{code}",
            format_rate(group.rate, printer.language),
            printer.money(group.taxable),
            printer.money(group.tax),
        ]
        VAT_GRID.row(pdf, cells, headings=headings)


def _category_name(facts: InvoiceFacts, group, labels: dict) -> str:
    """A VAT category's name; a standard-rated group below the invoice's standard rate (a 9 %
    next to 21 %) is a reduced rate, though EN 16931 codes both S."""
    if group.category == "S" and group.rate < facts.invoice.vat.tax_rate:
        return labels["cat_S_reduced"]
    return labels[f"cat_{group.category}"]


def _notes(pdf: FPDF, facts: InvoiceFacts, labels: dict) -> None:
    vat = facts.invoice.vat
    texts = []
    if facts.invoice.notes and not facts.is_credit_note:
        texts.append(facts.invoice.notes)
    if vat.case in ("intra_eu_b2b", "export", "exempt", "seller_outside_eu"):
        texts.append(labels[f"note_{vat.case}"])
    if not texts:
        return
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*BLACK)
    for text in texts:
        pdf.multi_cell(CONTENT_WIDTH, 4.4, text, new_x="LMARGIN", new_y="NEXT")


def _payment(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    _section_title(pdf, labels["payment"])
    pdf.set_font(FAMILY, "", 9)
    amount = printer.money(facts.grand_total)
    invoice = facts.invoice
    if facts.is_credit_note:
        pdf.multi_cell(CONTENT_WIDTH, 4.6, labels["refund"].format(amount=amount),
                       new_x="LMARGIN", new_y="NEXT")
        return
    due = printer.date(invoice.due_date)
    text = labels["pay_by"].format(amount=amount, date=due, number=invoice.number)
    pdf.multi_cell(CONTENT_WIDTH, 4.6, text, new_x="LMARGIN", new_y="NEXT")
    seller = facts.seller
    rows = [
        (labels["account_holder"], seller.get("legal_name")),
        (labels["iban"], _grouped_iban(seller.get("iban"))),
        (labels["bic"], seller.get("bic")),
        (labels["bank"], seller.get("bank_name")),
    ]
    pdf.ln(1)
    for label, value in rows:
        if value:
            pdf.set_font(FAMILY, "", 9)
            pdf.cell(34, 4.6, label)
            pdf.set_font(FAMILY, "B", 9)
            pdf.cell(100, 4.6, value, new_x="LMARGIN", new_y="NEXT")


def _grouped_iban(iban: str | None) -> str | None:
    if not iban:
        return None
    compact = iban.replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def _section_title(pdf: FPDF, text: str) -> None:
    pdf.ln(5)
    pdf.set_font(FAMILY, "B", 9.5)
    pdf.set_text_color(*BLACK)
    pdf.cell(CONTENT_WIDTH, 5.5, text, new_x="LMARGIN", new_y="NEXT")
