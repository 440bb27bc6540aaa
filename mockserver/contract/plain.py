"""Settings for plain Schemathesis against the mock's own document (``schemathesis.toml``).

Schemathesis' ``positive_data_acceptance`` check holds every schema-valid request to its default
answers, whatever the document lists. Some operations document refusals that depend on stored
data, or on the path and the body together, which no schema can say (see ``HEADER``); those
answers are right, so each such operation may give its documented refusals to schema-valid
requests too. Nothing else is changed, and a 422 (the server refusing what its document
allows) stays a finding.

Derived from :func:`mockserver.published.mock_document`: the repository's ``schemathesis.toml``
is this rendering (tests/test_schemathesis.py keeps it so) and ``billing-mock
schemathesis-config`` prints it for users of an installed package.
"""

from __future__ import annotations

import json

from mockserver.published import mock_document

VALIDATION_ERROR = "422"
HEADER = """\
# Plain Schemathesis against billing-mock's own document, which lists every answer it gives:
#
#   schemathesis run http://localhost:8000/_mock/openapi/billing.json \\
#     -H 'Authorization: Bearer demo-token' --checks all
#
# Schemathesis reads this file from the directory it runs in (or a parent, up to the git
# root); elsewhere pass it as `schemathesis --config-file PATH run ...`. Written by
# `billing-mock schemathesis-config` from that document (keep the two the same).
#
# Schemathesis' positive_data_acceptance check expects every schema-valid request to get
#   {default}
# whatever the document lists. The operations below document refusals that depend on stored
# data, or on the path and the body together, which no schema can say (400 bad_request: buyer
# data a format needs, a profile without contact_email, a method type the provider does not
# offer, confirmation data that does not fit the provider; 402: the provider declines), or
# on a value the backend declares a plain string (an unknown download format, 400). So a
# schema-valid request may get those too. A 422 stays a finding.
"""


def default_expected() -> list[str]:
    """What Schemathesis' positive_data_acceptance check accepts unless told otherwise."""
    from schemathesis.config import PositiveDataAcceptanceConfig

    return list(PositiveDataAcceptanceConfig().expected_statuses)


def data_dependent_refusals(document: dict | None = None) -> dict[str, list[str]]:
    """``"METHOD /path"`` -> the 4xx refusals it documents that a schema-valid request can
    get and Schemathesis does not already accept (a 422 never counts)."""
    document = mock_document() if document is None else document
    accepted = default_expected()
    found: dict[str, list[str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra = [code for code, answer in operation["responses"].items()
                     if code.startswith("4") and code != VALIDATION_ERROR
                     and not _matches(code, accepted)
                     and not _only_for_unreadable_bodies(document, answer)]
            if extra:
                found[f"{method.upper()} {path}"] = sorted(extra)
    return found


def expected_statuses(extra: list[str]) -> list[str]:
    """Schemathesis' defaults with ``extra`` added, in status order."""
    return sorted({*default_expected(), *extra}, key=lambda code: (int(code[0]), code))


def schemathesis_toml(document: dict | None = None) -> str:
    """The ``schemathesis.toml`` text for plain Schemathesis against the mock's document."""
    lines = [HEADER.format(default=", ".join(default_expected()))]
    for name, extra in data_dependent_refusals(document).items():
        lines += ["[[operations]]", f"include-name = {json.dumps(name)}",
                  "[operations.checks.positive_data_acceptance]",
                  f"expected-statuses = {json.dumps(expected_statuses(extra))}", ""]
    return "\n".join(lines)


def _only_for_unreadable_bodies(document: dict, answer: dict) -> bool:
    """A 400 only a body that does not parse gets (so never a schema-valid request)."""
    name = answer.get("$ref", "").rsplit("/", 1)[-1]
    answer = document.get("components", {}).get("responses", {}).get(name, answer)
    return bool(answer.get("x-billing-mock-unreadable-body"))


def _matches(code: str, patterns: list[str]) -> bool:
    return any(p == code or (p.endswith("xx") and p[0] == code[0]) for p in patterns)


__all__ = ["data_dependent_refusals", "default_expected", "expected_statuses",
           "schemathesis_toml"]
