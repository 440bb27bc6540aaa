"""The world service: the one owner of every change of the whole world.

Reset, load, reload, snapshot and restore go through here (the control API, the ``--watch``
reloader, the pytest plugin and the CLI all call it). The store bumps its ``generation`` with
every such change, and everything derived from the world (rendered documents, encoded
representations) is keyed by that generation, so nothing derived from one world is ever served
in another and no caller has to remember to clear a cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import Iterator, Protocol, TypeVar

from mockserver.bounded import BoundedLRU
from mockserver.documents import DocumentCache, RenderedDocument
from mockserver.domain.invoices import Invoice
from mockserver.state import ACCESS, Store, WorldMoved

MAX_ENCODED = 50_000  # encoded representations kept (about 1.5 KiB each)
MAX_ENCODED_BYTES = 64 * 1024 * 1024
MAX_ATTEMPTS = 3  # a read that became a write while the shared world moved: run again
T = TypeVar("T")


class Backend(Protocol):
    """Where the loaded world is kept: in this process (:class:`Embedded`, the default), in
    a state file (``mockserver.statefile``) or in Redis (``mockserver.redisworld``). A
    backend gives the store to serve, and starts and stops with the server; how a request
    holds that store (its lock) is the store's own."""

    name: str

    def open(self, store: Store) -> Store:
        """The store to serve: ``store`` (the world the settings build), or the world the
        backend keeps, if it keeps one already."""

    def start(self, world: "World") -> None:
        """The server starts serving ``world`` (the one holding the opened store)."""

    def stop(self) -> None:
        """The server stops: keep what is left to keep, let connections go."""


class Embedded:
    """The world lives in this process only, as long as it runs."""

    name = "memory"

    def open(self, store: Store) -> Store:
        return store

    def start(self, world: "World") -> None:
        pass

    def stop(self) -> None:
        pass


class World:
    """The store, its generation, and the caches derived from it.

    The caches may be shared with other worlds (the isolated runs share the loaded world's):
    generations are unique in the process, so no two worlds ever share a key, and the bounds
    hold for all of them together."""

    def __init__(self, store: Store, documents: DocumentCache | None = None,
                 encoded: BoundedLRU[bytes] | None = None) -> None:
        self.store = store
        # ``is None``, not ``or``: an empty cache is falsy (it has a length), and a fork must
        # share its parent's caches from the start.
        self.documents = DocumentCache() if documents is None else documents
        self.encoded: BoundedLRU[bytes] = (BoundedLRU(MAX_ENCODED, MAX_ENCODED_BYTES, len)
                                           if encoded is None else encoded)

    def fork(self) -> "World":
        """A world of its own, holding this world's start, sharing its caches."""
        return World(self.store.fork(), self.documents, self.encoded)

    @property
    def generation(self) -> int:
        return self.store.generation

    @contextmanager
    def held(self) -> Iterator[Store]:
        """The store, held: everything read inside is one moment's picture of the world."""
        with self.store.lock:
            yield self.store

    def attempt(self, work: Callable[[Store], T]) -> T:
        """``work(store)`` with the world held. A shared world may find, half-way through a
        read, that the read must write (:class:`WorldMoved`): nothing was changed yet, and
        the work runs again, as a write."""
        for _ in range(MAX_ATTEMPTS - 1):
            try:
                with self.held() as store:
                    return work(store)
            except WorldMoved:
                access = ACCESS.get()
                if access is None:
                    raise
                access.mode = "write"  # the same object the edge holds: the request writes
        with self.held() as store:
            return work(store)

    # -- changes of the whole world -------------------------------------------------------

    def reset(self) -> None:
        """Back to the loaded world's start; the journal starts empty."""
        with self.store.lock:
            gone = self.store.generation
            self.store.reset()
            self.forget(gone)

    def load(self, fresh: Store) -> None:
        """Serve ``fresh``'s world (a scenario, a reloaded file, another seed) from now on."""
        with self.store.lock:
            gone = self.store.generation
            self.store.replace_world(fresh)
            self.forget(gone)

    reload = load  # the ``--watch`` reloader's word for it

    def save_snapshot(self) -> str:
        return self.store.save_snapshot()

    def restore(self, snapshot_id: str) -> None:
        with self.store.lock:
            gone = self.store.generation
            self.store.restore_snapshot(snapshot_id)
            self.forget(gone)

    # -- what is derived from it ----------------------------------------------------------

    def version_of(self, invoice: Invoice) -> tuple[int, int]:
        """The key of what is derived from ``invoice`` (read it under the lock)."""
        return (self.store.generation, invoice.revision)

    def encoded_invoice(self, invoice: Invoice, view: str,
                        encode: Callable[[Invoice], bytes]) -> bytes:
        """``encode(invoice)``, computed once per world generation and invoice revision."""
        key = (self.store.generation, invoice.id, invoice.revision, view)
        return self.encoded.get_or_make(key, lambda: encode(invoice))

    def readable_copy(self, invoice: Invoice) -> tuple[Invoice, Hashable]:
        """A copy of ``invoice`` to render outside the lock, and its version (call under the
        lock): the render sees one moment of the invoice, whatever happens to it meanwhile."""
        return copy.copy(invoice), self.version_of(invoice)

    def document(self, invoice: Invoice, fmt: str, version: Hashable) -> RenderedDocument:
        """The invoice's document in ``fmt`` (rendered once per version and format)."""
        return self.documents.get_or_render(invoice, fmt, version)

    def forget_invoices(self, invoice_ids: set[str]) -> None:
        """Free what was derived from these invoices (a shared world's copy put back after a
        write that was not kept: another revision may now carry the same number)."""
        self.encoded.discard(lambda key: key[1] not in invoice_ids)
        self.documents.forget_invoices(invoice_ids)

    def forget(self, generation: int) -> None:
        """Free what was derived from ``generation``, a world that is gone (its keys could
        never match again); what other worlds derived stays."""
        self.encoded.discard(lambda key: key[0] != generation)
        self.documents.discard(lambda version: version is None or version[0] != generation)


__all__ = ["Backend", "Embedded", "World"]
