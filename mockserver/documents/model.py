"""What a renderer hands back, and the one way a format refuses an invoice."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.domain.errors import InvalidRequest

PDF = "application/pdf"
XML = "application/xml"


@dataclass(frozen=True)
class RenderedDocument:
    """The bytes of one invoice in one format, with how to serve them."""

    content: bytes
    media_type: str
    filename: str
    format: str = ""  # the registry's name of it: pdf, ubl, ...


class MissingDocumentData(InvalidRequest):
    """The invoice lacks data a format makes mandatory (e.g. XRechnung without a Leitweg-ID)."""

    def __init__(self, fmt: str, missing_fields: list[str]) -> None:
        super().__init__(
            f"format '{fmt}' needs buyer {', '.join(missing_fields)} in the billing profile",
            format=fmt,
            missing_fields=list(missing_fields),
        )
        self.format = fmt
        self.missing_fields = list(missing_fields)
