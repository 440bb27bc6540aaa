"""Running a scenario's steps against two servers and listing every way their answers differ:
status, content type, fields present, JSON types and values.

Each server keeps its own captured values, so ids that differ between the two still lead each
to its own next step. Values of volatile fields (ids, timestamps, URLs: see ``volatile.py``) are
not compared, but whether they are there and their types are; ``ignore`` patterns leave whole
fields out (``data.*.wallet``, ``meta``, ``**.bank_name``).
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from mockserver.scenarios.targets import Answer, StepFailed, Target
from mockserver.scenarios.volatile import dotted, is_volatile

MAX_DIFFERENCES = 100  # listed per step; more are counted


@dataclass(frozen=True)
class Difference:
    kind: str  # status | content-type | missing | type | value | error
    path: str
    a: Any
    b: Any

    def describe(self) -> str:
        if self.kind == "missing":
            return f"missing {self.path}: only {'A' if self.b is _ABSENT else 'B'} has it"
        if self.kind == "type":
            return f"type {self.path}: A {json_type(self.a)}, B {json_type(self.b)}"
        return f"{self.kind} {self.path}: A {_short(self.a)}, B {_short(self.b)}"


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT = _Absent()


@dataclass
class StepComparison:
    name: str
    outcome: str  # same | different | skipped
    differences: list[Difference] = field(default_factory=list)
    more: int = 0  # differences beyond MAX_DIFFERENCES
    a: Answer | None = None
    b: Answer | None = None
    note: str = ""
    seconds: float = 0.0


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__)


def pattern_matches(pattern: str, path: tuple) -> bool:
    """``*`` is one segment (or part of one: ``*_url``), ``**`` any number of segments."""
    def match(parts: list[str], segments: list[str]) -> bool:
        if not parts:
            return not segments
        if parts[0] == "**":
            return any(match(parts[1:], segments[i:]) for i in range(len(segments) + 1))
        return bool(segments) and fnmatch.fnmatchcase(segments[0], parts[0]) and match(
            parts[1:], segments[1:])

    return match(pattern.split("."), [str(p) for p in path])


def differences(a: Answer, b: Answer, ignore: tuple[str, ...] = ()) -> list[Difference]:
    found: list[Difference] = []
    if a.status != b.status:
        found.append(Difference("status", "(status)", a.status, b.status))
    if a.content_type != b.content_type:
        found.append(Difference("content-type", "(content type)", a.content_type,
                                b.content_type))
    if a.body is not None or b.body is not None:
        _walk((), a.body, b.body, ignore, found)
    return found


def _walk(path: tuple, a: Any, b: Any, ignore: tuple[str, ...], found: list) -> None:
    if any(pattern_matches(p, path) for p in ignore):
        return
    if a is _ABSENT or b is _ABSENT:
        found.append(Difference("missing", dotted(path), a, b))
        return
    if json_type(a) != json_type(b):
        found.append(Difference("type", dotted(path) or "(body)", a, b))
        return
    if isinstance(a, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            _walk((*path, key), a.get(key, _ABSENT), b.get(key, _ABSENT), ignore, found)
    elif isinstance(a, list):
        for i in range(max(len(a), len(b))):
            _walk((*path, i), a[i] if i < len(a) else _ABSENT, b[i] if i < len(b) else _ABSENT,
                  ignore, found)
    elif a != b and not is_volatile(path, a) and not is_volatile(path, b):
        found.append(Difference("value", dotted(path), a, b))


class Comparison:
    """The steps of ``scenario`` against ``a`` and ``b``; mocks get the scenario's world first
    (unless ``load_world`` is False)."""

    def __init__(self, scenario: dict, a: Target, b: Target, *, ignore: tuple[str, ...] = (),
                 out: Callable[[str], None] = print, load_world: bool = True) -> None:
        self.scenario, self.a, self.b, self.ignore = scenario, a, b, tuple(ignore)
        self.out, self.load_world = out, load_world

    def run(self) -> list[StepComparison]:
        mocks = {}
        for side, target in (("A", self.a), ("B", self.b)):
            mocks[side] = target.is_mock()
            if mocks[side] and self.load_world:
                self.out(f"{side}: {target.load_world(self.scenario)}")
        steps = self.scenario.get("steps", [])
        results = []
        for index, step in enumerate(steps, 1):
            started = time.perf_counter()
            result = (self._request(step) if "request" in step else self._control(step, mocks))
            result.seconds = time.perf_counter() - started
            results.append(result)
            self.out(_line(index, len(steps), result))
        counts = {k: sum(r.outcome == k for r in results) for k in ("same", "different",
                                                                    "skipped")}
        self.out(f"{counts['same']} same, {counts['different']} different, "
                 f"{counts['skipped']} skipped")
        return results

    def _request(self, step: dict) -> StepComparison:
        answers, errors = {}, {}
        for side, target in (("A", self.a), ("B", self.b)):
            try:
                answers[side] = target.send(step["request"])[1]
                target.capture(step.get("capture", {}), answers[side])
            except (StepFailed, httpx.HTTPError) as exc:
                errors[side] = str(exc) or type(exc).__name__
        found = [Difference("error", "(step)", errors.get("A", "ok"), errors.get("B", "ok"))
                 ] if errors.get("A") != errors.get("B") else []
        if "A" in answers and "B" in answers:
            found += differences(answers["A"], answers["B"], self.ignore)
        note = "; ".join(f"{side}: {message}" for side, message in errors.items())
        if not found:  # only the answers of steps that differ are shown, so only those kept
            return StepComparison(step["name"], "same", note=note)
        return StepComparison(step["name"], "different", found[:MAX_DIFFERENCES],
                              max(0, len(found) - MAX_DIFFERENCES), answers.get("A"),
                              answers.get("B"), note)

    def _control(self, step: dict, mocks: dict[str, bool]) -> StepComparison:
        if not any(mocks.values()):
            return StepComparison(step["name"], "skipped", note="needs the mock's control API")
        done = {}
        for side, target in (("A", self.a), ("B", self.b)):
            if not mocks[side]:
                done[side] = "skipped (not the mock)"
                continue
            try:
                done[side] = (target.move_clock(step["clock"]) if "clock" in step
                              else target.choose_on_page(step["hosted_page"]))
            except (StepFailed, httpx.HTTPError) as exc:
                done[side] = f"failed: {exc}"
        failed = {side for side, message in done.items() if message.startswith("failed")}
        found = [Difference("error", "(step)", done["A"], done["B"])] if len(failed) == 1 else []
        note = "; ".join(f"{side}: {message}" for side, message in done.items())
        return StepComparison(step["name"], "different" if found else "same", found, note=note)


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _line(index: int, total: int, result: StepComparison) -> str:
    mark = {"same": "SAME", "different": "DIFF", "skipped": "SKIP"}[result.outcome]
    head = f"[{index}/{total}] {mark} {result.name} ({result.seconds * 1000:.0f} ms)"
    if result.outcome == "different":
        count = len(result.differences) + result.more
        lines = [f"{head}: {count} difference{'s' * (count != 1)}"]
        lines += [f"    {d.describe()}" for d in result.differences]
        if result.more:
            lines.append(f"    ... and {result.more} more")
        return "\n".join(lines)
    return head + (f": {result.note}" if result.note else "")
