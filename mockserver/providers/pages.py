"""Rendering of the hosted provider pages (Mollie checkout, crypto charge, Stripe 3-D Secure).

Plain server-rendered HTML from ``mockserver/templates``: inline CSS, no scripts, no external
assets. Autoescaping is on for every template, so a return URL or anything a customer typed is
shown as text and can never become markup.
"""

from __future__ import annotations

from datetime import datetime, timezone

from jinja2 import Environment, PackageLoader, StrictUndefined

# The one form field every hosted page posts back to its own path.
CHOICE_FIELD = "choice"

_environment = Environment(
    loader=PackageLoader("mockserver", "templates"),  # package data, like the documents
    autoescape=True,
    undefined=StrictUndefined,  # a missing value is a bug, not an empty string
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template_name: str, **context: object) -> str:
    """Render one page template with ``context`` (escaped)."""
    context.setdefault("choice_field", CHOICE_FIELD)
    return _environment.get_template(template_name).render(**context)


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as the API writes every instant."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
