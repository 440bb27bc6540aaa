"""What an OpenAPI schema means, whichever way a document spells it: drift's normal form.

Two documents that mean the same thing read to equal :class:`Shape` values, so a comparison of
shapes sees changes of meaning only. Spellings read alike:

- 3.0 ``nullable: true``, a 3.1 ``type: [..., "null"]``, ``anyOf``/``oneOf`` with a
  ``{type: null}`` (or the mock's 3.0 ``Null``) variant and ``enum`` with ``null``;
- a ``$ref`` and the schema it refers to written inline (the component's name is kept only to
  pair the variants of a union);
- a single-variant ``anyOf``/``oneOf``/``allOf`` and that variant; ``allOf`` parts are merged;
- ``const: v`` and ``enum: [v]``; 3.0 ``exclusiveMaximum: true`` beside ``maximum`` and the
  3.1 number; ``0`` and ``0.0``;
- annotations (``title``, ``description``, ``example(s)``, ``x-*``, ``discriminator``) are not
  read at all, but for ``x-billing-mock-guessed``.

``x-billing-mock-guessed`` says what of a schema (and of everything below it) is the mock's
guess rather than the published layer: ``true`` its validation keywords (patterns, lengths,
bounds, formats that only validate), a list the groups it names (``["validation", "enum"]``:
enum values too). On the document's root it says so of every schema in the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property

MISSING = "<missing>"  # a keyword the schema does not have (``default`` may well be None)
MAXIMA = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")
MINIMA = ("minLength", "minimum", "exclusiveMinimum", "minItems")
BOUNDS = (*MAXIMA, *MINIMA, "pattern", "multipleOf")
# Formats that change what a client decodes (a generated client's date, datetime, bytes,
# UUID, int64): a change of one is a change of type. Others (email, uri, hostname) only
# validate the string.
REPRESENTATION_FORMATS = frozenset({
    "date", "date-time", "time", "duration", "binary", "byte", "uuid", "int32", "int64",
    "float", "double", "decimal"})
DEPTH = 64  # deeper nesting than any real model: read as "any" rather than recurse on
GUESSED = "x-billing-mock-guessed"
VALIDATION, ENUM = "validation", "enum"  # the groups of keywords a mark can call guesses
GROUPS = frozenset({VALIDATION, ENUM})


@dataclass(frozen=True)
class Shape:
    """One schema's meaning. ``types`` is the set of JSON types it admits besides null, or
    None for any value; ``nullable`` says whether null is admitted too (an "any" is)."""

    types: frozenset | None = None
    nullable: bool = True
    format: str | None = None
    enum: frozenset | None = None  # canonical JSON of each value (null is ``nullable``)
    properties: dict = field(default_factory=dict)
    required: frozenset = frozenset()
    items: Shape | None = None
    additional: Shape | None = None  # a map's values (``additionalProperties`` as a schema)
    bounds: dict = field(default_factory=dict)
    default: object = MISSING
    variants: tuple = ()  # a union of two or more alternatives (null excluded)
    union: str = ""  # oneOf | anyOf, when ``variants``
    name: str | None = field(default=None, compare=False)  # the component it was read from
    guessed: frozenset = field(default=frozenset(), compare=False)  # groups marked GUESSED
    recursive: bool = False  # a reference back into itself: compared by name only

    @property
    def is_null(self) -> bool:
        return self.types == frozenset() and self.nullable and not self.variants

    @cached_property
    def key(self) -> str:
        """A canonical text of the meaning, equal exactly when the shapes are."""
        return json.dumps(_keyed(self), sort_keys=True, default=str)

    def core(self) -> Shape:
        """The shape without its own nullability and default: what a union variant is."""
        return replace(self, nullable=False, default=MISSING)


ANY = Shape()
NOTHING = Shape(types=frozenset(), nullable=False)  # the 3.1 ``false`` schema
NULL = Shape(types=frozenset(), nullable=True)


def _keyed(shape: Shape) -> dict:
    return {"types": sorted(shape.types) if shape.types is not None else None,
            "nullable": shape.nullable, "format": shape.format,
            "enum": sorted(shape.enum) if shape.enum is not None else None,
            "properties": {k: v.key for k, v in shape.properties.items()},
            "required": sorted(shape.required),
            "items": shape.items.key if shape.items else None,
            "additional": shape.additional.key if shape.additional else None,
            "bounds": shape.bounds, "default": canonical(shape.default),
            "variants": sorted(v.key for v in shape.variants), "recursive": shape.recursive,
            "name": shape.name if shape.recursive else None}


def guessed_groups(node) -> frozenset:
    """The groups of keywords a node's ``x-billing-mock-guessed`` mark calls guesses."""
    mark = node.get(GUESSED) if isinstance(node, dict) else None
    if mark is True:
        return frozenset({VALIDATION})
    return GROUPS & frozenset(g for g in sequence(mark) if isinstance(g, str))


def mapping(value) -> dict:
    """``value`` if it is a mapping, else an empty one: a malformed part reads as absent."""
    return value if isinstance(value, dict) else {}


def sequence(value) -> list:
    return value if isinstance(value, list) else []


def canonical(value) -> str:
    """One text for one JSON value: ``1`` and ``1.0`` alike, ``true`` unlike ``1``."""
    return json.dumps(_number(value), sort_keys=True)


def _number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_number(v) for v in value]
    if isinstance(value, dict):
        return {k: _number(v) for k, v in value.items()}
    return value


class Reader:
    """Reads the schemas of one document (``$ref`` followed within it) as shapes."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.guessed = guessed_groups(spec)  # the document's own mark: of every schema in it
        # Each component is read once (a document's references may fan out exponentially),
        # unless reading it met a reference back into itself: that shape depends on the path.
        self._read: dict[str, Shape] = {}
        self._loops = 0

    def resolve(self, node):
        """A ``$ref`` chain followed to its end (a reference it cannot follow reads as {})."""
        for _ in range(DEPTH):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            node = self._target(node["$ref"])
        return {}

    def _target(self, ref: str):
        if not ref.startswith("#/"):
            return {}  # another file's: not this document's meaning to judge
        node = self.spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        return node if node is not None else {}

    def shape(self, node, stack: tuple = ()) -> Shape:
        if isinstance(node, bool):
            return ANY if node else NOTHING
        if not isinstance(node, dict) or len(stack) > DEPTH:
            return ANY
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if ref in stack:
                self._loops += 1
                return Shape(recursive=True, name=name)
            target = self._target(ref)
            loops = self._loops
            shape = self._read.get(ref) or self.shape(target, (*stack, ref))
            if self._loops == loops:
                self._read[ref] = shape
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if siblings:  # 3.1 lets a reference carry keywords of its own
                shape = merge(shape, self.shape(siblings, stack))
            return replace(shape, name=name, guessed=shape.guessed | guessed_groups(target))
        own = self._own(node, stack)
        for part in sequence(node.get("allOf")):
            own = merge(own, self.shape(part, stack))
        if _admits_null(node):
            own = replace(own, nullable=True)  # 3.0's ``allOf: [$ref] + nullable``
        if GUESSED in node:
            own = replace(own, guessed=own.guessed | guessed_groups(node))
        return own

    def _own(self, node: dict, stack: tuple) -> Shape:
        declared = node.get("type")
        kinds = {kind for kind in (declared if isinstance(declared, list) else [declared])
                 if isinstance(kind, str)}
        if not kinds and ("properties" in node or "items" in node):
            kinds = {"object" if "properties" in node else "array"}  # ``type`` left out
        nullable = "null" in kinds or bool(node.get("nullable"))
        types = frozenset(kinds - {"null"}) if kinds else None
        enum = None
        values = [node["const"]] if "const" in node else node.get("enum")
        if isinstance(values, list):
            nullable = nullable or None in values
            enum = frozenset(canonical(v) for v in values if v is not None)
            if not enum:
                types, enum = frozenset(), None  # ``enum: [null]``: null itself, whatever type
        shape = Shape(
            types=types, nullable=nullable or types is None,
            format=node.get("format") if isinstance(node.get("format"), str) else None,
            enum=enum, bounds=_bounds(node), default=node.get("default", MISSING),
            properties={name: self.shape(sub, stack)
                        for name, sub in mapping(node.get("properties")).items()},
            required=frozenset(r for r in sequence(node.get("required")) if isinstance(r, str)),
            items=self.shape(node["items"], stack) if isinstance(node.get("items"), dict)
            else None,
            additional=self.shape(node["additionalProperties"], stack)
            if isinstance(node.get("additionalProperties"), dict) else None)
        for kind in ("anyOf", "oneOf"):
            if sequence(node.get(kind)):
                shape = _with_union(shape, kind, [self.shape(v, stack) for v in node[kind]])
        return shape


def _admits_null(node: dict) -> bool:
    declared = node.get("type")
    return bool(node.get("nullable")) or declared == "null" or (
        isinstance(declared, list) and "null" in declared)


def _bounds(node: dict) -> dict:
    found = {k: _number(node[k]) for k in BOUNDS if k in node and (
        isinstance(node[k], str) if k == "pattern" else
        isinstance(node[k], (int, float)) and not isinstance(node[k], bool))}
    for flag, bound in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")):
        if node.get(flag) is True and bound in found:  # 3.0: a flag on the bound
            found[flag] = found.pop(bound)
    return found


def _with_union(own: Shape, kind: str, parts: list[Shape]) -> Shape:
    """``own`` (the union node's other keywords) with its alternatives: null alternatives as
    nullability, nested unions flattened, duplicates dropped, one alternative as itself."""
    nullable, variants, seen, defaults = False, [], set(), []
    for part in parts:
        for variant in part.variants or (part,):
            if variant.is_null:
                nullable = True
                continue
            if variant.default != MISSING:
                defaults.append(variant.default)
            if variant.core().key == ANY.core().key:
                return replace(own, types=None, nullable=True)  # anything at all
            nullable = nullable or variant.nullable or part.nullable
            if variant.core().key not in seen:
                seen.add(variant.core().key)
                variants.append(variant.core())
    if not variants:
        return merge(own, NULL)
    if len(variants) == 1:
        # One alternative is that schema itself, its default included (``anyOf: [{..,
        # default: 1}]`` means ``{.., default: 1}``).
        merged = merge(own, replace(variants[0], default=defaults[0] if len(defaults) == 1
                                    else MISSING))
        return replace(merged, nullable=merged.nullable or nullable)
    types = frozenset().union(*(v.types for v in variants if v.types is not None))
    return replace(own, variants=tuple(variants), union=kind, types=types, nullable=nullable)


def merge(a: Shape, b: Shape) -> Shape:
    """Both at once (``allOf``): every constraint of either holds."""
    if a.variants and not b.variants and _plain(b):
        return replace(a, nullable=a.nullable and b.nullable,
                       default=a.default if a.default != MISSING else b.default)
    if b.variants and not a.variants and _plain(a):
        return replace(b, nullable=a.nullable and b.nullable,
                       default=a.default if a.default != MISSING else b.default,
                       name=b.name or a.name)
    properties = dict(a.properties)
    for name, sub in b.properties.items():
        properties[name] = merge(properties[name], sub) if name in properties else sub
    bounds = dict(a.bounds)
    for key, value in b.bounds.items():
        if key in MAXIMA and key in bounds:
            bounds[key] = min(bounds[key], value)
        elif key in MINIMA and key in bounds:
            bounds[key] = max(bounds[key], value)
        else:
            bounds.setdefault(key, value)
    return Shape(
        types=_both_types(a.types, b.types), nullable=a.nullable and b.nullable,
        format=a.format or b.format,
        enum=a.enum & b.enum if a.enum is not None and b.enum is not None else (
            a.enum if a.enum is not None else b.enum),
        properties=properties, required=a.required | b.required,
        items=_merge_optional(a.items, b.items),
        additional=_merge_optional(a.additional, b.additional), bounds=bounds,
        default=a.default if a.default != MISSING else b.default,
        variants=a.variants or b.variants, union=a.union or b.union,
        name=a.name or b.name, guessed=a.guessed | b.guessed,
        recursive=a.recursive or b.recursive)


def span(union: Shape) -> Shape:
    """What a union of objects allows one property at a time, as one plain object: every
    variant's properties, each admitting what any variant admits for it, required where every
    variant requires it (the plain model a FastAPI backend declares for a discriminated
    union). What it loses is which values go together."""
    variants = union.variants
    names = dict.fromkeys(name for variant in variants for name in variant.properties)
    properties = {name: join([v.properties[name] for v in variants if name in v.properties])
                  for name in names}
    return replace(union, types=frozenset({"object"}), variants=(), union="",
                   properties=properties,
                   required=frozenset.intersection(*(v.required for v in variants)))


def join(shapes: list[Shape]) -> Shape:
    """One schema admitting what any of ``shapes`` admits: equal ones as themselves, ones that
    differ in enum values, nullability or default only as one with every value, else a union
    of them."""
    first = shapes[0]
    if all(shape.key == first.key for shape in shapes):
        return first
    if len({_bare(shape).key for shape in shapes}) == 1:
        enums = [shape.enum for shape in shapes]
        defaults = {canonical(shape.default) for shape in shapes}
        return replace(first, enum=None if None in enums else frozenset().union(*enums),
                       nullable=any(shape.nullable for shape in shapes),
                       default=first.default if len(defaults) == 1 else MISSING)
    return _with_union(ANY, "anyOf", shapes)


def _bare(shape: Shape) -> Shape:
    return replace(shape, enum=None, nullable=False, default=MISSING)


def _plain(shape: Shape) -> bool:
    """Says nothing a union's alternatives would have to take on (annotations, default)."""
    return (shape.types is None and shape.enum is None and not shape.properties
            and not shape.items and not shape.bounds and not shape.format)


def _merge_optional(a: Shape | None, b: Shape | None) -> Shape | None:
    if a is None or b is None:
        return a or b
    return merge(a, b)


def _both_types(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    if a is None or b is None:
        return a if b is None else b
    found = set(a & b)
    if "integer" in a and "number" in b or "number" in a and "integer" in b:
        found.add("integer")  # every integer is a number
    return frozenset(found)


__all__ = ["ANY", "ENUM", "GUESSED", "MISSING", "REPRESENTATION_FORMATS", "VALIDATION", "Reader",
           "Shape", "canonical", "guessed_groups", "join", "mapping", "merge", "sequence", "span"]
