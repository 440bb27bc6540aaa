"""Our own EN 16931 arithmetic: silent on every sample, and each rule catches its defect,
including ones the official rule files let through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf
from lxml import etree

from mockserver.contract.einvoice import ARITHMETIC, new_schematron
from mockserver.contract.en16931 import CII_NS, UBL_NS, arithmetic_problems, figures
from mockserver.documents import render
from tests.documents.einvoice_rules import failing, problems
from tests.documents.samples import sample_invoices, with_routing

INVOICES = [with_routing(invoice) for invoice in sample_invoices()]
NL, DE, BE, US, FR, BG, GR, NL_CREDIT, DE_CREDIT = range(9)
FORMATS = ("ubl", "xrechnung", "cii")


@pytest.fixture(scope="module")
def schematron():
    """The official chains, to show what they let through (stylesheets compile on first use)."""
    return new_schematron()


def xml_of(index: int, fmt: str) -> bytes:
    return render(INVOICES[index], fmt).content


def rules(xml: bytes) -> set[str]:
    return {problem.split(":")[0] for problem in arithmetic_problems(xml)}


def mutate(xml: bytes, changes: list[tuple[str, object]], ns: dict) -> bytes:
    root = etree.fromstring(xml)
    for path, change in changes:
        nodes = root.xpath(path, namespaces=ns)
        assert nodes, path
        for node in nodes:
            change(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def plus(amount: str):
    def change(node) -> None:
        node.text = str(Decimal(node.text) + Decimal(amount))
    return change


def times(factor: str):
    def change(node) -> None:
        node.text = str(Decimal(node.text) * Decimal(factor))
    return change


def text(value: str):
    def change(node) -> None:
        node.text = value
    return change


def remove(node) -> None:
    node.getparent().remove(node)


@pytest.mark.parametrize("fmt", [*FORMATS, "facturx"])
@pytest.mark.parametrize("index", range(9))
def test_every_sample_in_every_format_adds_up(index, fmt):
    content = render(INVOICES[index], fmt).content
    xml = get_xml_from_pdf(content, check_xsd=False)[1] if fmt == "facturx" else content
    assert arithmetic_problems(xml) == []
    read = figures(xml)
    assert read.lines and read.breakdowns and read.totals["115"] is not None


def test_both_syntaxes_read_the_same_figures():
    ubl, cii = figures(xml_of(NL, "ubl")), figures(xml_of(NL, "cii"))
    assert ubl.totals == cii.totals
    assert [(b.category, b.rate, b.taxable, b.tax) for b in ubl.breakdowns] == [
        (b.category, b.rate, b.taxable, b.tax) for b in cii.breakdowns]
    assert [(li.net, li.category, li.rate) for li in ubl.lines] == [
        (li.net, li.category, li.rate) for li in cii.lines]


U = "cac:TaxTotal/cac:TaxSubtotal[cac:TaxCategory/cbc:ID='{0}']"
C = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[ram:CategoryCode='{0}']"
UBL_TAX_SHIFT = [  # 0.50 more VAT on the 21 % group, carried consistently into every total
    (U.format("S") + "[cac:TaxCategory/cbc:Percent='21.00']/cbc:TaxAmount", plus("0.50")),
    ("cac:TaxTotal/cbc:TaxAmount", plus("0.50")),
    ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", plus("0.50")),
    ("cac:LegalMonetaryTotal/cbc:PayableAmount", plus("0.50")),
]
SUM = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
CII_TAX_SHIFT = [
    (C.format("S") + "[ram:RateApplicablePercent='21.00']/ram:CalculatedAmount", plus("0.50")),
    (SUM + "TaxTotalAmount", plus("0.50")),
    (SUM + "GrandTotalAmount", plus("0.50")),
    (SUM + "DuePayableAmount", plus("0.50")),
]


@pytest.mark.parametrize(("fmt", "shift", "ns"), [("ubl", UBL_TAX_SHIFT, UBL_NS),
                                                  ("xrechnung", UBL_TAX_SHIFT, UBL_NS),
                                                  ("cii", CII_TAX_SHIFT, CII_NS)])
def test_a_wrong_vat_amount_the_official_rules_accept_is_caught(schematron, fmt, shift, ns):
    """The official BR-S-09 and BR-CO-17 allow 1.00 either way; 50 cents too much VAT, added
    to every total, passes them all. The cross-check sees it, and problems() reports it."""
    broken = mutate(xml_of(NL, fmt), shift, ns)
    assert failing(schematron.chain(fmt, broken)) == []  # the blind spot
    assert {"BR-S-09", "BR-CO-17"} <= rules(broken)
    assert any(p.startswith(f"{ARITHMETIC} BR-S-09") for p in problems(schematron, fmt, broken))


def test_a_line_whose_price_does_not_give_its_amount_is_caught_in_cii(schematron):
    price = ("//ram:IncludedSupplyChainTradeLineItem[1]//ram:NetPriceProductTradePrice/"
             "ram:ChargeAmount")
    broken = mutate(xml_of(NL, "cii"), [(price, times("2"))], CII_NS)
    assert failing(schematron.chain("cii", broken)) == []  # CEN and Factur-X do not check it
    assert rules(broken) == {"LINE-NET"}


LINE_RATE = "cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"
LINE_CATEGORY = "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"
TOTALS = "cac:LegalMonetaryTotal/cbc:"
SELLER, BUYER = ("cac:AccountingSupplierParty/cac:Party/", "cac:AccountingCustomerParty/cac:Party/")
REDUCED = U.format("S") + "[cac:TaxCategory/cbc:Percent='9.00']"
TAX_PLUS_ONE = [("cac:TaxTotal/cbc:TaxAmount", plus("1")),
                (TOTALS + "TaxInclusiveAmount", plus("1")), (TOTALS + "PayableAmount", plus("1"))]
UBL_CASES = [
    ("line totals", NL, [(TOTALS + "LineExtensionAmount", plus("1"))], {"BR-CO-10", "BR-CO-13"}),
    ("amount due", NL, [(TOTALS + "PayableAmount", plus("0.01"))], {"BR-CO-16"}),
    ("vat total", NL, [("cac:TaxTotal/cbc:TaxAmount", plus("0.01"))], {"BR-CO-14", "BR-CO-15"}),
    ("an allowance left out of the totals", NL, [("cac:LegalMonetaryTotal", lambda node: (
        node.addprevious(_allowance("10.00"))))], {"BR-CO-11", "BR-CO-13", "BR-S-08"}),
    ("taxable per rate", NL, [(REDUCED + "/cbc:TaxableAmount", plus("1"))],
     {"BR-S-08", "BR-CO-17"}),
    ("standard line at 0", NL, [(LINE_RATE, text("0"))], {"BR-S-05", "BR-S-08"}),
    ("zero rated with a reason", NL, [(U.format("Z") + "/cac:TaxCategory/cbc:Percent",
                                      lambda node: node.addnext(_reason(node)))], {"BR-Z-10"}),
    ("zero rated without breakdown", NL, [(U.format("Z"), remove)], {"BR-Z-01"}),
    ("reverse charge with tax", BE, [(U.format("AE") + "/cbc:TaxAmount", plus("1")),
                                     *TAX_PLUS_ONE], {"BR-AE-09", "BR-CO-17"}),
    ("reverse charge without buyer id", BE, [(BUYER + "cac:PartyTaxScheme", remove)],
     {"BR-AE-02"}),
    ("export at a rate", US, [(LINE_RATE, text("5"))], {"BR-G-05", "BR-G-08"}),
    ("export without reason", US, [
        (U.format("G") + "/cac:TaxCategory/cbc:TaxExemptionReason", remove),
        (U.format("G") + "/cac:TaxCategory/cbc:TaxExemptionReasonCode", remove)], {"BR-G-10"}),
    ("exempt without reason", BG, [
        (U.format("E") + "/cac:TaxCategory/cbc:TaxExemptionReason", remove)], {"BR-E-10"}),
    ("exempt without seller vat id", BG, [(SELLER + "cac:PartyTaxScheme", remove)],
     {"BR-E-02"}),
    ("not subject with a vat id", GR, [(BUYER + "cac:PartyLegalEntity", lambda node: (
        node.addprevious(_vat_scheme("EL094014201"))))], {"BR-O-02"}),
    ("not subject next to standard", GR, [(LINE_CATEGORY, text("S"))],
     {"BR-O-11", "BR-S-01", "BR-S-05"}),
]


def _reason(sibling) -> etree._Element:
    element = etree.Element(sibling.tag.replace("Percent", "TaxExemptionReason"))
    element.text = "why not"
    return element


def _allowance(amount: str) -> etree._Element:
    cac, cbc = (f"{{{UBL_NS['cac']}}}", f"{{{UBL_NS['cbc']}}}")
    allowance = etree.Element(cac + "AllowanceCharge")
    etree.SubElement(allowance, cbc + "ChargeIndicator").text = "false"
    etree.SubElement(allowance, cbc + "Amount").text = amount
    category = etree.SubElement(allowance, cac + "TaxCategory")
    etree.SubElement(category, cbc + "ID").text = "S"
    etree.SubElement(category, cbc + "Percent").text = "21.00"
    return allowance


def _vat_scheme(vat: str) -> etree._Element:
    cac, cbc = (f"{{{UBL_NS['cac']}}}", f"{{{UBL_NS['cbc']}}}")
    scheme = etree.Element(cac + "PartyTaxScheme")
    etree.SubElement(scheme, cbc + "CompanyID").text = vat
    etree.SubElement(etree.SubElement(scheme, cac + "TaxScheme"), cbc + "ID").text = "VAT"
    return scheme


@pytest.mark.parametrize(("what", "index", "changes", "expected"), UBL_CASES,
                         ids=[case[0] for case in UBL_CASES])
def test_each_rule_catches_its_defect(what, index, changes, expected):
    broken = mutate(xml_of(index, "ubl"), changes, UBL_NS)
    assert expected <= rules(broken), arithmetic_problems(broken)


def test_a_credit_note_is_read_with_its_own_line_and_quantity_elements():
    broken = mutate(xml_of(NL_CREDIT, "ubl"),
                    [("cac:CreditNoteLine[1]/cbc:CreditedQuantity", times("3"))], UBL_NS)
    assert rules(broken) == {"LINE-NET"}


def test_something_else_is_refused():
    with pytest.raises(ValueError):
        arithmetic_problems(b"<Order xmlns='urn:example'/>")


UBL_CENT_MORE = [(path, plus("0.01")) for path, _ in UBL_TAX_SHIFT]
CII_CENT_MORE = [(path, plus("0.01")) for path, _ in CII_TAX_SHIFT]


@pytest.mark.parametrize(("fmt", "shift", "ns"), [("ubl", UBL_CENT_MORE, UBL_NS),
                                                  ("cii", CII_CENT_MORE, CII_NS)])
def test_a_cent_no_rounding_gives_is_caught_though_within_half_a_cent_per_line(fmt, shift,
                                                                               ns):
    """The Dutch 21 % group: 149.00 + 37.50 + 120.00 gives 31.29 + 7.875 + 25.20 = 64.365
    exact, so 64.37 by the group or per line (the tie of 7.875 either way: 64.36 too). 64.38
    is within half a cent per line of the exact 64.365, but no rounding gives it."""
    xml = xml_of(NL, fmt)
    group = figures(xml).breakdowns[0]
    assert (group.rate, group.taxable, group.tax) == (Decimal("21.00"), Decimal("306.50"),
                                                      Decimal("64.37"))
    broken = mutate(xml, shift, ns)
    assert {"BR-S-09", "BR-CO-17"} <= rules(broken)


@pytest.mark.parametrize(("tax", "allowed"), [
    ("64.37", True), ("64.36", True),  # per line, the tie of 7.875 rounded down
    ("64.38", False), ("64.35", False), ("64.365", False)])
def test_the_vat_of_a_group_is_its_rounding_by_group_or_by_line_and_nothing_else(tax,
                                                                                  allowed):
    from mockserver.contract.en16931 import tax_within_rounding

    lines = [Decimal("149.00"), Decimal("37.50"), Decimal("120.00")]
    assert tax_within_rounding(Decimal(tax), Decimal("306.50"), Decimal("21"), lines) is allowed


def test_the_group_rounding_of_en16931_is_accepted_where_lines_round_to_less():
    """Two lines of 0.02 at 21 %: each line's VAT rounds to 0.00, the group's 0.0084 to
    0.01. Either is a rounding; 0.02 is neither."""
    from mockserver.contract.en16931 import tax_within_rounding

    lines, rate = [Decimal("0.02"), Decimal("0.02")], Decimal("21")
    assert [tax_within_rounding(Decimal(t), Decimal("0.04"), rate, lines)
            for t in ("0.00", "0.01", "0.02")] == [True, True, False]
