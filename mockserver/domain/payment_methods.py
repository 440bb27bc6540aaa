"""A tenant's payment methods and the one-default rule.

While any active method exists exactly one of them is the default. The first active method
becomes the default; deleting (deactivating) the default promotes the most recently added
other active method. Deleted methods leave the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mockserver.domain.errors import LimitReached, NotFound


@dataclass(slots=True)
class PaymentMethod:
    id: str
    provider_slug: str
    method_type: str
    provider_ref: str
    created_at: datetime
    is_default: bool = False
    status: str = "active"  # active | inactive
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    iban_last4: str | None = None
    bank_name: str | None = None
    wallet: str | None = None
    fails_charges: bool = field(default=False, compare=False)  # simulation: charges decline

    @property
    def active(self) -> bool:
        return self.status == "active"


class PaymentMethodBook:
    """The methods of one tenant, in the order they were added."""

    def __init__(self, limit: int = 50) -> None:
        self._methods: list[PaymentMethod] = []
        self._limit = limit

    @classmethod
    def of(cls, methods: list[PaymentMethod], limit: int = 50) -> "PaymentMethodBook":
        """A book holding ``methods`` as they are, active and deleted (a saved world's)."""
        book = cls(limit)
        book._methods = list(methods)
        return book

    @property
    def limit(self) -> int:
        return self._limit

    def active(self) -> list[PaymentMethod]:
        return [m for m in self._methods if m.active]

    def default(self) -> PaymentMethod | None:
        return next((m for m in self._methods if m.active and m.is_default), None)

    def get(self, method_id: str) -> PaymentMethod:
        for method in self._methods:
            if method.id == method_id and method.active:
                return method
        raise NotFound(f"Payment method '{method_id}' not found")

    def find(self, method_id: str) -> PaymentMethod:
        """Any method this book still keeps, active or deleted."""
        for method in self._methods:
            if method.id == method_id:
                return method
        raise NotFound(f"Payment method '{method_id}' not found")

    def add(self, method: PaymentMethod) -> PaymentMethod:
        if len(self.active()) >= self._limit:
            raise LimitReached(f"A tenant can keep at most {self._limit} payment methods")
        method.status, method.is_default = "active", self.default() is None
        self._methods.append(method)
        # Inactive records are kept only as long as they fit in the bound.
        inactive = [m for m in self._methods if not m.active]
        for stale in inactive[: max(0, len(self._methods) - 2 * self._limit)]:
            self._methods.remove(stale)
        return method

    def set_default(self, method_id: str) -> PaymentMethod:
        chosen = self.get(method_id)
        for method in self._methods:
            method.is_default = method is chosen
        return chosen

    def deactivate(self, method_id: str) -> PaymentMethod:
        method = self.get(method_id)
        method.status = "inactive"
        was_default, method.is_default = method.is_default, False
        if was_default:
            remaining = self.active()
            if remaining:
                remaining[-1].is_default = True
        return method

    def all(self) -> list[PaymentMethod]:
        return list(self._methods)
