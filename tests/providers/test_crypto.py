"""Crypto: a Coinbase Commerce style charge on a hosted page, expiry driven by the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.domain.errors import Conflict
from mockserver.domain.ids import IdSource
from mockserver.providers import ProviderDeclined, ProviderRegistry, SessionExpired, SetupPending
from tests.providers.provider_support import BASE_URL, TENANT


def _confirm(crypto, session_id, clock):
    return crypto.confirm(TENANT, {"session_id": session_id}, clock.now())


def test_setup_answers_a_redirect_to_the_charge_page(start):
    answer = start("crypto", "crypto")
    session_id = answer["session_id"]
    assert answer["provider"] == "crypto" and answer["method_type"] == "crypto"
    assert answer["redirect_url"] == f"{BASE_URL}/_mock/providers/crypto/charge/{session_id}"
    assert answer["expires_at"] == "2026-03-01T11:00:00Z"  # one hour


def test_charge_has_amount_network_and_a_deterministic_address(crypto, start, clock):
    session = crypto.session(start("crypto", "crypto")["session_id"])
    assert (session.details["amount"], session.details["currency"]) == ("1.00", "USDC")
    assert session.details["network"] == "ethereum"
    address = session.details["address"]
    assert address.startswith("0x") and len(address) == 42
    again = ProviderRegistry(IdSource(seed=7)).get("crypto").setup(
        TENANT, "crypto", "https://app.example/r", clock.now(), BASE_URL)
    assert again["session_id"] == session.id  # same seed, same session ...
    assert crypto.session(session.id).details["address"] == address  # ... same address


def test_paid_charge_gives_the_wallet(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.apply_choice(session_id, "pay", clock.now())
    result = _confirm(crypto, session_id, clock)
    assert result.method_type == "crypto"
    assert result.wallet.startswith("0x") and len(result.wallet) == 42
    assert result.provider_ref == crypto.session(session_id).details["charge_code"]


def test_new_charge_is_pending(crypto, start, clock):
    answer = start("crypto", "crypto")
    with pytest.raises(SetupPending) as caught:
        _confirm(crypto, answer["session_id"], clock)
    assert caught.value.state == "new"
    assert caught.value.next_action_url == answer["redirect_url"]


def test_left_pending_is_pending_then_can_be_paid(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.apply_choice(session_id, "pending", clock.now())
    with pytest.raises(SetupPending) as caught:
        _confirm(crypto, session_id, clock)
    assert caught.value.state == "pending"
    crypto.apply_choice(session_id, "pay", clock.now())
    assert _confirm(crypto, session_id, clock).wallet


def test_underpaid_declines(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.apply_choice(session_id, "underpay", clock.now())
    with pytest.raises(ProviderDeclined) as caught:
        _confirm(crypto, session_id, clock)
    assert caught.value.reason == "charge_underpaid"
    with pytest.raises(Conflict):
        crypto.apply_choice(session_id, "pay", clock.now())


def test_let_expire_expires_the_charge(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.apply_choice(session_id, "expire", clock.now())
    with pytest.raises(SessionExpired) as caught:
        _confirm(crypto, session_id, clock)
    assert caught.value.reason == "charge_expired"


@pytest.mark.parametrize("choice", [None, "pending"])
def test_clock_past_expiry_expires_an_unpaid_charge(crypto, start, clock, choice):
    session_id = start("crypto", "crypto")["session_id"]
    if choice:
        crypto.apply_choice(session_id, choice, clock.now())
    clock.advance(timedelta(minutes=59, seconds=59))
    with pytest.raises(SetupPending):
        _confirm(crypto, session_id, clock)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(SessionExpired) as caught:
        _confirm(crypto, session_id, clock)
    assert caught.value.reason == "charge_expired"
    assert caught.value.expires_at == crypto.session(session_id).expires_at


def test_a_completed_charge_survives_its_expiry(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.apply_choice(session_id, "pay", clock.now())
    clock.advance(timedelta(hours=3))
    assert _confirm(crypto, session_id, clock).wallet


def test_config(crypto):
    config = crypto.config()
    assert config["provider"] == "crypto" and config["method_types"] == ["crypto"]
    assert config["charge_lifetime_seconds"] == 3600
