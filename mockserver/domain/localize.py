"""Amounts, rates, quantities and dates written the way each language writes them.

A small table after CLDR instead of a locale library: six languages, fixed output, and no
dependence on the host's locale settings, so a PDF renders the same everywhere. It is the
domain's, so the invoice e-mail (:mod:`mockserver.domain.mail`) writes an amount and a date
exactly as the PDF it carries does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)


@dataclass(frozen=True)
class NumberStyle:
    """How one language writes numbers, money and dates."""

    decimal: str
    group: str
    symbol_first: bool  # €1.00 (en) / € 1,00 (nl) versus 1,00 € (de)
    symbol_gap: str
    percent_gap: str
    date_pattern: str  # strftime pattern, or "en" for "2 February 2026"
    min_grouping: int = 1  # es: 4-digit numbers stay ungrouped (CLDR minimumGroupingDigits 2)


STYLES = {
    "en": NumberStyle(".", ",", True, "", "", "en"),
    "nl": NumberStyle(",", ".", True, NBSP, "", "%d-%m-%Y"),
    "de": NumberStyle(",", ".", False, NBSP, NBSP, "%d.%m.%Y"),
    "fr": NumberStyle(",", NARROW_NBSP, False, NBSP, NARROW_NBSP, "%d/%m/%Y"),
    "es": NumberStyle(",", ".", False, NBSP, NBSP, "%d/%m/%Y", min_grouping=2),
    "it": NumberStyle(",", ".", False, NBSP, "", "%d/%m/%Y"),
}


def style_for(language: str) -> NumberStyle:
    return STYLES.get(language, STYLES["en"])


def format_decimal(value: Decimal, language: str, places: int = 2) -> str:
    """``1234.5`` as ``1,234.50`` (en) or ``1.234,50`` (de), with the sign in front."""
    style = style_for(language)
    quantum = Decimal(1).scaleb(-places)
    text = f"{abs(value).quantize(quantum, rounding=ROUND_HALF_UP):f}"
    whole, _, fraction = text.partition(".")
    grouped = _group(whole, style)
    number = f"{grouped}{style.decimal}{fraction}" if fraction else grouped
    return f"-{number}" if value < 0 else number


def _group(digits: str, style: NumberStyle) -> str:
    if len(digits) < 4 + style.min_grouping - 1:
        return digits
    groups = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        groups.insert(0, tail)
    return style.group.join([digits, *groups])


def format_money(cents: int, currency: str, language: str) -> str:
    """Integer cents as money: de ``1.234,56 €``, en ``€1,234.56``, nl ``€ 1.234,56``."""
    style = style_for(language)
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper())
    gap = style.symbol_gap if len(symbol) == 1 else NBSP
    number = format_decimal(Decimal(abs(cents)) / 100, language)
    sign = "-" if cents < 0 else ""
    if style.symbol_first:
        return f"{sign}{symbol}{gap}{number}"
    return f"{sign}{number}{gap}{symbol}"


def format_rate(rate: Decimal, language: str) -> str:
    """A VAT rate without needless zeros: ``21%`` (en), ``21 %`` (de), ``5,5 %`` (fr)."""
    style = style_for(language)
    normal = rate.normalize()
    places = max(0, -normal.as_tuple().exponent)
    return f"{format_decimal(rate, language, places)}{style.percent_gap}%"


def format_quantity(quantity: Decimal, language: str) -> str:
    normal = quantity.normalize()
    places = max(0, -normal.as_tuple().exponent)
    return format_decimal(quantity, language, places)


def format_date(day: date, language: str) -> str:
    """``2 February 2026`` (en), ``02.02.2026`` (de), ``02-02-2026`` (nl), ``02/02/2026``."""
    style = style_for(language)
    if style.date_pattern == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime(style.date_pattern)
