"""Replaying a scenario's steps against the mock or any server: requests with expectations,
values captured for later steps, and (on the mock) clock moves and hosted-page choices."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from xml.etree import ElementTree

import httpx

VARIABLE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")
MISSING = object()
MAX_CLOCK_CALLS = 100  # a clock step that stops at the event bound is carried on at most this often


@dataclass
class StepResult:
    name: str
    outcome: str  # passed | failed | skipped
    message: str = ""
    seconds: float = 0.0


@dataclass
class Replay:
    """Runs ``steps`` against ``api_url`` (the API root, ``.../api/v1``)."""

    scenario: dict
    api_url: str
    token: str | None = None  # replaces every step's token (a real server's own tokens)
    keep_going: bool = False
    out: Callable[[str], None] = print
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return re.sub(r"/api/v1/?$", "", self.api_url.rstrip("/"))

    def is_mock(self) -> bool:
        try:
            r = self.client.get(f"{self.origin}/_mock/health")
            return r.status_code == 200 and r.json().get("status") == "ok"
        except (httpx.HTTPError, ValueError):
            return False

    def run(self) -> list[StepResult]:
        mock = self.is_mock()
        steps = self.scenario.get("steps", [])
        results: list[StepResult] = []
        for index, step in enumerate(steps, 1):
            failed_before = any(r.outcome == "failed" for r in results)
            if failed_before and not self.keep_going:
                results.append(StepResult(step["name"], "skipped", "an earlier step failed"))
            else:
                results.append(self._timed(step, mock))
            self.out(_line(index, len(steps), results[-1]))
        counts = {k: sum(r.outcome == k for r in results) for k in ("passed", "failed",
                                                                    "skipped")}
        self.out(f"{counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['skipped']} skipped")
        return results

    def _timed(self, step: dict, mock: bool) -> StepResult:
        started = time.perf_counter()
        try:
            if "request" in step:
                message = self._request(step)
            elif not mock:
                return StepResult(step["name"], "skipped", "needs the mock's control API")
            elif "clock" in step:
                message = self._clock(step["clock"])
            else:
                message = self._hosted_page(step["hosted_page"])
            outcome = "passed"
        except StepFailed as failure:
            message, outcome = str(failure), "failed"
        except httpx.HTTPError as exc:
            message, outcome = f"{type(exc).__name__}: {exc}", "failed"
        return StepResult(step["name"], outcome, message, time.perf_counter() - started)

    def _request(self, step: dict) -> str:
        spec = self._substitute(step["request"])
        token = self.token or spec.get("token")
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
                   **spec.get("headers", {})}
        r = self.client.request(spec["method"], self.api_url.rstrip("/") + spec["path"],
                                params=spec.get("query"), json=spec.get("json"),
                                headers=headers)
        body = _json(r)
        expect = self._substitute(step.get("expect", {}))
        if "status" in expect and r.status_code != expect["status"]:
            raise StepFailed(f"expected status {expect['status']}, got {r.status_code}: "
                             f"{r.text[:300]}")
        for path, wanted in expect.get("body", {}).items():
            found = dig(body, path)
            if found != wanted:
                shown = "nothing" if found is MISSING else repr(found)
                raise StepFailed(f"expected {path} = {wanted!r}, got {shown}")
        for name, path in step.get("capture", {}).items():
            found = dig(body, path)
            if found is MISSING:
                raise StepFailed(f"cannot capture {name}: no {path} in the answer")
            self.variables[name] = found
        return f"{spec['method']} {spec['path']} -> {r.status_code}"

    def _clock(self, spec: dict) -> str:
        if "set" in spec:
            r = self.client.post(f"{self.origin}/_mock/clock/set", json={"now": spec["set"]})
        else:
            r = self.client.post(f"{self.origin}/_mock/clock/advance", json=spec["advance"])
        events = 0
        for _ in range(MAX_CLOCK_CALLS):
            if r.status_code != 200:
                raise StepFailed(f"clock move refused ({r.status_code}): {r.text[:300]}")
            data = r.json()["data"]
            events += len(data["events"])
            if data.get("complete", True):
                return f"clock now {data['now']} ({events} events)"
            # Stopped at the mock's event bound: carry on to where the step asked.
            r = self.client.post(f"{self.origin}/_mock/clock/set",
                                 json={"now": data["requested"]})
        raise StepFailed(f"the clock did not reach its target in {MAX_CLOCK_CALLS} moves")

    def _hosted_page(self, spec: dict) -> str:
        spec = self._substitute(spec)
        r = self.client.post(spec["url"], data={"choice": spec["choice"]},
                             follow_redirects=False)
        if r.status_code != 303:
            raise StepFailed(f"hosted page answered {r.status_code}: {r.text[:200]}")
        return f"chose {spec['choice']!r}, back to {r.headers['location']}"

    def _substitute(self, value):
        if isinstance(value, str):
            whole = VARIABLE.fullmatch(value)
            if whole:
                return self._variable(whole.group(1))
            return VARIABLE.sub(lambda m: str(self._variable(m.group(1))), value)
        if isinstance(value, dict):
            return {k: self._substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._substitute(v) for v in value]
        return value

    def _variable(self, name: str):
        if name not in self.variables:
            raise StepFailed(f"no value captured for ${{{name}}}")
        return self.variables[name]


class StepFailed(Exception):
    pass


def dig(body, path: str):
    """``data.0.status`` in a JSON answer, or MISSING."""
    found = body
    for part in path.split("."):
        if isinstance(found, list) and part.lstrip("-").isdigit() and -len(found) <= int(
                part) < len(found):
            found = found[int(part)]
        elif isinstance(found, dict) and part in found:
            found = found[part]
        else:
            return MISSING
    return found


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _line(index: int, total: int, result: StepResult) -> str:
    mark = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}[result.outcome]
    return f"[{index}/{total}] {mark} {result.name} ({result.seconds * 1000:.0f} ms)" + (
        f": {result.message}" if result.message else "")


def junit_xml(scenario_name: str, results: list[StepResult]) -> bytes:
    suite = ElementTree.Element("testsuite", name=f"replay.{scenario_name}",
                                tests=str(len(results)),
                                failures=str(sum(r.outcome == "failed" for r in results)),
                                skipped=str(sum(r.outcome == "skipped" for r in results)),
                                time=f"{sum(r.seconds for r in results):.3f}")
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", classname=f"replay.{scenario_name}",
                                      name=result.name, time=f"{result.seconds:.3f}")
        if result.outcome == "failed":
            ElementTree.SubElement(case, "failure", message=result.message[:500]).text = (
                result.message)
        elif result.outcome == "skipped":
            ElementTree.SubElement(case, "skipped", message=result.message)
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)
