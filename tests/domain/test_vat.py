from decimal import Decimal

import pytest

from mockserver.domain.vat import (
    EU_STANDARD_VAT_RATES,
    EXPORT_NOTE,
    REVERSE_CHARGE_NOTE,
    determine_vat,
    line_amount_cents,
    tax_cents,
)


def test_all_27_member_states_have_a_standard_rate():
    assert len(EU_STANDARD_VAT_RATES) == 27
    documented = {"NL": "21.00", "DE": "19.00", "FR": "20.00", "BE": "21.00", "ES": "21.00",
                  "IT": "22.00", "AT": "20.00", "PT": "23.00", "HU": "27.00"}
    for country, rate in documented.items():
        assert EU_STANDARD_VAT_RATES[country] == Decimal(rate)


@pytest.mark.parametrize(
    "seller, buyer, vat_number, business, case, rate, reverse, label, note, category",
    [
        ("NL", "US", None, True, "export", "0.00", False, "VAT 0% (Export)", EXPORT_NOTE, "G"),
        ("US", "NL", None, True, "seller_outside_eu", "0.00", False, "No VAT", None, "O"),
        ("NL", "NL", "NL1", True, "domestic", "21.00", False, "VAT 21.00%", None, "S"),
        ("DE", "DE", None, False, "domestic", "19.00", False, "VAT 19.00%", None, "S"),
        ("NL", "BE", "BE0477472701", True, "intra_eu_b2b", "0.00", True,
         "VAT 0% (Reverse Charge)", REVERSE_CHARGE_NOTE, "AE"),
        ("NL", "BE", None, True, "intra_eu_b2c", "21.00", False, "VAT 21.00%", None, "S"),
        ("NL", "FR", "FR123", False, "intra_eu_b2c", "21.00", False, "VAT 21.00%", None, "S"),
        ("FR", "DE", None, False, "intra_eu_b2c", "20.00", False, "VAT 20.00%", None, "S"),
    ],
)
def test_the_five_documented_cases(seller, buyer, vat_number, business, case, rate, reverse,
                                   label, note, category):
    vat = determine_vat(seller, buyer, vat_number, business)
    assert (vat.case, vat.tax_rate, vat.reverse_charge, vat.tax_label, vat.legal_note,
            vat.tax_category) == (case, Decimal(rate), reverse, label, note, category)


def test_documented_legal_notes_are_exact():
    assert EXPORT_NOTE == "Export outside the EU - VAT not applicable"
    assert REVERSE_CHARGE_NOTE == "Reverse charge - Art. 196 EU VAT Directive"


def test_tax_exempt_buyer_is_category_e_but_export_still_wins():
    assert determine_vat("NL", "DE", None, True, tax_exempt=True).tax_category == "E"
    assert determine_vat("NL", "US", None, True, tax_exempt=True).tax_category == "G"


def test_country_codes_are_case_insensitive():
    assert determine_vat("nl", "be", "BE0477472701", True).reverse_charge


@pytest.mark.parametrize(("vat_number", "reverse"), [
    ("BE0477472701", True), ("0477472701", True), ("0477.472.701", True),
    ("12/345/67890", False), ("US-EIN-12-3456789", False), ("BE1", False)])
def test_reverse_charge_needs_what_the_documents_call_a_vat_identifier(vat_number, reverse):
    """One classification: a number the e-invoices could not write as BT-48 (BR-AE-02 needs
    it) is no ground for reverse charge; one without its prefix is the buyer country's."""
    from mockserver.documents.identifiers import tax_id_kind

    assert determine_vat("NL", "BE", vat_number, True).reverse_charge is reverse
    assert (tax_id_kind(vat_number, "BE") == "vat") is reverse


@pytest.mark.parametrize("amount, rate, expected", [
    (1000, "21.00", 210), (50, "21.00", 11), (2, "25.00", 1), (10, "5.00", 1),
    (1, "21.00", 0), (12345, "19.00", 2346), (-50, "21.00", -11), (-2, "25.00", -1),
    (0, "21.00", 0),
])
def test_tax_is_rounded_half_up_in_cents(amount, rate, expected):
    assert tax_cents(amount, Decimal(rate)) == expected


def test_line_amount_is_quantity_times_price_half_up():
    assert line_amount_cents(Decimal("1.5"), 333) == 500  # 499.5 -> 500
    assert line_amount_cents(Decimal("12.345"), 20) == 247  # 246.9
    assert line_amount_cents(Decimal("1"), -4900) == -4900
    assert line_amount_cents(Decimal("5441"), 20, 1000) == 109  # 20 cents per 1,000: 108.82
