"""How one schema changed from the base document to the revision, in oasdiff's check ids.

Both sides are :class:`~mockserver.contract.shapes.Shape` values, so only changes of meaning
are seen. Each change is handed to ``emit(change_id, effect, place, text)``; its level follows
from its direction and effect (:mod:`mockserver.contract.drift_rules`).

What the base marks ``x-billing-mock-guessed`` (:mod:`mockserver.contract.shapes`) is the
mock's guess, not the published layer. Below such a schema, the groups of keywords it names are
not held against the revision: ``validation`` (patterns, lengths, bounds, formats such as
``email`` or ``uri`` that only validate: a server with its own id format or none, or pydantic's
``HttpUrl``, is not drift of the published layer), and ``enum`` (the values). Types,
representation formats (``date`` vs ``date-time``), nullability, properties and ``required``
always are.

A plain object facing a union of objects (a model the other side declares as a ``oneOf``
discriminated by a field) is one change, ``*-became-union`` or ``*-became-not-union``: the
union refuses combinations of values the plain object allows. Its properties are then compared
once each, with what the variants allow together (:func:`~mockserver.contract.shapes.span`),
not once per variant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mockserver.contract.shapes import (
    ENUM,
    MAXIMA,
    MINIMA,
    MISSING,
    REPRESENTATION_FORMATS,
    VALIDATION,
    Shape,
    canonical,
    span,
)

NESTED = {"request-parameter": "request-parameter-property", "request-body": "request-property",
          "response-body": "response-property"}
SLUGS = {"maxLength": "max-length", "minLength": "min-length", "maximum": "max",
         "minimum": "min", "exclusiveMaximum": "exclusive-max",
         "exclusiveMinimum": "exclusive-min", "maxItems": "max-items", "minItems": "min-items",
         "multipleOf": "multiple-of", "pattern": "pattern"}
DEPTH = 48


@dataclass(frozen=True)
class Place:
    """Where in the documents a schema sits, and how it is to be judged."""

    direction: str  # request | response
    subject: str  # the oasdiff id prefix: request-parameter, request-body, response-body, ...
    location: str  # "query parameter status", "response 200 application/json"
    path: str = ""  # inside the schema: "data[].issue_date"
    guessed: frozenset = frozenset()  # the groups of keywords the base calls guesses here
    depth: int = 0

    @property
    def lenient(self) -> bool:
        """Validation keywords are the base's guesses here."""
        return VALIDATION in self.guessed

    def into(self, step: str) -> Place:
        path = f"{self.path}.{step}" if self.path and not step.startswith(("[", "<")) else (
            self.path + step)
        return replace(self, subject=NESTED.get(self.subject, self.subject), path=path,
                       depth=self.depth + 1)


Emit = Callable[[str, str, Place, str], None]


class SchemaDiff:
    def __init__(self, emit: Emit) -> None:
        self.emit = emit

    def compare(self, base: Shape, rev: Shape, place: Place) -> None:
        if not base.guessed <= place.guessed:
            place = replace(place, guessed=place.guessed | base.guessed)
        if place.depth > DEPTH or base.key == rev.key:
            return
        if base.recursive or rev.recursive:
            if (base.recursive, base.name) != (rev.recursive, rev.name):
                self._say("type-changed", "incomparable", place,
                          f"{_describe(base)} became {_describe(rev)}")
            return
        if _plain_facing_union(base, rev):
            self._span(base, rev, place)
            return
        if base.variants or rev.variants:
            self._union(base, rev, place)
        elif not self._type(base, rev, place):
            return
        else:
            self._enum(base, rev, place)
            if not place.lenient:
                self._bounds(base, rev, place)
            self._object(base, rev, place)
            for step, b, r in (("[]", base.items, rev.items), ("*", base.additional,
                                                                 rev.additional)):
                if b is not None and r is not None:
                    self.compare(b, r, place.into(step))
        self._nullable(base, rev, place)
        self._default(base, rev, place)

    def _say(self, check: str, effect: str, place: Place, text: str) -> None:
        self.emit(f"{place.subject}-{check}", effect, place, text)

    def _type(self, base: Shape, rev: Shape, place: Place) -> bool:
        """Types and formats together, as oasdiff's type checks read them. False when the
        types have nothing in common, so that nothing below them can be compared."""
        by_type = _relation(base.types, rev.types)
        formats = _format(base, place), _format(rev, place)
        by_format = ("same" if formats[0] == formats[1] else "wider" if formats[1] is None
                     else "narrower" if formats[0] is None else "other")
        relation = by_type if by_format in ("same", by_type) else (
            by_format if by_type == "same" else "other")
        if relation == "same":
            return True
        if relation == "wider":
            check, effect = "type-generalized", "widens"
        elif relation == "narrower":
            effect = "narrows"
            check = "type-specialized" if place.direction == "response" or (
                place.subject == "request-parameter-property") else "type-changed"
        else:
            check, effect = "type-changed", "incomparable"
        self._say(check, effect, place, f"type changed from {_describe(base, place)} to "
                                        f"{_describe(rev, place)}")
        return not (by_type == "other" and base.types is not None and rev.types is not None
                    and not _overlap(base.types, rev.types))

    def _nullable(self, base: Shape, rev: Shape, place: Place) -> None:
        if base.types is None or rev.types is None or base.nullable == rev.nullable:
            return
        if rev.nullable:
            self._say("became-nullable", "widens", place, "became nullable")
        else:
            self._say("became-not-nullable", "narrows", place, "became not nullable")

    def _enum(self, base: Shape, rev: Shape, place: Place) -> None:
        if base.enum == rev.enum or ENUM in place.guessed:
            return
        if base.enum is None:
            self._say("became-enum", "narrows", place,
                      f"became an enum of {_values(rev.enum)}")
        elif rev.enum is None:
            self._say("became-not-enum", "widens", place, "is no longer an enum")
        else:
            for value in sorted(rev.enum - base.enum):
                self._say("enum-value-added", "widens", place, f"enum value {value} added")
            for value in sorted(base.enum - rev.enum):
                self._say("enum-value-removed", "narrows", place, f"enum value {value} removed")

    def _bounds(self, base: Shape, rev: Shape, place: Place) -> None:
        for keyword, slug in SLUGS.items():
            old, new = base.bounds.get(keyword), rev.bounds.get(keyword)
            if old == new:
                continue
            action, effect = _bound_change(keyword, old, new)
            self._say(f"{slug}-{action}", effect, place,
                      f"{keyword} {_shown(old)} -> {_shown(new)}")

    def _default(self, base: Shape, rev: Shape, place: Place) -> None:
        old, new = canonical(base.default), canonical(rev.default)
        if old == new:
            return
        action = ("added" if base.default == MISSING else "removed" if rev.default == MISSING
                  else "changed")
        self._say(f"default-value-{action}", "none", place, f"default {_shown(base.default)} "
                                                            f"-> {_shown(rev.default)}")

    def _object(self, base: Shape, rev: Shape, place: Place) -> None:
        request = place.direction == "request"
        for name in sorted(set(base.properties) - set(rev.properties)):
            inner = place.into(name)
            if request:
                self.emit("request-property-removed", "unknown", inner, "property removed")
            elif name in base.required:
                self.emit("response-required-property-removed", "widens", inner,
                          "required property removed")
            else:
                self.emit("response-optional-property-removed", "none", inner,
                          "optional property removed")
        for name in sorted(set(rev.properties) - set(base.properties)):
            inner, required = place.into(name), name in rev.required
            if request:
                self.emit(f"new-{'required' if required else 'optional'}-request-property",
                          "narrows" if required else "none", inner,
                          f"new {'required' if required else 'optional'} property")
            else:
                self.emit(f"response-{'required' if required else 'optional'}-property-added",
                          "narrows" if required else "none", inner,
                          f"{'required' if required else 'optional'} property added")
        for name in sorted(set(base.properties) & set(rev.properties)):
            inner = place.into(name)
            was, now = name in base.required, name in rev.required
            prefix = "request-property" if request else "response-property"
            if was != now:
                effect = "narrows" if now else "widens"  # for a response too: oasdiff's way
                self.emit(f"{prefix}-became-{'required' if now else 'optional'}", effect,
                          inner, f"became {'required' if now else 'optional'}")
            self.compare(base.properties[name], rev.properties[name], inner)

    def _union(self, base: Shape, rev: Shape, place: Place) -> None:
        """The alternatives as a set: equal ones are the same alternative whatever their
        order, the rest paired by component name, else each with each when one side has a
        single one, else by fewest differences; an unpaired one was added or removed."""
        olds, news = list(base.variants or (base.core(),)), list(rev.variants or (rev.core(),))
        for old in list(olds):
            same = next((new for new in news if new.key == old.key), None)
            if same is not None:
                olds.remove(old)
                news.remove(same)
        pairs = []
        for old in list(olds):
            named = next((new for new in news if old.name and new.name == old.name), None)
            if named is not None:
                pairs.append((old, named))
                olds.remove(old)
                news.remove(named)
        if olds and news and (len(olds) == 1 or len(news) == 1):
            pairs += [(old, new) for old in olds for new in news]
            olds, news = [], []
        while olds and news:
            old, new = min(((o, n) for o in olds for n in news),
                           key=lambda pair: self._cost(*pair, place))
            pairs.append((old, new))
            olds.remove(old)
            news.remove(new)
        kind = "one-of" if "oneOf" in (base.union, rev.union) else "any-of"
        for old, new in pairs:  # named after the alternative of the side with several
            label = _label(new if len(rev.variants) > len(base.variants) else old)
            self.compare(old, new, replace(place, path=place.path + f"<{label}>"))
        for old in olds:
            self._say(f"{kind}-removed", "narrows", place, f"variant {_label(old)} removed")
        for new in news:
            self._say(f"{kind}-added", "widens", place, f"variant {_label(new)} added")

    def _span(self, base: Shape, rev: Shape, place: Place) -> None:
        """A plain object against a union of objects: the union as one change, then the
        properties against what its variants allow together."""
        union = rev if rev.variants else base
        names = ", ".join(sorted(_label(variant) for variant in union.variants))
        named = f"a union ({'oneOf' if union.union == 'oneOf' else 'anyOf'}) of {names}"
        if rev.variants:
            self._say("became-union", "narrows", place, f"became {named}: it refuses "
                      "combinations of values the plain schema allowed")
        else:
            self._say("became-not-union", "widens", place, f"{named} became one plain "
                      "schema: it allows every combination of their values")
        self.compare(span(base) if base.variants else base,
                     span(rev) if rev.variants else rev, place)

    def _cost(self, old: Shape, new: Shape, place: Place) -> int:
        found: list = []
        SchemaDiff(lambda *change: found.append(change)).compare(old, new, place)
        return len(found)


def _plain_facing_union(base: Shape, rev: Shape) -> bool:
    """One side a plain object, the other a union of objects none of which is that object
    (a union that has it as one alternative only adds the others)."""
    if bool(base.variants) == bool(rev.variants):
        return False
    plain, union = (rev, base) if base.variants else (base, rev)
    objects = frozenset({"object"})
    return (plain.types == objects and not plain.recursive
            and all(v.types == objects and not v.recursive for v in union.variants)
            and all(v.key != plain.core().key for v in union.variants))


def _relation(old: frozenset | None, new: frozenset | None) -> str:
    if old == new:
        return "same"
    if new is None:
        return "wider"
    if old is None:
        return "narrower"
    if _covers(new, old):
        return "wider"
    if _covers(old, new):
        return "narrower"
    return "other"


def _covers(big: frozenset, small: frozenset) -> bool:
    return all(kind in big or (kind == "integer" and "number" in big) for kind in small)


def _overlap(a: frozenset, b: frozenset) -> bool:
    return bool(a & b) or ("integer" in a and "number" in b) or ("number" in a and "integer" in b)


def _format(shape: Shape, place: Place) -> str | None:
    if place.lenient and shape.format not in REPRESENTATION_FORMATS:
        return None
    return shape.format


def _bound_change(keyword: str, old, new) -> tuple[str, str]:
    if keyword == "pattern":
        return {(True, False): ("added", "narrows"), (False, True): ("removed", "widens")}.get(
            (old is None, new is None), ("changed", "unknown"))
    if old is None:
        return "set", "narrows"
    if new is None:
        return "unset", "widens"
    if keyword == "multipleOf":
        return "changed", "unknown"
    increased = new > old
    if keyword in MAXIMA:
        return ("increased", "widens") if increased else ("decreased", "narrows")
    assert keyword in MINIMA
    return ("increased", "narrows") if increased else ("decreased", "widens")


def _describe(shape: Shape, place: Place | None = None) -> str:
    if shape.recursive:
        return f"a reference to {shape.name}"
    kinds = "any" if shape.types is None else "/".join(sorted(shape.types)) or "null"
    fmt = _format(shape, place) if place else shape.format
    return f"{kinds} ({fmt})" if fmt else kinds


def _label(shape: Shape) -> str:
    return shape.name or _describe(shape)


def _values(values: frozenset) -> str:
    return ", ".join(sorted(values))


def _shown(value) -> str:
    return "none" if value is None or value == MISSING else canonical(value)


__all__ = ["Place", "SchemaDiff"]
