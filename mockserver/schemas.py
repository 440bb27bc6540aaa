"""Validating data against the documents' schemas: requests as the API does (OpenAPI's
``nullable``, and the formats the API checks: ``email``), answers as Connexion's response
validation does, with their date and time formats checked too."""

from __future__ import annotations

import re
from datetime import date, datetime

from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.validators import extend

from mockserver.compat import IdentityMemo

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FORMATS = FormatChecker(())
RequestValidator = extend(Draft4RequestValidator, {})


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(EMAIL.match(value))


def _compile(schema: dict) -> Draft4Validator:
    return RequestValidator(schema, format_checker=FORMATS)


# Connexion builds its validators anew for every request; each schema object compiles once.
request_validator = IdentityMemo(_compile)

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


def response_validator(schema: dict) -> Draft4Validator:
    """A validator of answers for ``schema`` (refs already resolved)."""
    return Draft4ResponseValidator(schema, format_checker=ANSWER_FORMATS)
