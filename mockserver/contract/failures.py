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


class GuessFailure(BillingFailure):
    """The server does differently what the mock only guessed (a field's name or format, a
    header): at ``--level published`` a note for the mock's maintainers, never a defect."""

    code = "BM200"
    kind_title = "The mock guessed differently"


@dataclass
class Finding:
    """One way the server departs from the contract, with what reproduces it."""

    check: str
    operation: str
    message: str
    request: dict = field(default_factory=dict)  # method, url, headers, body
    response: dict = field(default_factory=dict)  # status, headers, body
    curl: str = ""
    source: str = ""  # "server's own document" when its own /openapi.json was the yardstick

    @property
    def key(self) -> tuple:
        return (self.check, self.operation, self.source,
                self.message.splitlines()[0] if self.message else "")
