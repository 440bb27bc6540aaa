"""Validating data against the documents' request schemas, as the API does: OpenAPI's
``nullable``, the formats the API checks (``email``), and, in bodies, text that can be stored
and written out again."""

from __future__ import annotations

import re

from connexion.json_schema import Draft4RequestValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend

from mockserver.compat import IdentityMemo

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FORMATS = FormatChecker(())
RequestValidator = extend(Draft4RequestValidator, {})

# What no body's text may hold. A lone surrogate (valid in JSON as "\ud800", but no character)
# cannot be encoded as UTF-8: an answer or a document that shows it fails. Control characters
# (C0 with tab, CR and LF, DEL, C1) are not text in any of the API's fields (all one line),
# XML 1.0 refuses most of them, and CR/LF end a mail header.
SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# The keywords of the two refusals, as the 422 translator knows them (edge.fastapi_errors).
UNICODE, CONTROL_CHARACTER = "x-unicode", "x-control-character"


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(EMAIL.match(value))


def unsafe_text(text: str) -> tuple[str, str] | None:
    """``(keyword, character)`` when ``text`` holds what no body's text may, else None."""
    for keyword, pattern in ((UNICODE, SURROGATE), (CONTROL_CHARACTER, CONTROL)):
        found = pattern.search(text)
        if found:
            return keyword, found.group()
    return None


_TYPE = Draft4RequestValidator.VALIDATORS["type"]


def _type_and_text(validator, types, instance, schema):
    """The ``type`` check, and for a string that passes it, the text check."""
    failed = False
    for error in _TYPE(validator, types, instance, schema) or ():
        failed = True
        yield error
    if not failed and isinstance(instance, str):
        unsafe = unsafe_text(instance)
        if unsafe is not None:
            keyword, char = unsafe
            yield ValidationError(f"{instance!r} holds U+{ord(char):04X}, which is not text",
                                  validator=keyword, validator_value=f"U+{ord(char):04X}",
                                  instance=instance, schema=schema)


BodyValidator = extend(Draft4RequestValidator, {"type": _type_and_text})


def _compile(schema: dict) -> Draft4Validator:
    return RequestValidator(schema, format_checker=FORMATS)


def _compile_body(schema: dict) -> Draft4Validator:
    return BodyValidator(schema, format_checker=FORMATS)


# Connexion builds its validators anew for every request; each schema object compiles once.
# Parameters (``request_validator``) take any text, as FastAPI's ``str`` parameters do; bodies
# (``body_validator``) are stored, so their text is checked too.
request_validator = IdentityMemo(_compile)
body_validator = IdentityMemo(_compile_body)
