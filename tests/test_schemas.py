"""Answers validated as the API's documents say: OpenAPI 3.0 ``nullable`` and the date, time
and e-mail formats (what export-fixtures holds every exported answer to)."""

from __future__ import annotations

import pytest

from mockserver.schemas import response_validator

ANSWER = {
    "type": "object", "required": ["at", "day", "to", "note"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date", "nullable": True},
        "to": {"type": "string", "format": "email"},
        "note": {"type": "string", "nullable": True},
    },
}
GOOD = {"at": "2026-03-10T09:00:00Z", "day": "2026-03-10", "to": "ap@acme.example",
        "note": None}


def errors(body) -> list[str]:
    return [e.message for e in response_validator(ANSWER).iter_errors(body)]


def test_a_good_answer_passes_with_nulls_where_the_schema_allows_them():
    assert errors(GOOD) == []
    assert errors({**GOOD, "day": None, "at": "2026-03-10T09:00:00.123456+01:00"}) == []


@pytest.mark.parametrize("field, value", [
    ("at", "2026-03-10 09:00:00"), ("at", "2026-03-10T09:00:00"), ("at", "2026-13-10T09:00:00Z"),
    ("at", None), ("day", "2026-02-30"), ("day", "2026-3-10"), ("day", "2026-03-10T00:00:00Z"),
    ("to", "nobody"),
])
def test_a_wrong_value_is_named(field, value):
    assert errors({**GOOD, field: value}), (field, value)
