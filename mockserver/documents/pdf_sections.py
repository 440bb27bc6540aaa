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
from mockserver.domain.localize import format_date, format_money, format_quantity, format_rate
from mockserver.documents.pdf_grid import Grid
from mockserver.documents.pdf_text import (
    GREY,
    TextStyle,
    draw_lines,
    keep_together,
    paragraph,
    wrapped,
)

CONTENT_WIDTH = 174
# The head of the first page: the seller and the buyer on the left, title and facts right.
LEFT_WIDTH, RIGHT_WIDTH = 98, 72
RIGHT_X = CONTENT_WIDTH - RIGHT_WIDTH  # from the left margin
BUYER_TOP = 52  # mm from the top of the page, unless a long letterhead pushes it down
META_GAP = 3  # mm at least between a fact's label and its value on one line
SELLER_NAME = TextStyle(15, 7, bold=True)
SELLER_ADDRESS = TextStyle(8.5, 4, color=GREY)
TITLE = TextStyle(20, 9, bold=True)
META_LABEL = TextStyle(8.5, 4.6, color=GREY)
META_VALUE = TextStyle(8.5, 4.6, bold=True)
BILL_TO = TextStyle(7.5, 4, color=GREY)
BUYER_NAME = TextStyle(10, 5, bold=True)
BUYER_ADDRESS = TextStyle(9, 4.4)
SECTION = TextStyle(9.5, 5.5, bold=True)
NOTE = TextStyle(8.5, 4.4)
PAYMENT_TEXT = TextStyle(9, 4.6)
LINE_GRID = Grid((76, 22, 30, 14, 32), ("L", "R", "R", "R", "R"))
VAT_GRID = Grid((82, 20, 36, 36), ("L", "R", "R", "R"), size=8)
TOTALS_GRID = Grid((58, 36), ("L", "R"), size=9, line_height=5, left=80, rules=False,
                   padding=0)
PAYMENT_GRID = Grid((36, 138), ("L", "L"), size=9, line_height=4.6, rules=False, padding=0,
                    bold_columns=(1,))
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
    meta_end = _title_and_meta(pdf, facts, labels, printer)
    letterhead_end = _letterhead(pdf, facts)
    buyer_end = _buyer(pdf, facts, labels, max(BUYER_TOP, letterhead_end + 8))
    pdf.set_xy(pdf.l_margin, max(meta_end, buyer_end) + 8)
    _lines(pdf, facts, labels, printer)
    _totals(pdf, facts, labels, printer)
    _vat_breakdown(pdf, facts, labels, printer)
    _notes(pdf, facts, labels)
    _payment(pdf, facts, labels, printer)


def printed_texts(facts: InvoiceFacts, labels: dict) -> list[str]:
    """Every text the page takes from the invoice and the labels (amounts and dates are
    formatted from digits and the body font's own signs): what fallback faces must cover."""
    parties = [value for party in (facts.seller, facts.buyer) for value in party.values()]
    lines = [line.description for line in facts.lines]
    return [text for text in (*parties, *lines, facts.invoice.notes, *labels.values())
            if isinstance(text, str)]


def footer_lines(facts: InvoiceFacts, labels: dict) -> list[str]:
    """The seller's identity in two lines at the foot of every page."""
    seller = facts.seller
    place = f"{seller.get('postal_code', '')} {seller.get('city', '')}".strip()
    address = [seller["legal_name"], seller.get("address_line1"), place, seller.get("country_code")]
    details = [
        _tax_id(labels, seller, " "),
        f"{labels['registration']} {seller['registration_number']}"
        if seller.get("registration_number") else None,
        seller.get("email"), seller.get("phone"), seller.get("website"),
    ]
    return [SEPARATOR.join(filter(None, address)), SEPARATOR.join(filter(None, details))]


def _letterhead(pdf: FPDF, facts: InvoiceFacts) -> float:
    """The seller's name and address, top left; returns where it ends."""
    seller = facts.seller
    y = _column(pdf, pdf.t_margin, [seller["legal_name"]], SELLER_NAME)
    return _column(pdf, y, _address_lines(seller), SELLER_ADDRESS)


def _column(pdf: FPDF, y: float, texts: list[str], style: TextStyle) -> float:
    """``texts`` wrapped one under the other in the left column of the head, from ``y``."""
    for text in texts:
        y = draw_lines(pdf, pdf.l_margin, y, LEFT_WIDTH, wrapped(pdf, text, LEFT_WIDTH, style),
                       style)
    return y


def _title_style(pdf: FPDF, title: str) -> TextStyle:
    """The title's style, smaller (down to 12 pt) until its longest word fits the column: a
    title such as "Rechnungskorrektur" wraps between words, never inside one."""
    style = TITLE
    longest = max(title.split() or [title], key=len)
    while style.size > 12:
        style.apply(pdf)
        if pdf.get_string_width(longest) <= RIGHT_WIDTH - 2 * pdf.c_margin:
            break
        style = TextStyle(style.size - 1, style.line_height * (style.size - 1) / style.size,
                          bold=True)
    return style


def _title_and_meta(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> float:
    """The document title and its key facts in the top right corner; returns where it ends."""
    invoice = facts.invoice
    left = pdf.l_margin + RIGHT_X
    title = labels["credit_note" if facts.is_credit_note else "invoice"]
    style = _title_style(pdf, title)
    y = draw_lines(pdf, left, pdf.t_margin, RIGHT_WIDTH,
                   wrapped(pdf, title, RIGHT_WIDTH, style), style, align="R")
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
    y += 2
    for label, value in rows:
        if value:
            y = _meta_row(pdf, left, y, label, value)
    return y


def _meta_row(pdf: FPDF, left: float, y: float, label: str, value: str) -> float:
    """A fact as "label ... value" on one line, or the value under its label if both do not
    fit side by side; returns where it ends."""
    label_lines = wrapped(pdf, label, RIGHT_WIDTH, META_LABEL)
    value_lines = wrapped(pdf, value, RIGHT_WIDTH, META_VALUE)
    side_by_side = len(label_lines) == len(value_lines) == 1 and (
        _width(pdf, label, META_LABEL) + _width(pdf, value, META_VALUE) + META_GAP
        <= RIGHT_WIDTH - 2 * pdf.c_margin)
    end = draw_lines(pdf, left, y, RIGHT_WIDTH, label_lines, META_LABEL)
    return draw_lines(pdf, left, y if side_by_side else end, RIGHT_WIDTH, value_lines,
                      META_VALUE, align="R")


def _width(pdf: FPDF, text: str, style: TextStyle) -> float:
    style.apply(pdf)
    return pdf.get_string_width(text)


def _buyer(pdf: FPDF, facts: InvoiceFacts, labels: dict, top: float) -> float:
    buyer = facts.buyer
    y = _column(pdf, top, [labels["bill_to"].upper()], BILL_TO)
    y = _column(pdf, y, [buyer["company_name"]], BUYER_NAME)
    lines = _address_lines(buyer)
    tax_id = _tax_id(labels, buyer, ": ")
    if tax_id:
        lines.append(tax_id)
    return _column(pdf, y, lines, BUYER_ADDRESS)


def _tax_id(labels: dict, party: dict, gap: str) -> str | None:
    """A VAT number under the VAT label, with its country prefix as the XML writes it (a
    Belgian's 0477472701 is BE0477472701); any other tax id (a US EIN) under the tax id one,
    as given."""
    vat = ids.party_vat_id(party)
    if vat:
        return f"{labels['vat_id']}{gap}{vat}"
    other = ids.party_tax_registration(party)
    return f"{labels['tax_id']}{gap}{other}" if other else None


def _address_lines(party: dict) -> list[str]:
    place = " ".join(filter(None, [party.get("postal_code"), party.get("city")]))
    region = ", ".join(filter(None, [party.get("state"), party.get("country_code")]))
    lines = (party.get("address_line1"), party.get("address_line2"), place, region)
    return [line for line in lines if line]


def _lines(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    keys = ("description", "quantity", "unit_price", "vat_rate", "amount")
    headings = [labels[key] for key in keys]
    first_row = True
    for line in facts.lines:
        cells = [
            line.description,
            format_quantity(line.quantity, printer.language),
            printer.unit_price(line, labels),
            "" if line.category == "O" else format_rate(line.rate, printer.language),
            printer.money(line.net_amount),
        ]
        period = printer.period(line.period_start, line.period_end)
        if first_row:
            LINE_GRID.start(pdf, headings, cells, subline=period or None)
            first_row = False
        LINE_GRID.row(pdf, cells, subline=period or None, headings=headings)


def _totals(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    rows = [(labels["subtotal"], printer.money(facts.line_total))]
    for group in facts.vat_groups:
        rate = format_rate(group.rate, printer.language)
        charged = group.category in ("S", "Z")
        label = f"{labels['vat']} {rate}" if charged else labels[f"cat_{group.category}"]
        rows.append((label, printer.money(group.tax)))
    total = [labels["total"], printer.money(facts.grand_total)]
    height = sum(TOTALS_GRID.height(pdf, list(row)) for row in rows)
    pdf.ln(3)
    keep_together(pdf, height + TOTALS_GRID.height(pdf, total, bold=True, size=10))
    for row in rows:
        TOTALS_GRID.row(pdf, list(row))
    TOTALS_GRID.row(pdf, total, bold=True, size=10)


def _vat_breakdown(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    headings = [labels[key] for key in ("category", "vat_rate", "taxable", "tax")]
    rows = []
    for group in facts.vat_groups:
        code = f" ({group.exemption_code})" if group.exemption_code else ""
        cells = [
            f"{_category_name(facts, group, labels)} [{group.category}]{code}",
            "" if group.category == "O" else format_rate(group.rate, printer.language),
            printer.money(group.taxable),
            printer.money(group.tax),
        ]
        rows.append(cells)
    height = VAT_GRID.height(pdf, headings, bold=True) + sum(
        VAT_GRID.height(pdf, cells) for cells in rows)
    _section_title(pdf, labels["vat_breakdown"], keep_with=height)
    VAT_GRID.heading(pdf, headings)
    for cells in rows:
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
    for text in texts:
        paragraph(pdf, pdf.l_margin, CONTENT_WIDTH, text, NOTE)


def _payment(pdf: FPDF, facts: InvoiceFacts, labels: dict, printer: Printer) -> None:
    amount = printer.money(facts.grand_total)
    invoice = facts.invoice
    if facts.is_credit_note:
        text = labels["refund"].format(amount=amount)
        _section_title(pdf, labels["payment"], keep_with=_text_height(pdf, text))
        paragraph(pdf, pdf.l_margin, CONTENT_WIDTH, text, PAYMENT_TEXT)
        return
    due = printer.date(invoice.due_date)
    # The XML's payment means decide the words: a transfer to the account printed below
    # (58), or the standing agreement (57) of a seller without one, which asks for none.
    wording = labels["pay_by" if facts.pays_by_transfer else "pay_agreed"]
    text = wording.format(amount=amount, date=due, number=invoice.number)
    seller = facts.seller
    rows = [
        (labels["account_holder"], seller.get("legal_name")),
        (labels["iban"], _grouped_iban(seller.get("iban"))),
        (labels["bic"], seller.get("bic")),
        (labels["bank"], seller.get("bank_name")),
    ]
    rows = [[label, value] for label, value in rows if value] if facts.pays_by_transfer else []
    height = _text_height(pdf, text) + 1 + sum(PAYMENT_GRID.height(pdf, row) for row in rows)
    _section_title(pdf, labels["payment"], keep_with=height)
    paragraph(pdf, pdf.l_margin, CONTENT_WIDTH, text, PAYMENT_TEXT)
    pdf.ln(1)
    for row in rows:
        PAYMENT_GRID.row(pdf, row)


def _text_height(pdf: FPDF, text: str) -> float:
    return len(wrapped(pdf, text, CONTENT_WIDTH, PAYMENT_TEXT)) * PAYMENT_TEXT.line_height


def _grouped_iban(iban: str | None) -> str | None:
    if not iban:
        return None
    compact = iban.replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def _section_title(pdf: FPDF, text: str, keep_with: float) -> None:
    """A section's title, on the same page as the ``keep_with`` mm of content under it."""
    pdf.ln(5)
    lines = wrapped(pdf, text, CONTENT_WIDTH, SECTION)
    keep_together(pdf, len(lines) * SECTION.line_height + keep_with)
    pdf.set_y(draw_lines(pdf, pdf.l_margin, pdf.get_y(), CONTENT_WIDTH, lines, SECTION))
