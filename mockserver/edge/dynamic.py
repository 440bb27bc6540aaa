"""``Prefer: dynamic=true``: a random answer that fits the documented schema (as Prism does)."""

from __future__ import annotations

import random
import warnings
from datetime import datetime, timedelta, timezone

from faker import Faker
from hypothesis import strategies
from hypothesis.errors import NonInteractiveExampleWarning

_fake = Faker()
_random = random.Random()

BY_NAME = {
    "company_name": lambda: _fake.company(), "legal_name": lambda: _fake.company(),
    "city": lambda: _fake.city(), "address_line1": lambda: _fake.street_address(),
    "postal_code": lambda: _fake.postcode(), "contact_email": lambda: _fake.email(),
    "email": lambda: _fake.email(), "phone": lambda: _fake.phone_number(),
    "description": lambda: _fake.sentence(nb_words=4).rstrip("."),
    "currency": lambda: "EUR", "country_code": lambda: _fake.country_code(),
}


def generate(schema: dict, name: str = "", depth: int = 0):
    """A value valid for ``schema`` (refs already resolved)."""
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema.get("oneOf")
        return generate(_random.choice(options), name, depth)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            merged = _merge(merged, part)
        return generate(_merge(merged, {k: v for k, v in schema.items() if k != "allOf"}),
                        name, depth)
    if "enum" in schema:
        return _random.choice(schema["enum"])
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {key: generate(sub, key, depth + 1) for key, sub in props.items()
                if key in required or (depth < 3 and _random.random() < 0.7)}
    if kind == "array":
        count = _random.randint(0, 3) if depth < 3 else 0
        return [generate(schema.get("items", {}), name, depth + 1) for _ in range(count)]
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 100_000)
        return _random.randint(int(low), int(high))
    if kind == "number":
        return round(_random.uniform(schema.get("minimum", 0), schema.get("maximum", 1000)), 2)
    if kind == "boolean":
        return _random.random() < 0.5
    return _string(schema, name)


def _string(schema: dict, name: str) -> str:
    fmt = schema.get("format")
    now = datetime.now(timezone.utc)
    if fmt == "date-time":
        return (now - timedelta(days=_random.randint(0, 365))).strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "date":
        return (now - timedelta(days=_random.randint(0, 365))).date().isoformat()
    if fmt == "email":
        return _fake.email()
    if "pattern" in schema:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonInteractiveExampleWarning)
            return strategies.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: len(s) <= schema.get("maxLength", 10_000)).example()
    text = BY_NAME.get(name, lambda: _fake.word())()
    return text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "x")


def _merge(a: dict, b: dict) -> dict:
    merged = dict(a)
    for key, value in b.items():
        if key == "properties":
            merged["properties"] = {**a.get("properties", {}), **value}
        elif key == "required":
            merged["required"] = sorted({*a.get("required", []), *value})
        else:
            merged[key] = value
    return merged
