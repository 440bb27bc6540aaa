"""Replaying a scenario's steps against the mock or any server: requests with expectations,
values captured for later steps, and (on the mock) clock moves and hosted-page choices.

Against a mock the scenario's world is loaded first, so the steps start where the file says.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable
from xml.etree import ElementTree

import httpx

from mockserver.scenarios.targets import MISSING, StepFailed, Target, TargetRefused, dig

__all__ = ["Replay", "StepResult", "StepFailed", "TargetRefused", "junit_xml", "dig"]


@dataclass
class StepResult:
    name: str
    outcome: str  # passed | failed | skipped
    message: str = ""
    seconds: float = 0.0


class Replay:
    """Runs ``scenario``'s steps against ``api_url`` (the API root, ``.../api/v1``).

    ``token`` replaces every step's token (a real server's own tokens); ``admin_token`` is
    sent to a mock's control API; ``load_world=False`` replays on the world the mock has.
    """

    def __init__(self, scenario: dict, api_url: str, token: str | None = None, *,
                 keep_going: bool = False, out: Callable[[str], None] = print,
                 client: httpx.Client | None = None, admin_token: str | None = None,
                 load_world: bool = True) -> None:
        self.scenario, self.keep_going, self.out = scenario, keep_going, out
        self.load_world = load_world
        self.target = Target(api_url, token, admin_token,
                             **({"client": client} if client is not None else {}))

    @property
    def client(self) -> httpx.Client:
        return self.target.client

    @property
    def variables(self) -> dict:
        return self.target.variables

    def prepare(self) -> bool:
        """Whether the target is the mock; loads the scenario's world into it unless told not
        to (:class:`TargetRefused` when it cannot)."""
        mock = self.target.is_mock()
        if mock and self.load_world:
            self.out(self.target.load_world(self.scenario))
        return mock

    def run(self) -> list[StepResult]:
        mock = self.prepare()
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
                message = self.target.move_clock(step["clock"])
            else:
                message = self.target.choose_on_page(step["hosted_page"])
            outcome = "passed"
        except StepFailed as failure:
            message, outcome = str(failure), "failed"
        except httpx.HTTPError as exc:
            message, outcome = f"{type(exc).__name__}: {exc}", "failed"
        return StepResult(step["name"], outcome, message, time.perf_counter() - started)

    def _request(self, step: dict) -> str:
        expect = self.target.substitute(step.get("expect", {}))
        spec, answer = self.target.send(step["request"])
        if "status" in expect and answer.status != expect["status"]:
            raise StepFailed(f"expected status {expect['status']}, got {answer.status}: "
                             f"{answer.text[:300]}")
        for path, wanted in expect.get("body", {}).items():
            found = dig(answer.body, path)
            if found != wanted:
                shown = "nothing" if found is MISSING else repr(found)
                raise StepFailed(f"expected {path} = {wanted!r}, got {shown}")
        self.target.capture(step.get("capture", {}), answer)
        return f"{spec['method']} {spec['path']} -> {answer.status}"


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
