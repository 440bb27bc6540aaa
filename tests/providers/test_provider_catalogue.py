"""The README's magic-values table stays in step with the code; the package exports what it
says."""

from __future__ import annotations

import re
from pathlib import Path

import mockserver.providers as providers
from mockserver.providers.stripe import FORCED_DECLINES, StripeSimulation
from mockserver.providers.stripe_testdata import TEST_CARDS, TEST_IBANS

DOC = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _grouped(number: str) -> str:
    if len(number) == 15:  # amex: 4-6-5
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def test_every_test_card_and_token_is_documented():
    for card in TEST_CARDS:
        assert f"`{_grouped(card.number)}`" in DOC, card.number
        for token in card.tokens:
            assert f"`{token}`" in DOC, token


def test_every_test_iban_is_documented():
    for entry in TEST_IBANS:
        assert f"`{entry.iban}`" in DOC, entry.iban


def test_every_page_choice_and_scripted_outcome_is_documented(registry):
    for simulation in registry:
        for choice in simulation.choices:
            assert f"| `{choice}`" in DOC, (simulation.slug, choice)
        row = re.search(rf"^\| {simulation.slug} \| (.+) \|$", DOC, re.MULTILINE)
        assert row, simulation.slug
        assert re.findall(r"`([a-z_]+)`", row.group(1)) == list(simulation.outcomes)


def test_stripe_outcomes_are_success_3ds_and_every_forced_decline():
    assert StripeSimulation.outcomes == ("succeeded", "authentication_required",
                                         *FORCED_DECLINES)


def test_public_api_is_curated():
    assert sorted(providers.__all__) == sorted(
        name for name in vars(providers) if not name.startswith("_")
        and name not in {"annotations"} and not isinstance(getattr(providers, name), type(re))
    )
    for name in providers.__all__:
        assert getattr(providers, name) is not None
