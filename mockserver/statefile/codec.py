"""Domain dataclasses to plain JSON values and back, driven by their type annotations.

A dataclass is an object of its fields by name (every field, ``init=False`` ones too);
``datetime`` an RFC 3339 string with its offset, ``date`` ISO 8601, ``Decimal`` a string,
an ``Enum`` its value, tuples, lists and deques arrays. Decoding checks every value against
the annotation and refuses what does not fit, naming where it is (``tenants[2].invoices[0]
.issue_date``): unknown keys, missing fields (every field, also those with a default: the
writer writes them all), wrong types. Nothing is built half: a failure
raises before the caller has anything.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import deque
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any


class FormatError(ValueError):
    """A value that does not fit where it is; ``where`` says where."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


JSON_SCALARS = (str, int, float, bool, type(None))


def encode(value: Any, where: str = "") -> Any:
    """``value`` as JSON values (see the module)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, JSON_SCALARS):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise FormatError(where, "a time without a time zone cannot be written")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name), f"{where}.{f.name}")
                for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, (list, tuple, deque)):
        return [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise FormatError(where, f"a key that is no string ({key!r}) cannot be written")
            found[key] = encode(item, f"{where}.{key}")
        return found
    raise FormatError(where, f"a {type(value).__name__} cannot be written")


def decode(hint: Any, raw: Any, where: str) -> Any:
    """The value of type ``hint`` that ``raw`` (JSON values) stands for."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if raw is None and type(None) in options:
            return None
        real = [option for option in options if option is not type(None)]
        if len(real) != 1:
            raise FormatError(where, f"cannot read a value of {hint}")  # not in our domain
        return decode(real[0], raw, where)
    if hint is Any or hint is object:
        return _plain(raw, where)
    if origin in (list, tuple, deque) or hint in (list, tuple):
        if not isinstance(raw, list):
            raise FormatError(where, f"expected an array, got {_kind(raw)}")
        args = typing.get_args(hint)
        item_hint = args[0] if args else Any
        items = [decode(item_hint, item, f"{where}[{i}]") for i, item in enumerate(raw)]
        return tuple(items) if origin is tuple or hint is tuple else (
            deque(items) if origin is deque else items)
    if origin is dict or hint is dict:
        if not isinstance(raw, dict):
            raise FormatError(where, f"expected an object, got {_kind(raw)}")
        args = typing.get_args(hint)
        item_hint = args[1] if args else Any
        return {key: decode(item_hint, item, f"{where}.{key}") for key, item in raw.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return decode_dataclass(hint, raw, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(raw)
        except ValueError:
            known = ", ".join(repr(m.value) for m in hint)
            raise FormatError(where, f"{raw!r} is not one of {known}") from None
    return _scalar(hint, raw, where)


def decode_dataclass(cls: type, raw: Any, where: str, **given: Any) -> Any:
    """An instance of the dataclass ``cls`` from an object of its fields; ``given`` fields
    are taken as they are (what the caller decoded itself)."""
    if not isinstance(raw, dict):
        raise FormatError(where, f"expected an object, got {_kind(raw)}")
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise FormatError(f"{where}.{unknown[0]}", f"not a field of {cls.__name__}")
    hints = _hints(cls)
    values, later, bounded = dict(given), {}, {}
    for name, f in fields.items():
        if name in given:
            continue
        if name not in raw:  # the file holds every field: one left out is no default
            raise FormatError(f"{where}.{name}", "missing")
        value = decode(hints[name], raw[name], f"{where}.{name}")
        if isinstance(value, deque) and f.default_factory is not dataclasses.MISSING:
            bounded[name] = value  # the field's own factory knows its bound
        elif f.init:
            values[name] = value
        else:
            later[name] = value
    try:
        instance = cls(**values)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise FormatError(where, f"not a valid {cls.__name__}: {exc}") from None
    for name, items in bounded.items():
        getattr(instance, name).extend(items)
    for name, value in later.items():
        object.__setattr__(instance, name, value)
    return instance


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _scalar(hint: Any, raw: Any, where: str) -> Any:
    if hint is bool:
        if isinstance(raw, bool):
            return raw
    elif hint is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    elif hint is float:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
    elif hint is str:
        if isinstance(raw, str):
            return raw
    elif hint is datetime:
        return _datetime(raw, where)
    elif hint is date:
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise FormatError(where, f"expected an ISO 8601 date, got {_shown(raw)}")
    elif hint is Decimal:
        if isinstance(raw, str):
            try:
                found = Decimal(raw)
                if found.is_finite():
                    return found
            except InvalidOperation:
                pass
        raise FormatError(where, f"expected a decimal number as a string, got {_shown(raw)}")
    else:
        raise FormatError(where, f"cannot read a value of {hint}")
    raise FormatError(where, f"expected {hint.__name__}, got {_kind(raw)}")


def _datetime(raw: Any, where: str) -> datetime:
    if isinstance(raw, str):
        try:
            found = datetime.fromisoformat(raw)
            if found.tzinfo is not None:
                return found
        except ValueError:
            pass
    raise FormatError(where, f"expected an RFC 3339 time with its offset, got {_shown(raw)}")


def _plain(raw: Any, where: str) -> Any:
    """Free-form data (a buyer snapshot, provider details): JSON values as they are."""
    if isinstance(raw, dict):
        return {key: _plain(item, f"{where}.{key}") for key, item in raw.items()}
    if isinstance(raw, list):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(raw)]
    return raw


def _kind(raw: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(raw), "a number")


def _shown(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["FormatError", "decode", "decode_dataclass", "encode"]
