"""IBANs and BICs of real banks' formats: the right length per country, valid check digits
(the IBAN's MOD 97-10 and the national ones where a country has them)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from mockserver.fake import checkdigits as cd
from mockserver.fake.vat import digits


@dataclass(frozen=True)
class Bank:
    """A bank as an IBAN names it: its national code, BIC and name."""

    code: str
    bic: str
    name: str


@dataclass(frozen=True)
class BankAccount:
    """An account at a bank: what a SEPA mandate or an invoice's payment details show."""

    iban: str
    bic: str
    bank_name: str

    @property
    def last4(self) -> str:
        return self.iban[-4:]


# Well-known banks per country (national bank code, BIC, name).
BANKS: dict[str, tuple[Bank, ...]] = {
    "NL": (Bank("ABNA", "ABNANL2A", "ABN AMRO"), Bank("INGB", "INGBNL2A", "ING"),
           Bank("RABO", "RABONL2U", "Rabobank"), Bank("TRIO", "TRIONL2U", "Triodos Bank"),
           Bank("BUNQ", "BUNQNL2A", "bunq"), Bank("SNSB", "SNSBNL2A", "SNS")),
    "DE": (Bank("37040044", "COBADEFF", "Commerzbank"), Bank("10070000", "DEUTDEBB",
                                                              "Deutsche Bank"),
           Bank("50010517", "INGDDEFF", "ING-DiBa"), Bank("20050550", "HASPDEHH",
                                                        "Hamburger Sparkasse"),
           Bank("70150000", "SSKMDEMM", "Stadtsparkasse München")),
    # Belgian bank codes are ranges of the 3-digit protocol number.
    "BE": (Bank("001-049", "GEBABEBB", "BNP Paribas Fortis"),
           Bank("050-099", "GKCCBEBB", "Belfius"), Bank("300-399", "BBRUBEBB", "ING Belgium"),
           Bank("400-499", "KREDBEBB", "KBC Bank")),
    "FR": (Bank("30004", "BNPAFRPP", "BNP Paribas"), Bank("30003", "SOGEFRPP",
                                                         "Société Générale"),
           Bank("30002", "CRLYFRPP", "LCL"), Bank("20041", "PSSTFRPP", "La Banque Postale")),
    "AT": (Bank("12000", "BKAUATWW", "UniCredit Bank Austria"),
           Bank("20111", "GIBAATWW", "Erste Bank"), Bank("14000", "BAWAATWW", "BAWAG")),
    "IT": (Bank("03069", "BCITITMM", "Intesa Sanpaolo"), Bank("02008", "UNCRITMM",
                                                             "UniCredit"),
           Bank("05034", "BAPPIT21", "Banco BPM")),
    "ES": (Bank("2100", "CAIXESBB", "CaixaBank"), Bank("0049", "BSCHESMM", "Banco Santander"),
           Bank("0182", "BBVAESMM", "BBVA"), Bank("0081", "BSABESBB", "Banco Sabadell")),
}
IBAN_LENGTHS = {"NL": 18, "DE": 22, "BE": 16, "FR": 27, "AT": 20, "IT": 27, "ES": 24}


def _bank_code(rng: random.Random, bank: Bank) -> str:
    if "-" not in bank.code:
        return bank.code
    low, high = bank.code.split("-")
    return f"{rng.randint(int(low), int(high)):03d}"


def _nl(rng, code):
    return code + digits(rng, 10)


def _de(rng, code):
    return code + digits(rng, 10)


def _be(rng, code):
    payload = code + digits(rng, 7)
    return payload + cd.belgian_mod97(payload)


def _fr(rng, code):
    branch, account = digits(rng, 5), digits(rng, 11)
    return code + branch + account + cd.french_rib_key(code, branch, account)


def _at(rng, code):
    return code + digits(rng, 11)


def _it(rng, code):
    rest = code + digits(rng, 5) + digits(rng, 12)
    return cd.italian_cin(rest) + rest


def _es(rng, code):
    branch, account = digits(rng, 4), digits(rng, 10)
    return code + branch + cd.spanish_ccc_digits(code, branch, account) + account


BBAN: dict[str, Callable[[random.Random, str], str]] = {
    "NL": _nl, "DE": _de, "BE": _be, "FR": _fr, "AT": _at, "IT": _it, "ES": _es,
}


def bank_account(rng: random.Random, country_code: str, bank_code: str | None = None
                 ) -> BankAccount:
    """An account at one of the country's banks (or the bank with ``bank_code``, e.g. INGB)."""
    country = country_code.upper()
    if country not in BBAN:
        raise ValueError(f"no IBAN format for {country_code!r}; known: {', '.join(BBAN)}")
    banks = BANKS[country]
    if bank_code is not None:
        banks = tuple(b for b in banks if b.code == bank_code or b.bic.startswith(bank_code))
        if not banks:
            raise ValueError(f"no bank {bank_code!r} in {country}; known: "
                             f"{', '.join(b.code for b in BANKS[country])}")
    bank = rng.choice(banks)
    bban = BBAN[country](rng, _bank_code(rng, bank))
    iban = f"{country}{cd.iban_check_digits(country, bban)}{bban}"
    assert len(iban) == IBAN_LENGTHS[country], iban
    return BankAccount(iban, bank.bic, bank.name)
