"""Check-digit algorithms of the identifiers billing data carries.

Pure functions on digit strings: each takes the payload and returns the check character(s) the
published scheme puts after (or in front of) it. They generate; ``tests/fake`` verifies with
separate implementations.
"""

from __future__ import annotations

import string

_ALNUM_VALUES = {c: i for i, c in enumerate(string.digits + string.ascii_uppercase)}


def luhn_digit(payload: str) -> str:
    """The Luhn (ISO/IEC 7812) digit that makes ``payload + digit`` pass."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def mod97_10(payload: str) -> str:
    """ISO/IEC 7064 MOD 97-10 check digits: ``payload + check`` is 1 modulo 97.

    Letters count as two digits (A=10 ... Z=35), as in IBANs and Leitweg-IDs.
    """
    number = int("".join(str(_ALNUM_VALUES[c]) for c in payload.upper()))
    return f"{98 - number * 100 % 97:02d}"


def mod11_10(payload: str) -> str:
    """ISO/IEC 7064 MOD 11,10, the hybrid system of German VAT numbers."""
    product = 10
    for char in payload:
        total = (int(char) + product) % 10 or 10
        product = total * 2 % 11
    return str((11 - product) % 10)


def weighted_mod11(payload: str, weights: tuple[int, ...]) -> int:
    """``sum(digit * weight) % 11``, the core of several national number schemes."""
    return sum(int(d) * w for d, w in zip(payload, weights)) % 11


def gs1_digit(payload: str) -> str:
    """The GS1 mod-10 digit of a GTIN or GLN (weights 3 and 1 from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def iban_check_digits(country_code: str, bban: str) -> str:
    """The two digits after the country code: MOD 97-10 over ``bban + country + "00"``."""
    return mod97_10(bban + country_code.upper())


def belgian_mod97(payload: str) -> str:
    """Belgian enterprise and account numbers: ``payload mod 97``, 97 instead of 0.

    The VAT / enterprise number uses the complement, see :func:`belgian_vat_check`.
    """
    return f"{int(payload) % 97 or 97:02d}"


def belgian_vat_check(payload: str) -> str:
    """The last two digits of a Belgian enterprise (VAT) number: ``97 - payload mod 97``."""
    return f"{97 - int(payload) % 97:02d}"


def french_vat_key(siren: str) -> str:
    """The numeric key of a French VAT number: ``(12 + 3 * (SIREN mod 97)) mod 97``."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def french_rib_key(bank: str, branch: str, account: str) -> str:
    """The key of a French RIB (digits-only account): ``97 - (89 b + 15 g + 3 a) mod 97``."""
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def austrian_vat_digit(payload: str) -> str:
    """The last digit of an Austrian UID (``ATU`` + 7 digits + this one)."""
    total = 0
    for position, char in enumerate(payload):
        value = int(char) * (2 if position % 2 else 1)
        total += value // 10 + value % 10
    return str((10 - (total + 4) % 10) % 10)


def spanish_cif_control(digits: str) -> int:
    """The control value (0-9) of a Spanish CIF's seven digits; the letter ``JABCDEFGHI`` form
    uses the same value."""
    odd = sum(sum(divmod(int(d) * 2, 10)) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return (10 - (odd + even) % 10) % 10


def spanish_ccc_digits(bank: str, branch: str, account: str) -> str:
    """The two control digits of a Spanish CCC: one over bank and branch, one over account."""
    weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

    def digit(part: str) -> str:
        value = 11 - sum(int(d) * w for d, w in zip(part.zfill(10), weights)) % 11
        return str({11: 0, 10: 1}.get(value, value))

    return digit("00" + bank + branch) + digit(account)


_ITALIAN_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21)


def italian_cin(bban_digits: str) -> str:
    """The CIN letter in front of an Italian BBAN (ABI + CAB + a digits-only account)."""
    total = sum(_ITALIAN_ODD[int(d)] if i % 2 == 0 else int(d)
                for i, d in enumerate(bban_digits))
    return string.ascii_uppercase[total % 26]


def leitweg_check(payload: str) -> str:
    """The Prüfziffer of a Leitweg-ID: MOD 97-10 over the ID without hyphens (KoSIT spec)."""
    return mod97_10(payload.replace("-", ""))
