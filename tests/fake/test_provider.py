"""The Faker billing provider: every identifier checked by implementations that are not ours.

python-stdnum (a test dependency) checks VAT numbers, IBANs, BICs and national registration
numbers; the IBAN, Leitweg-ID and the national bank-account keys stdnum does not cover are
written again here from their published specifications.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from stdnum import bic, ean, iban
from stdnum.be import vat as be_vat
from stdnum.dk import cvr
from stdnum.eu import vat as eu_vat
from stdnum.fr import siret
from stdnum.se import orgnr

from mockserver.app import default_store
from mockserver.domain.clock import Clock
from mockserver.fake import BillingProvider, PeppolParticipant, billing_faker
from mockserver.settings import Settings

N = 200  # draws per country
REQUIRED_VAT = ("NL", "DE", "BE", "FR", "AT", "IT", "ES")
# ISO 13616 registry: IBAN length per country.
IBAN_LENGTHS = {"NL": 18, "DE": 22, "BE": 16, "FR": 27, "AT": 20, "IT": 27, "ES": 24}


@pytest.fixture
def fake():
    return billing_faker(seed=2026)


def iban_ok(value: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10..35, mod 97 is 1."""
    moved = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def french_rib_ok(bban: str) -> bool:
    """The RIB key: 97 - (89 * bank + 15 * branch + 3 * account) mod 97 (numeric accounts)."""
    bank, branch, account, key = bban[:5], bban[5:10], bban[10:21], bban[21:]
    return (89 * int(bank) + 15 * int(branch) + 3 * int(account) + int(key)) % 97 == 0


ODD = {str(d): v for d, v in zip(range(10), (1, 0, 5, 7, 9, 13, 15, 17, 19, 21))}


def italian_cin_ok(bban: str) -> bool:
    """CIN: odd positions (1st, 3rd, ...) through the conversion table, even ones by value,
    sum mod 26 as a letter."""
    rest = bban[1:]
    total = sum(ODD[c] if i % 2 == 0 else int(c) for i, c in enumerate(rest))
    return bban[0] == chr(ord("A") + total % 26)


def leitweg_ok(value: str) -> bool:
    """XRechnung / KoSIT: Grobadressierung 2-12 digits, optional Feinadressierung (up to 30
    letters and digits), Prüfziffer: ISO 7064 MOD 97-10 over the whole id without hyphens."""
    if not re.fullmatch(r"\d{2,12}(-[0-9A-Z]{1,30})?-\d{2}", value):
        return False
    digits = "".join(str(int(c, 36)) for c in value.replace("-", ""))
    return int(digits) % 97 == 1


@pytest.mark.parametrize("country", BillingProvider.vat_countries)
def test_vat_numbers_pass_stdnum(fake, country):
    assert set(REQUIRED_VAT) <= set(BillingProvider.vat_countries)
    for _ in range(N):
        number = fake.eu_vat_number(country)
        assert number.startswith("ATU" if country == "AT" else country)
        assert eu_vat.is_valid(number), number


def test_a_wrong_check_digit_is_caught_by_the_same_checks(fake):
    for country in REQUIRED_VAT:
        number = fake.eu_vat_number(country)
        at = 10 if country == "NL" else len(number) - 1  # NL ends in a B suffix, not a check
        broken = number[:at] + str((int(number[at]) + 1) % 10) + number[at + 1:]
        assert not eu_vat.is_valid(broken), (number, broken)
    account = fake.bank_account("NL")
    assert not iban_ok(account.iban[:-1] + str((int(account.iban[-1]) + 1) % 10))


@pytest.mark.parametrize("country", sorted(IBAN_LENGTHS))
def test_ibans_and_bics(fake, country):
    for _ in range(N):
        account = fake.bank_account(country)
        assert len(account.iban) == IBAN_LENGTHS[country]
        assert iban_ok(account.iban), account
        assert iban.is_valid(account.iban), account  # with stdnum's national checks (BE, ES)
        assert bic.is_valid(account.bic) and account.bic[4:6] == country
        if country == "FR":
            assert french_rib_ok(account.iban[4:]), account
        if country == "IT":
            assert italian_cin_ok(account.iban[4:]), account
    assert iban.is_valid(fake.sepa_iban(country)) and bic.is_valid(fake.bic(country))


def test_the_national_checks_here_accept_the_registrys_examples():
    # The example IBANs of the SWIFT IBAN registry for Italy and France.
    assert italian_cin_ok("X0542811101000000123456") and iban_ok("IT60X0542811101000000123456")
    assert french_rib_ok("30006000011234567890189") and iban_ok("FR7630006000011234567890189")
    assert not italian_cin_ok("Y0542811101000000123456")
    assert not french_rib_ok("30006000011234567890188")


def test_a_bank_can_be_chosen(fake):
    account = fake.bank_account("NL", "INGB")
    assert account.iban[4:8] == "INGB" and account.bic == "INGBNL2A"
    assert account.last4 == account.iban[-4:]
    with pytest.raises(ValueError, match="no IBAN format"):
        fake.sepa_iban("XX")


def test_known_leitweg_ids_pass_the_independent_check():
    # The published test id of the federal invoice portal, and the old demo world's id.
    assert leitweg_ok("991-33333TEST-33") and leitweg_ok("04011000-1234512345-06")
    assert not leitweg_ok("991-33333TEST-34") and not leitweg_ok("04011000-1234512345-60")


def test_leitweg_ids(fake):
    for _ in range(N):
        value = fake.leitweg_id()
        assert leitweg_ok(value), value


PEPPOL_CHECKS = {
    "NL": ("0106", lambda i: re.fullmatch(r"[1-9]\d{7}", i)),
    "BE": ("0208", be_vat.is_valid),
    "DE": ("9930", eu_vat.is_valid),
    "FR": ("0009", siret.is_valid),
    "AT": ("9914", eu_vat.is_valid),
    "IT": ("0211", eu_vat.is_valid),
    "ES": ("9920", eu_vat.is_valid),
    "DK": ("0184", cvr.is_valid),
    "SE": ("0007", orgnr.is_valid),
    "US": ("0088", lambda i: len(i) == 13 and ean.is_valid(i)),
}


@pytest.mark.parametrize("country", sorted(PEPPOL_CHECKS))
def test_peppol_participants(fake, country):
    scheme, valid = PEPPOL_CHECKS[country]
    for _ in range(50):
        participant = fake.peppol_participant(country)
        assert isinstance(participant, PeppolParticipant)
        got_scheme, participant_id = participant
        assert got_scheme == participant.scheme == scheme
        assert participant_id == f"{scheme}:{participant.identifier}"
        assert valid(participant.identifier), participant


def test_a_peppol_id_can_follow_the_vat_number(fake):
    vat = fake.eu_vat_number("BE")
    assert fake.peppol_participant("BE", vat) == ("0208", f"0208:{vat[2:]}")
    french = fake.eu_vat_number("FR")
    assert fake.peppol_participant("FR", french).identifier[:9] == french[4:]
    with pytest.raises(ValueError):
        fake.peppol_participant("BE", "NL004495445B01")


def test_lines_and_purchase_orders(fake):
    line = fake.billing_line()
    assert set(line) == {"description", "unit_price_cents", "quantity"}
    assert line["unit_price_cents"] > 0 and float(line["quantity"]) > 0
    assert re.fullmatch(r"PO-20\d\d-\d{4}", fake.purchase_order_number())


def draws(seed):
    fake = billing_faker(seed)
    return ([fake.eu_vat_number(c) for c in REQUIRED_VAT] + [fake.sepa_iban("DE"), fake.bic("FR"),
            fake.leitweg_id(), fake.peppol_participant("NL"), fake.billing_line()])


def test_deterministic_under_a_seed():
    assert draws(1) == draws(1)
    assert draws(1) != draws(2)


def test_it_works_as_a_plain_faker_provider():
    from faker import Faker

    fake = Faker("de_DE")
    fake.add_provider(BillingProvider)
    fake.seed_instance(5)
    first = fake.eu_vat_number("DE")
    fake.seed_instance(5)
    assert fake.eu_vat_number("DE") == first and eu_vat.is_valid(first)


def world(seed):
    clock = Clock(datetime(2026, 6, 15, 12, tzinfo=timezone.utc), mode="frozen")
    store = default_store(Settings(seed=seed), clock)
    return {t.name: t for t in store.tenants.values()}


def test_the_default_world_uses_the_provider():
    tenants = world(42)
    demo, de, eu = (tenants[k].profile for k in ("demo", "de", "eu"))
    assert eu_vat.is_valid(demo.vat_number) and demo.vat_number.startswith("NL")
    assert (demo.peppol_scheme, demo.peppol_id[:5]) == ("0106", "0106:")
    assert eu_vat.is_valid(eu.vat_number) and eu.peppol_id == f"0208:{eu.vat_number[2:]}"
    assert leitweg_ok(de.leitweg_id) and de.buyer_reference == de.leitweg_id
    ideal = next(m for m in tenants["demo"].methods.active() if m.method_type == "ideal")
    assert ideal.bank_name == "ING" and re.fullmatch(r"\d{4}", ideal.iban_last4)
    other = world(43)
    assert other["demo"].profile.vat_number != demo.vat_number
    assert world(42)["demo"].profile.vat_number == demo.vat_number
