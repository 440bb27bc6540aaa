"""Gap-free invoice numbering per fiscal year, one sequence for invoices and one for credit notes."""

from __future__ import annotations

import threading
from collections import defaultdict

PREFIXES = {"invoice": "SCAI", "credit_note": "SCAI-CN"}


def format_number(document_type: str, fiscal_year: int, sequence: int) -> str:
    return f"{PREFIXES[document_type]}-{fiscal_year:04d}-{sequence:06d}"


def _first() -> int:
    return 1


class InvoiceNumbering:
    """Allocates ``SCAI-YYYY-NNNNNN`` / ``SCAI-CN-YYYY-NNNNNN`` numbers.

    Like ``SELECT ... FOR UPDATE`` on ``invoice_sequence``: one lock serialises allocation, so
    concurrent finalizations never share or skip a number. Callers allocate only once nothing
    else can fail, so no number is ever used up by a failed finalization.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[tuple[str, int], int] = defaultdict(_first)

    def __getstate__(self) -> dict:
        return {"next": self.state()}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        self.restore(state["next"])

    def allocate(self, document_type: str, fiscal_year: int) -> str:
        with self._lock:
            key = (document_type, fiscal_year)
            sequence = self._next[key]
            self._next[key] = sequence + 1
        return format_number(document_type, fiscal_year, sequence)

    def peek(self, document_type: str, fiscal_year: int) -> int:
        """The next sequence number that would be handed out."""
        with self._lock:
            return self._next.get((document_type, fiscal_year), 1)

    def state(self) -> dict[tuple[str, int], int]:
        with self._lock:
            return dict(self._next)

    def restore(self, state: dict[tuple[str, int], int]) -> None:
        with self._lock:
            self._next = defaultdict(_first, state)
