"""JSON Schema failures as pydantic v2 error items, the way FastAPI reports them in a 422.

Connexion validates requests against the billing document with jsonschema; a real ScaiControl
server is FastAPI + pydantic. This module makes the mock's 422 bodies indistinguishable:
``{"type", "loc", "msg", "input", "ctx"?}`` with pydantic's type names and messages, one error
per location (pydantic stops at a field's first failure).
"""

from __future__ import annotations

from typing import Any, Iterable

from jsonschema import ValidationError

from mockserver.schemas import UNICODE, body_validator


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _expected(values: list) -> str:
    shown = [repr(v) for v in values if v is not None]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


TYPE_ERRORS = {
    "string": ("string_type", "Input should be a valid string"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "array": ("list_type", "Input should be a valid list"),
    "object": ("dict_type", "Input should be a valid dictionary"),
}


def _type_error(expected: str, value: Any, at_root: bool, from_text: bool) -> tuple[str, str]:
    if expected == "object" and at_root:
        return ("model_attributes_type",
                "Input should be a valid dictionary or object to extract fields from")
    if expected == "integer" and isinstance(value, float) and not from_text:
        return ("int_from_float", "Input should be a valid integer, got a number with a "
                "fractional part")
    if from_text and expected == "integer":
        return ("int_parsing", "Input should be a valid integer, unable to parse string as an "
                "integer")
    if from_text and expected == "boolean":
        return ("bool_parsing", "Input should be a valid boolean, unable to interpret input")
    if from_text and expected == "number":
        return ("float_parsing", "Input should be a valid number, unable to parse string as a "
                "number")
    return TYPE_ERRORS.get(expected, ("value_error", f"Input should be of type {expected}"))


def _item(kind: str, loc: list, msg: str, value: Any, ctx: dict | None = None) -> dict:
    item = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx is not None:
        item["ctx"] = ctx
    return item


def translate_one(error: ValidationError, loc: list, raw: Any = None) -> list[dict]:
    """pydantic items for one jsonschema error at ``loc`` (``raw``: the text a parameter had)."""
    value = error.instance if raw is None else raw
    keyword, limit = error.validator, error.validator_value
    if keyword == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        return [_item("missing", [*loc, name], "Field required", error.instance)
                for name in limit if name not in present]
    if keyword == "type":
        expected = limit if isinstance(limit, str) else limit[0]
        kind, msg = _type_error(expected, error.instance, loc == ["body"], raw is not None)
        return [_item(kind, loc, msg, value)]
    if keyword == "enum":
        expected = _expected(limit)
        return [_item("enum", loc, f"Input should be {expected}", value, {"expected": expected})]
    if keyword == "minLength":
        return [_item("string_too_short", loc,
                      f"String should have at least {_plural(limit, 'character')}", value,
                      {"min_length": limit})]
    if keyword == "maxLength":
        return [_item("string_too_long", loc,
                      f"String should have at most {_plural(limit, 'character')}", value,
                      {"max_length": limit})]
    if keyword == "pattern":
        return [_item("string_pattern_mismatch", loc, f"String should match pattern '{limit}'",
                      value, {"pattern": limit})]
    if keyword in ("minimum", "maximum"):
        exclusive = error.schema.get(f"exclusive{keyword.title()}", False)
        name = {("minimum", False): ("greater_than_equal", "ge", "greater than or equal to"),
                ("minimum", True): ("greater_than", "gt", "greater than"),
                ("maximum", False): ("less_than_equal", "le", "less than or equal to"),
                ("maximum", True): ("less_than", "lt", "less than")}[(keyword, bool(exclusive))]
        return [_item(name[0], loc, f"Input should be {name[2]} {limit}", value, {name[1]: limit})]
    if keyword == "format" and limit == "email":
        reason = "An email address must have an @-sign." if "@" not in str(value) else (
            "The part after the @-sign is not valid.")
        return [_item("value_error", loc, f"value is not a valid email address: {reason}",
                      value, {"reason": reason})]
    if keyword == "additionalProperties":
        extras = [k for k in error.instance if k not in error.schema.get("properties", {})]
        return [_item("extra_forbidden", [*loc, k], "Extra inputs are not permitted",
                      error.instance[k]) for k in extras]
    if keyword == UNICODE:  # pydantic's answer to a string it cannot read as text
        return [_item("string_unicode", loc, "Input should be a valid string, unable to parse "
                      "raw data as a unicode string", value)]
    if keyword in ("oneOf", "anyOf") and "discriminator" in error.schema:
        return _discriminated(error, loc)
    return [_item("value_error", loc, f"Value error, {error.message}", value, {"error": error.message})]


def _discriminated(error: ValidationError, loc: list) -> list[dict]:
    """A tagged union as pydantic reports it: bad tag, or the chosen branch's own errors."""
    prop = error.schema["discriminator"]["propertyName"]
    value = error.instance
    if not isinstance(value, dict):
        return [_item("model_attributes_type", loc, "Input should be a valid dictionary or "
                      "object to extract fields from", value)]
    branches = {b["properties"][prop]["enum"][0]: b for b in error.schema[error.validator]}
    tags = ", ".join(repr(t) for t in branches)
    ctx = {"discriminator": repr(prop)}
    if prop not in value:
        return [_item("union_tag_not_found", loc,
                      f"Unable to extract tag using discriminator {prop!r}", value, ctx)]
    tag = value[prop]
    if not isinstance(tag, str) or tag not in branches:
        return [_item("union_tag_invalid", loc, f"Input tag {tag!r} found using {prop!r} does "
                      f"not match any of the expected tags: {tags}", value,
                      {**ctx, "tag": str(tag), "expected_tags": tags})]
    branch_errors = body_validator(branches[tag]).iter_errors(value)
    return translate(branch_errors, [*loc, tag])


PRIORITY = ("type", UNICODE, "required", "oneOf", "anyOf", "enum", "format", "pattern", "minLength",
            "maxLength", "minimum", "maximum")


def _rank(error: ValidationError) -> int:
    return PRIORITY.index(error.validator) if error.validator in PRIORITY else len(PRIORITY)


def translate(errors: Iterable[ValidationError], prefix: list, raw: Any = None) -> list[dict]:
    """All errors as pydantic items under ``prefix``: per location only the first failure, as
    pydantic stops at a field's first failed check, in the order the schema checks them."""
    chosen: dict[tuple, ValidationError] = {}
    for error in errors:
        key = tuple(error.absolute_path)
        if key not in chosen or _rank(error) < _rank(chosen[key]):
            chosen[key] = error
    items: dict[str, dict] = {}
    for key, error in chosen.items():
        for item in translate_one(error, [*prefix, *key], raw):
            items.setdefault(repr(item["loc"]), item)
    return list(items.values())
