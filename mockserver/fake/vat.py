"""EU VAT numbers with valid check digits, one generator per member state.

Each generator draws from the ``random.Random`` it is given, so a seeded Faker gives the same
numbers every run. Where a payload has no valid check digit (the Dutch 11-test gives 10, say)
the generator draws again.
"""

from __future__ import annotations

import random
from typing import Callable

from mockserver.fake import checkdigits as cd


def digits(rng: random.Random, count: int, first: str = "0123456789") -> str:
    """``count`` random digits, the first one from ``first``."""
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


def netherlands(rng: random.Random) -> str:
    """NL + 9 digits (11-test) + B + 2 digits."""
    while True:
        payload = digits(rng, 8, "123456789")
        check = cd.weighted_mod11(payload, (9, 8, 7, 6, 5, 4, 3, 2))
        if check < 10:
            return f"NL{payload}{check}B{rng.randint(1, 3):02d}"


def germany(rng: random.Random) -> str:
    """DE + 9 digits, the last by ISO 7064 MOD 11,10."""
    payload = digits(rng, 8, "123456789")
    return f"DE{payload}{cd.mod11_10(payload)}"


def belgium(rng: random.Random) -> str:
    """BE + a 10-digit enterprise number: 8 digits and ``97 - mod 97``."""
    payload = rng.choice("01") + digits(rng, 7, "123456789")
    return f"BE{payload}{cd.belgian_vat_check(payload)}"


def france(rng: random.Random) -> str:
    """FR + numeric key + SIREN (8 digits + Luhn)."""
    siren = siren_number(rng)
    return f"FR{cd.french_vat_key(siren)}{siren}"


def siren_number(rng: random.Random) -> str:
    payload = digits(rng, 8, "123456789")
    return payload + cd.luhn_digit(payload)


def austria(rng: random.Random) -> str:
    """ATU + 7 digits + the UID check digit."""
    payload = digits(rng, 7)
    return f"ATU{payload}{cd.austrian_vat_digit(payload)}"


def italy(rng: random.Random) -> str:
    """IT + 7-digit company number + 3-digit VAT office + Luhn digit."""
    payload = digits(rng, 7, "123456789") + f"{rng.randint(1, 100):03d}"
    return f"IT{payload}{cd.luhn_digit(payload)}"


def spain(rng: random.Random) -> str:
    """ES + a company CIF: A (S.A.) or B (S.L.), 7 digits and the control digit."""
    payload = digits(rng, 7)
    return f"ES{rng.choice('AB')}{payload}{cd.spanish_cif_control(payload)}"


def luxembourg(rng: random.Random) -> str:
    """LU + 6 digits + ``mod 89`` in two digits."""
    payload = digits(rng, 6, "123456789")
    return f"LU{payload}{int(payload) % 89:02d}"


def denmark(rng: random.Random) -> str:
    """DK + 8 digits whose weighted sum (2,7,6,5,4,3,2,1) is a multiple of 11."""
    while True:
        payload = digits(rng, 7, "123456789")
        check = -cd.weighted_mod11(payload, (2, 7, 6, 5, 4, 3, 2)) % 11
        if check < 10:
            return f"DK{payload}{check}"


def finland(rng: random.Random) -> str:
    """FI + 7 digits + the Y-tunnus check digit (weights 7,9,10,5,8,4,2)."""
    while True:
        payload = digits(rng, 7)
        rest = cd.weighted_mod11(payload, (7, 9, 10, 5, 8, 4, 2))
        if rest != 1:
            return f"FI{payload}{(11 - rest) % 11}"


def poland(rng: random.Random) -> str:
    """PL + 9 digits + the NIP check digit (weights 6,5,7,2,3,4,5,6,7)."""
    while True:
        payload = digits(rng, 9, "123456789")
        check = cd.weighted_mod11(payload, (6, 5, 7, 2, 3, 4, 5, 6, 7))
        if check < 10:
            return f"PL{payload}{check}"


def portugal(rng: random.Random) -> str:
    """PT + a company NIPC: 5, 7 digits and the check digit (weights 9..2)."""
    payload = "5" + digits(rng, 7)
    check = 11 - cd.weighted_mod11(payload, (9, 8, 7, 6, 5, 4, 3, 2))
    return f"PT{payload}{check if check < 10 else 0}"


def sweden(rng: random.Random) -> str:
    """SE + a limited company's organisation number (55..., Luhn) + 01."""
    payload = "55" + digits(rng, 7)
    return f"SE{payload}{cd.luhn_digit(payload)}01"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "NL": netherlands, "DE": germany, "BE": belgium, "FR": france, "AT": austria,
    "IT": italy, "ES": spain, "LU": luxembourg, "DK": denmark, "FI": finland, "PL": poland,
    "PT": portugal, "SE": sweden,
}
