"""A bounded cache of rendered documents.

A finalized invoice never changes its content, so its documents are rendered once. The key is
the caller's ``version`` of the invoice (the world generation and the invoice's revision, see
``mockserver.services.world``) with the format, so a reloaded world or a changed invoice gets
fresh documents: no caller has to remember to clear anything.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from mockserver.bounded import BoundedLRU
from mockserver.documents.model import RenderedDocument
from mockserver.domain.invoices import Invoice

MAX_DOCUMENTS = 256
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


class DocumentCache:
    """Keeps the most recently used documents, at most ``max_entries`` and ``max_bytes``."""

    def __init__(
        self,
        max_entries: int = MAX_DOCUMENTS,
        renderer: Callable[[Invoice, str], RenderedDocument] | None = None,
        max_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        self._render = renderer or _render
        self._kept: BoundedLRU[RenderedDocument] = BoundedLRU(
            max_entries, max_bytes, lambda document: len(document.content))
        self.max_entries = max_entries

    def get_or_render(self, invoice: Invoice, fmt: str,
                      version: Hashable = None) -> RenderedDocument:
        """The cached document, or a fresh render that is then kept.

        Rendering happens outside the lock, so a slow PDF never blocks other lookups; two
        threads racing for the same key both render and the first result is kept.
        """
        key = (version, invoice.id, fmt) if version is not None else (
            None, invoice.id, fmt, invoice.updated_at, invoice.revision)
        return self._kept.get_or_make(key, lambda: self._render(invoice, fmt))

    def discard(self, keep: Callable[[Hashable], bool]) -> None:
        self._kept.discard(lambda key: keep(key[0]))

    def forget_invoices(self, invoice_ids: set[str]) -> None:
        self._kept.discard(lambda key: key[1] not in invoice_ids)

    @property
    def hits(self) -> int:
        return self._kept.hits

    @property
    def misses(self) -> int:
        return self._kept.misses

    @property
    def bytes(self) -> int:
        return self._kept.bytes

    def __len__(self) -> int:
        return len(self._kept)


def _render(invoice: Invoice, fmt: str) -> RenderedDocument:
    from mockserver.documents.registry import render  # the renderers load on first use

    return render(invoice, fmt)
