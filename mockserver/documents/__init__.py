"""Invoice documents: PDF, Peppol UBL, XRechnung, CII and Factur-X/ZUGFeRD renderers.

Pure Python, no HTTP: one registry keyed by format name turns a finalized invoice or credit
note into bytes, and a bounded cache keeps the results, since a finalized invoice never
changes. Every renderer is deterministic: the same invoice gives the same bytes.
"""

from typing import Any

from mockserver.documents.cache import DocumentCache
from mockserver.documents.model import MissingDocumentData, RenderedDocument

FORMATS = ("pdf", "ubl", "xrechnung", "cii", "zugferd", "facturx")


def __getattr__(name: str) -> Any:
    # The renderers (fpdf2, pikepdf, drafthorse, factur-x) load on first use, not at start-up.
    if name in ("render", "required_fields"):
        from mockserver.documents import registry

        return getattr(registry, name)
    raise AttributeError(name)

__all__ = [
    "FORMATS",
    "DocumentCache",
    "MissingDocumentData",
    "RenderedDocument",
    "render",
    "required_fields",
]
