"""Subscriptions and usage: graduated tiers, MRR, the upcoming-invoice estimate."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

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
    assert (usage_line["quantity"], usage_line["unit_divisor"]) == ("5000", 1000)  # calls
    assert Decimal(usage_line["quantity"]) * usage_line["unit_price_cents"] / 1000 == usage_line[
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


def test_the_estimate_bills_the_current_periods_usage_only():
    """Usage before the period's start is on the invoice that closed it, not on the next."""
    from datetime import datetime, timezone

    from mockserver.domain.clock import Clock
    from mockserver.domain.subscriptions import estimate_upcoming
    from mockserver.scenarios.watcher import default_store
    from mockserver.settings import Settings

    now = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)
    store = default_store(Settings(seed=42), Clock(now, "frozen"))
    demo = store.tenants[store.tokens["demo-token"].tenant_id]
    estimate = estimate_upcoming(demo.subscriptions, list(demo.usage), demo.profile,
                                 store.seller, now)
    pro = next(s for s in demo.subscriptions if s.plan.usage_pricing)
    assert pro.current_period_start.day != 1  # the world's periods do not follow the month
    in_period = sum(e.quantity for e in demo.usage if e.metric_slug == "api_calls"
                    and pro.current_period_start <= e.occurred_at.date() <= now.date())
    billed = sum(line.quantity for line in estimate.lines if line.metric_slug == "api_calls")
    assert billed == in_period  # the calls themselves, priced per 1,000
    assert {line.unit_divisor for line in estimate.lines if line.metric_slug} == {1000}


def _periods(start: date, billing_period: str, count: int) -> list[tuple[date, date]]:
    from mockserver.domain.billing_cycle import roll_period
    from mockserver.domain.subscriptions import PERIOD_MONTHS, add_months

    plan = Plan("p", "Plan", "scaigrid", 1000, billing_period=billing_period)
    sub = Subscription("sub_1", plan, start, add_months(start, PERIOD_MONTHS[billing_period]))
    found = []
    for _ in range(count):
        found.append((sub.current_period_start, sub.last_day))
        roll_period(sub)
    return found


def test_monthly_periods_keep_the_day_they_started_on():
    """From 31 January: 28 February (29th in a leap year), then 31 March again, 30 April, not
    the 28th for ever after; each period ends the day before the next one starts."""
    assert _periods(date(2026, 1, 31), "monthly", 6) == [
        (date(2026, 1, 31), date(2026, 2, 27)), (date(2026, 2, 28), date(2026, 3, 30)),
        (date(2026, 3, 31), date(2026, 4, 29)), (date(2026, 4, 30), date(2026, 5, 30)),
        (date(2026, 5, 31), date(2026, 6, 29)), (date(2026, 6, 30), date(2026, 7, 30))]
    assert [start for start, _ in _periods(date(2027, 12, 31), "monthly", 4)] == [
        date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]
    assert [start for start, _ in _periods(date(2026, 1, 30), "monthly", 3)] == [
        date(2026, 1, 30), date(2026, 2, 28), date(2026, 3, 30)]


def test_quarterly_and_yearly_periods_keep_their_day_too():
    assert [start for start, _ in _periods(date(2026, 1, 31), "quarterly", 5)] == [
        date(2026, 1, 31), date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31),
        date(2027, 1, 31)]
    assert [start for start, _ in _periods(date(2028, 2, 29), "yearly", 3)] == [
        date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)]
