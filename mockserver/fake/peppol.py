"""Peppol participant identifiers (``scheme:identifier``) and German Leitweg-IDs."""

from __future__ import annotations

import random
from typing import NamedTuple

from mockserver.fake import checkdigits as cd
from mockserver.fake import vat
from mockserver.fake.vat import digits


class PeppolParticipant(NamedTuple):
    """A Peppol participant: the EAS scheme and the full id, ready for a billing profile's
    ``peppol_scheme`` and ``peppol_id`` (``scheme, participant_id = fake.peppol_participant()``).
    """

    scheme: str
    participant_id: str

    @property
    def identifier(self) -> str:
        """The id without its scheme prefix."""
        return self.participant_id.partition(":")[2]


# The EAS scheme a participant of each country is registered under: a national register
# where it has one that Peppol lists, else the country's VAT-number scheme; GLN elsewhere.
SCHEMES = {"NL": "0106", "BE": "0208", "DE": "9930", "FR": "0009", "AT": "9914", "IT": "0211",
           "ES": "9920", "DK": "0184", "SE": "0007"}
GLN_SCHEME = "0088"


def participant(rng: random.Random, country_code: str | None,
                vat_number: str | None = None) -> PeppolParticipant:
    country = (country_code or "").upper()
    scheme = SCHEMES.get(country, GLN_SCHEME)
    own_vat = vat_number.replace(" ", "").upper() if vat_number else None
    if own_vat and not own_vat.startswith(country):
        raise ValueError(f"vat_number {vat_number!r} is not a {country} VAT number")
    if scheme == GLN_SCHEME:
        identifier = _gln(rng)
    elif scheme == "0106":
        identifier = digits(rng, 8, "123456789")  # KvK number: 8 digits, no check digit
    elif scheme == "0009":
        siren = own_vat[4:] if own_vat else vat.siren_number(rng)
        identifier = _siret(rng, siren)
    else:
        number = own_vat or vat.GENERATORS[country](rng)
        identifier = _registered_number(scheme, number)
    return PeppolParticipant(scheme, f"{scheme}:{identifier}")


def _registered_number(scheme: str, vat_number: str) -> str:
    """The identifier a scheme takes from a VAT number: national registers drop the prefix."""
    if scheme in ("0208", "0184"):
        return vat_number[2:]
    if scheme == "0007":
        return vat_number[2:12]
    return vat_number


def _siret(rng: random.Random, siren: str) -> str:
    payload = siren + digits(rng, 4)
    return payload + cd.luhn_digit(payload)


def _gln(rng: random.Random) -> str:
    payload = digits(rng, 12, "123456789")
    return payload + cd.gs1_digit(payload)


# Leitweg-IDs: Grobadressierung (2-12 digits, from the two-digit Land code), optional
# Feinadressierung (up to 30 letters and digits), and the two-digit Prüfziffer.
_GROB_LENGTHS = (3, 5, 8, 8, 9, 12)
_FEIN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def leitweg_id(rng: random.Random) -> str:
    grob = f"{rng.randint(1, 16):02d}" + digits(rng, rng.choice(_GROB_LENGTHS))[2:]
    parts = [grob]
    if rng.random() < 0.8:
        length = rng.randint(3, 12)
        fein = "".join(rng.choice(_FEIN_CHARS) for _ in range(length))
        parts.append(fein if rng.random() < 0.5 else digits(rng, length))
    body = "-".join(parts)
    return f"{body}-{cd.leitweg_check(body)}"
