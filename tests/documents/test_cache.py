"""DocumentCache: bounded LRU, rendered once, thread-safe."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from mockserver.documents import DocumentCache, RenderedDocument, render
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()


class CountingRenderer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, invoice, fmt) -> RenderedDocument:
        with self._lock:
            self.calls.append((invoice.id, fmt))
        return RenderedDocument(f"{invoice.id}:{fmt}".encode(), "text/plain", "x")


def test_a_cached_document_is_the_same_bytes_without_a_second_render():
    renderer = CountingRenderer()
    cache = DocumentCache(renderer=renderer)
    first = cache.get_or_render(INVOICES[0], "ubl")
    second = cache.get_or_render(INVOICES[0], "ubl")
    assert second is first and renderer.calls == [(INVOICES[0].id, "ubl")]
    assert (cache.hits, cache.misses) == (1, 1)


def test_the_real_renderer_is_used_by_default():
    cache = DocumentCache(max_entries=4)
    assert cache.get_or_render(INVOICES[0], "cii").content == render(INVOICES[0], "cii").content


def test_it_keeps_at_most_max_entries_and_evicts_the_least_recently_used():
    renderer = CountingRenderer()
    cache = DocumentCache(max_entries=3, renderer=renderer)
    for invoice in INVOICES[:3]:
        cache.get_or_render(invoice, "pdf")
    cache.get_or_render(INVOICES[0], "pdf")  # now the most recent
    cache.get_or_render(INVOICES[3], "pdf")  # evicts INVOICES[1]
    assert len(cache) == 3
    cache.get_or_render(INVOICES[0], "pdf")
    assert renderer.calls.count((INVOICES[0].id, "pdf")) == 1
    cache.get_or_render(INVOICES[1], "pdf")
    assert renderer.calls.count((INVOICES[1].id, "pdf")) == 2


def test_formats_and_invoice_versions_are_separate_entries():
    renderer = CountingRenderer()
    cache = DocumentCache(renderer=renderer)
    cache.get_or_render(INVOICES[0], "pdf")
    cache.get_or_render(INVOICES[0], "cii")
    touched = replace(INVOICES[0], updated_at=INVOICES[0].updated_at + timedelta(seconds=1))
    cache.get_or_render(touched, "pdf")
    assert len(renderer.calls) == 3


def test_concurrent_requests_get_one_document():
    renderer = CountingRenderer()
    cache = DocumentCache(max_entries=8, renderer=renderer)
    results: list[RenderedDocument] = []
    barrier = threading.Barrier(8)

    def fetch() -> None:
        barrier.wait()
        results.append(cache.get_or_render(INVOICES[0], "pdf"))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(result) for result in results}) == 1 and len(cache) == 1


def test_max_entries_must_be_positive():
    with pytest.raises(ValueError):
        DocumentCache(max_entries=0)
