"""Invoice documents: PDF, Peppol UBL, XRechnung, CII and Factur-X/ZUGFeRD renderers.

Pure Python, no HTTP: one registry keyed by format name turns a finalized invoice or credit
note into bytes, and a bounded cache keeps the results, since a finalized invoice never
changes. Every renderer is deterministic: the same invoice gives the same bytes.
"""

from mockserver.documents.cache import DocumentCache
from mockserver.documents.model import MissingDocumentData, RenderedDocument
from mockserver.documents.registry import FORMATS, render, required_fields

__all__ = [
    "FORMATS",
    "DocumentCache",
    "MissingDocumentData",
    "RenderedDocument",
    "render",
    "required_fields",
]
