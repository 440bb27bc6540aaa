"""Amounts, rates and dates as each supported language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mockserver.documents.labels import LABELS, LANGUAGES, labels_for, language_of
from mockserver.domain.localize import format_date, format_money, format_quantity, format_rate

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "€1,234.56"), ("de", f"1.234,56{NB}€"), ("nl", f"€{NB}1.234,56"),
    ("fr", f"1{NNB}234,56{NB}€"), ("es", f"1234,56{NB}€"), ("it", f"1.234,56{NB}€"),
])
def test_money(language, expected):
    assert format_money(123456, "EUR", language) == expected


def test_money_signs_grouping_and_other_currencies():
    assert format_money(-123456789, "EUR", "en") == "-€1,234,567.89"
    assert format_money(-5, "EUR", "de") == f"-0,05{NB}€"
    assert format_money(1234567, "EUR", "es") == f"12.345,67{NB}€"
    assert format_money(100, "USD", "en") == "$1.00"
    assert format_money(100, "CHF", "de") == f"1,00{NB}CHF"


def test_rates_quantities_and_dates():
    assert format_rate(Decimal("21.00"), "en") == "21%"
    assert format_rate(Decimal("5.50"), "fr") == f"5,5{NNB}%"
    assert format_rate(Decimal("0.00"), "de") == f"0{NB}%"
    assert format_quantity(Decimal("1.500"), "de") == "1,5"
    assert format_quantity(Decimal("1000"), "en") == "1,000"
    day = date(2026, 2, 2)
    assert [format_date(day, lang) for lang in ("en", "nl", "de", "fr")] == [
        "2 February 2026", "02-02-2026", "02.02.2026", "02/02/2026"]


def test_every_label_is_translated_in_every_language():
    keys = set(LABELS["en"])
    assert set(LABELS) == set(LANGUAGES)
    for language in LANGUAGES:
        assert set(LABELS[language]) == keys, language
        assert all(text.strip() for text in LABELS[language].values())
    for key in ("invoice", "credit_note", "due_date", "issue_date", "vat_breakdown", "payment"):
        assert len({LABELS[lang][key] for lang in LANGUAGES}) == len(LANGUAGES), key


def test_unknown_language_falls_back_to_english():
    assert labels_for("pl") is LABELS["en"] and language_of({"preferred_language": "pl"}) == "en"
    assert language_of({"preferred_language": "DE"}) == "de"
