"""A bounded, thread-safe LRU of rendered documents.

A finalized invoice never changes, so its documents are rendered once. The key still takes
the invoice's ``updated_at`` (else its number), so a regenerated or re-stamped invoice gets
fresh documents instead of stale ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from mockserver.documents.model import RenderedDocument
from mockserver.domain.invoices import Invoice

CacheKey = tuple[str, str, str]


class DocumentCache:
    """Keeps the ``max_entries`` most recently used documents."""

    def __init__(
        self,
        max_entries: int = 256,
        renderer: Callable[[Invoice, str], RenderedDocument] | None = None,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._render = renderer or _render
        self._entries: OrderedDict[CacheKey, RenderedDocument] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(invoice: Invoice, fmt: str) -> CacheKey:
        version = invoice.updated_at.isoformat() if invoice.updated_at else invoice.number or ""
        return (invoice.id, fmt, version)

    def get_or_render(self, invoice: Invoice, fmt: str) -> RenderedDocument:
        """The cached document, or a fresh render that is then kept.

        Rendering happens outside the lock, so a slow PDF never blocks other lookups; two
        threads racing for the same key both render and the first result is kept.
        """
        key = self.key(invoice, fmt)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
        document = self._render(invoice, fmt)
        with self._lock:
            document = self._entries.setdefault(key, document)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return document

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _render(invoice: Invoice, fmt: str) -> RenderedDocument:
    from mockserver.documents.registry import render  # the renderers load on first use

    return render(invoice, fmt)
