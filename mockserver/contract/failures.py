"""The one failure type of the billing checks, and the finding every check reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemathesis.core.failures import Failure


class BillingFailure(Failure):
    """A billing rule the server broke; ``title`` is the check's name."""

    code = "BM100"
    kind_title = "Billing contract"

    def __init__(self, check: str, message: str, operation: str | None = None) -> None:
        super().__init__(operation=operation, title=check, message=message)


@dataclass
class Finding:
    """One way the server departs from the contract, with what reproduces it."""

    check: str
    operation: str
    message: str
    request: dict = field(default_factory=dict)  # method, url, headers, body
    response: dict = field(default_factory=dict)  # status, headers, body
    curl: str = ""

    @property
    def key(self) -> tuple:
        return (self.check, self.operation, self.message.splitlines()[0] if self.message else "")
