"""Session fixtures for the document tests: the samples, one render cache, one SaxonC."""

from __future__ import annotations

import pytest

from mockserver.documents import DocumentCache
from mockserver.domain.invoices import Invoice
from tests.documents.einvoice_rules import Schematron
from tests.documents.samples import sample_invoices


@pytest.fixture(scope="session")
def samples() -> list[Invoice]:
    return sample_invoices()


@pytest.fixture(scope="session")
def documents() -> DocumentCache:
    """Shared across the session, so each sample is rendered once per format."""
    return DocumentCache(max_entries=1024)


@pytest.fixture(scope="session")
def schematron():
    """One SaxonC processor for the run; each stylesheet is compiled once, on first use."""
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    # The rule files are local; a stylesheet must never reach for the network.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    yield Schematron(processor)
