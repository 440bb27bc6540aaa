from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from mockserver.domain.errors import LimitReached, NotFound
from mockserver.domain.payment_methods import PaymentMethod, PaymentMethodBook
from mockserver.domain.profile import Seller, new_profile
from mockserver.domain.subscriptions import (
    Plan,
    Subscription,
    UsageEvent,
    UsageTier,
    estimate_upcoming,
    price_usage,
)

NOW = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)


def method(n):
    return PaymentMethod(f"pm_{n}", "stripe", "card", f"pm_ref{n}", NOW)


def test_first_active_method_becomes_default_and_only_one_default():
    book = PaymentMethodBook()
    first, second = book.add(method(1)), book.add(method(2))
    assert first.is_default and not second.is_default
    book.set_default("pm_2")
    assert [m.is_default for m in book.active()] == [False, True]


def test_deleting_the_default_promotes_the_most_recent_other_active_method():
    book = PaymentMethodBook()
    for n in (1, 2, 3):
        book.add(method(n))
    book.deactivate("pm_1")
    assert book.default().id == "pm_3"
    assert [m.id for m in book.active()] == ["pm_2", "pm_3"]
    book.deactivate("pm_2")
    assert book.default().id == "pm_3"
    book.deactivate("pm_3")
    assert book.default() is None and book.active() == []


def test_deleted_methods_are_gone_and_unknown_ids_are_not_found():
    book = PaymentMethodBook()
    book.add(method(1))
    book.deactivate("pm_1")
    with pytest.raises(NotFound):
        book.set_default("pm_1")
    with pytest.raises(NotFound):
        book.deactivate("pm_404")


def test_a_tenant_keeps_a_bounded_number_of_methods():
    book = PaymentMethodBook(limit=3)
    for n in range(3):
        book.add(method(n))
    with pytest.raises(LimitReached):
        book.add(method(9))
    for n in range(200):  # add/delete churn keeps the history bounded
        book.deactivate(book.active()[0].id)
        book.add(method(100 + n))
    assert len(book.all()) <= 6


TIERS = [UsageTier("api_calls", 0, "calls", 0, 10_000, 1000),
         UsageTier("api_calls", 20, "calls", 10_000, None, 1000)]


@pytest.mark.parametrize("quantity, cents", [(0, 0), (9_999, 0), (10_000, 0), (11_000, 20),
                                             (25_500, 310)])
def test_graduated_usage_pricing(quantity, cents):
    assert price_usage(quantity, TIERS) == cents


def test_mrr_normalises_the_billing_period():
    yearly = Plan("ent", "Ent", "svc", 120_000, "yearly")
    quarterly = Plan("q", "Q", "svc", 30_000, "quarterly")
    assert yearly.mrr_cents == 10_000 and quarterly.mrr_cents == 10_000


def test_upcoming_estimate_adds_subscriptions_usage_and_vat():
    plan = Plan("pro", "Pro", "scaigrid", 4900, usage_pricing=tuple(TIERS))
    sub = Subscription("sub_1", plan, date(2026, 3, 1), date(2026, 4, 1))
    usage = [UsageEvent("api_calls", 15_000, datetime(2026, 3, 5, tzinfo=timezone.utc)),
             UsageEvent("api_calls", 99_999, datetime(2026, 2, 5, tzinfo=timezone.utc))]
    buyer = new_profile("t", {"company_name": "A", "country_code": "NL"}, NOW)
    estimate = estimate_upcoming([sub], usage, buyer, Seller(), NOW)
    data = estimate.as_dict()
    assert data["subtotal_cents"] == 4900 + 100  # last month's usage does not count
    assert data["tax_cents"] == 1029 + 21 and data["total_cents"] == 6050
    assert data["issue_date"] == date(2026, 4, 1)
    # one line per tier used: the free first 10,000 calls, then 5,000 at 20 cents per 1,000
    assert [line["kind"] for line in data["line_items"]] == ["subscription", "usage", "usage"]
    assert [line["amount_cents"] for line in data["line_items"]] == [4900, 0, 100]
    usage_line = data["line_items"][2]
    assert Decimal(usage_line["quantity"]) * usage_line["unit_price_cents"] == usage_line[
        "amount_cents"]


def test_upcoming_without_profile_or_subscriptions_is_empty():
    data = estimate_upcoming([], [], None, Seller(), NOW).as_dict()
    assert data["line_items"] == [] and data["total_cents"] == 0 and data["tax_rate"] == "21.00"


def test_upcoming_estimate_is_the_subscriptions_that_close_first():
    monthly = Subscription("sub_m", Plan("starter", "Starter", "scaikey", 1900),
                           date(2026, 3, 1), date(2026, 4, 1))
    yearly = Subscription("sub_y", Plan("ent", "Ent", "scaiwave", 120_000, "yearly"),
                          date(2026, 1, 1), date(2027, 1, 1))
    data = estimate_upcoming([yearly, monthly], [], None, Seller(), NOW).as_dict()
    assert data["issue_date"] == date(2026, 4, 1)
    assert [line["plan_key"] for line in data["line_items"]] == ["scaikey.starter"]
    assert data["subtotal_cents"] == 1900
