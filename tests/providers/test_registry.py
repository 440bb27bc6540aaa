"""Methods vaulted without a hosted flow (``POST /payment-methods``)."""

from __future__ import annotations

import pytest

from mockserver.domain.errors import InvalidRequest
from mockserver.providers import ProviderDeclined
from tests.providers.provider_support import NOW


def test_stripe_card_is_visa_4242_with_a_fresh_reference(registry):
    result = registry.direct_method("stripe", "card", NOW)
    assert (result.brand, result.last4, result.exp_month, result.exp_year) == (
        "visa", "4242", 3, 2029)
    assert result.provider_ref.startswith("pm_") and result.session_id is None


def test_stripe_card_from_a_test_token_takes_its_card(registry):
    result = registry.direct_method("stripe", "card", NOW, provider_ref="pm_card_mastercard")
    assert (result.brand, result.last4) == ("mastercard", "4444")
    assert result.provider_ref.startswith("pm_") and result.provider_ref != "pm_card_mastercard"


def test_stripe_card_from_a_declining_token_is_refused(registry):
    with pytest.raises(ProviderDeclined) as caught:
        registry.direct_method("stripe", "card", NOW, provider_ref="pm_card_chargeDeclined")
    assert caught.value.reason == "card_declined"


def test_stripe_card_from_a_3ds_token_is_vaulted(registry):
    result = registry.direct_method("stripe", "card", NOW,
                                    provider_ref="pm_card_authenticationRequired")
    assert result.last4 == "3184"


def test_a_given_reference_that_is_no_test_token_is_kept(registry):
    result = registry.direct_method("stripe", "card", NOW, provider_ref="pm_1AbCdEf")
    assert result.provider_ref == "pm_1AbCdEf" and result.last4 == "4242"


def test_stripe_sepa_is_commerzbank_3000(registry):
    result = registry.direct_method("stripe", "sepa_debit", NOW)
    assert (result.iban_last4, result.bank_name, result.brand) == ("3000", "Commerzbank", None)


@pytest.mark.parametrize(("method_type", "field", "value"), [
    ("ideal", "bank_name", "ING"), ("bancontact", "bank_name", "KBC"),
    ("sepa_debit", "iban_last4", "0000"), ("card", "last4", "4444"),
])
def test_mollie_mandates(registry, method_type, field, value):
    result = registry.direct_method("mollie", method_type, NOW)
    assert result.provider_ref.startswith("mdt_")
    assert getattr(result, field) == value


def test_crypto_wallet_is_derived_from_the_reference(registry):
    first = registry.direct_method("crypto", "crypto", NOW, provider_ref="ABCD1234")
    again = registry.direct_method("crypto", "crypto", NOW, provider_ref="ABCD1234")
    other = registry.direct_method("crypto", "crypto", NOW)
    assert first.wallet == again.wallet and first.wallet.startswith("0x")
    assert other.wallet != first.wallet and other.provider_ref


def test_direct_methods_are_deterministic_for_a_seed():
    from mockserver.domain.ids import IdSource
    from mockserver.providers import ProviderRegistry

    made = [ProviderRegistry(IdSource(3)).direct_method("mollie", "ideal", NOW) for _ in "ab"]
    assert made[0] == made[1]


def test_unknown_provider_is_an_invalid_body(registry):
    with pytest.raises(InvalidRequest) as caught:
        registry.direct_method("paypal", "card", NOW)
    assert caught.value.context["field"] == "provider_slug"


def test_method_type_must_fit_the_provider(registry):
    with pytest.raises(InvalidRequest, match="not offered"):
        registry.direct_method("crypto", "card", NOW)


@pytest.mark.parametrize("ref", ["", "x" * 257, 5])
def test_provider_ref_must_be_a_short_string(registry, ref):
    with pytest.raises(InvalidRequest) as caught:
        registry.direct_method("stripe", "card", NOW, provider_ref=ref)
    assert caught.value.context["field"] == "provider_ref"
