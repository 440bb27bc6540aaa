"""A tenant's payment methods: one default while any is active, bounded history."""

from datetime import datetime, timezone

import pytest

from mockserver.domain.errors import LimitReached, NotFound
from mockserver.domain.payment_methods import PaymentMethod, PaymentMethodBook

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
