"""Validating data against the documents' request schemas, as the API does: OpenAPI's
``nullable``, and the formats the API checks (``email``)."""

from __future__ import annotations

import re

from connexion.json_schema import Draft4RequestValidator
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
