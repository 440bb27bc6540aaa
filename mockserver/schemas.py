"""Validating data against the documents' schemas: requests as the API does (OpenAPI's
``nullable``, the formats the API checks (``email``), patterns read as JSON Schema reads them
(ECMA 262), and, in bodies, text that can be written out again), answers as Connexion's
response validation does, with their date and time formats checked too."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend

from mockserver.compat import IdentityMemo

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FORMATS = FormatChecker(())

# A lone surrogate (valid in JSON as "\ud800", but no character) has no UTF-8 form: an answer
# or a document that shows it cannot be written. No body's text may hold one.
SURROGATE = re.compile("[\ud800-\udfff]")
# What one line of text cannot hold: control characters (C0 with tab, CR and LF, DEL, C1),
# the line and paragraph separators (a mail header breaks on them) and the two characters XML
# cannot carry (U+FFFE, U+FFFF). The document's text fields refuse them by pattern; scenario
# files and state files are held to the same for the text they put in headers and documents.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# What no XML 1.0 document can carry, whatever the field (a note may hold line breaks and tabs):
# the C0 controls but tab, LF and CR, and U+FFFE, U+FFFF (lone surrogates: ``SURROGATE``).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
UNICODE = "x-unicode"  # the keyword of the surrogate refusal, as edge.fastapi_errors knows it


def not_one_line(value) -> str | None:
    """Why ``value`` (a string) is not one line of text (``CONTROL``), or None."""
    found = CONTROL.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    char = found.group()
    what = ("a line separator" if char in "\n\r\u2028\u2029" else
            "a character XML cannot carry" if char in "\ufffe\uffff" else
            "a control character")
    return f"holds U+{ord(char):04X} ({what}): it is one line of text"


def strings_holding(value, pattern: re.Pattern, where: tuple = ()):
    """``(path, character)`` of every string (keys included) in the JSON value ``value`` that
    ``pattern`` finds a character in; ``path`` is the list of keys and indexes to it."""
    if isinstance(value, str):
        found = pattern.search(value)
        if found:
            yield list(where), found.group()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_holding(key, pattern, where)
            yield from strings_holding(item, pattern, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_holding(item, pattern, (*where, index))


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(EMAIL.match(value))


@lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern:
    """``pattern`` compiled as ECMA 262 reads it, where ``$`` is the end of the text: in
    Python's ``re`` it also matches before a final newline, so ``"NL\\n"`` would pass
    ``^[A-Z]{2}$``. pydantic (a Rust regex) reads it the ECMA way too."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_TYPE = Draft4RequestValidator.VALIDATORS["type"]


def _type_and_text(validator, types, instance, schema):
    """The ``type`` check, and for a string that passes it, that it is text."""
    failed = False
    for error in _TYPE(validator, types, instance, schema) or ():
        failed = True
        yield error
    if not failed and isinstance(instance, str):
        found = SURROGATE.search(instance)
        if found:
            code = f"U+{ord(found.group()):04X}"
            yield ValidationError(f"{instance!r} holds {code}, which is not text",
                                  validator=UNICODE, validator_value=code,
                                  instance=instance, schema=schema)


RequestValidator = extend(Draft4RequestValidator, {"pattern": _pattern})
BodyValidator = extend(RequestValidator, {"type": _type_and_text})


def _compile(schema: dict) -> Draft4Validator:
    return RequestValidator(schema, format_checker=FORMATS)


def _compile_body(schema: dict) -> Draft4Validator:
    return BodyValidator(schema, format_checker=FORMATS)


# Connexion builds its validators anew for every request; each schema object compiles once.
# Parameters (``request_validator``) take any text, as FastAPI's ``str`` parameters do; bodies
# (``body_validator``) are stored, so their text is checked too.
request_validator = IdentityMemo(_compile)
body_validator = IdentityMemo(_compile_body)

# RFC 3339: a full date, "T", a time, and a "Z" or numeric offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
ANSWER_FORMATS = FormatChecker(())
ANSWER_FORMATS.checks("email")(_is_email)


@ANSWER_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(RFC3339.match(value)) and datetime.fromisoformat(value.upper()) is not None


@ANSWER_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return len(value) == 10 and date.fromisoformat(value) is not None


# Answers are read with the same (ECMA 262) patterns as requests.
ResponseValidator = extend(Draft4ResponseValidator, {"pattern": _pattern})


def response_validator(schema: dict) -> Draft4Validator:
    """A validator of answers for ``schema`` (refs already resolved)."""
    return ResponseValidator(schema, format_checker=ANSWER_FORMATS)
