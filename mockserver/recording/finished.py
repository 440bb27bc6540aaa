"""The scenario of a finished recording: the steps, the tenants' starting state, checked as any
scenario file is, dumped as YAML and searched for every secret the recording held."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

import yaml

from mockserver.recording.exchanges import RecordingError
from mockserver.recording.recorder import Recorder
from mockserver.recording.world import StartingState
from mockserver.scenarios import ScenarioError, build_store, parse

HEADER = ("# Recorded by `billing-mock record` from {source}.\n"
          "# Replay it: billing-mock replay THIS_FILE [--base-url URL --token T]\n")
TENANT_PART = re.compile(r"tenants\[(\d+)\](?:\.(\w+))?")
MAX_TRIMS = 50


@dataclass
class Recording:
    """The scenario (as data and as YAML text) and what the conversion did."""

    scenario: dict
    text: str = ""
    api_calls: int = 0
    hosted_steps: int = 0
    dropped: Counter = field(default_factory=Counter)
    redacted: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"{_count(self.api_calls, 'Billing API calls')} -> "
                 f"{_count(len(self.scenario['steps']), 'steps')} "
                 f"({_count(self.hosted_steps, 'hosted-page steps')}), "
                 f"{_count(len(self.scenario.get('tenants', [])), 'tenants')}"]
        if self.dropped:
            lines.append(f"dropped {_count(sum(self.dropped.values()), 'requests')}: "
                         + ", ".join(f"{count} {why}" for why, count in
                                     self.dropped.most_common()))
        redacted = ", ".join(_count(count, kind) for kind, count in sorted(self.redacted.items()))
        lines.append(f"redacted: {redacted or 'nothing'}")
        return lines + [f"warning: {w}" for w in self.warnings]


def finish(recorder: Recorder) -> Recording:
    """The scenario of everything ``recorder`` took, checked as the loader and the world
    builder check any scenario file (a part of the starting state they refuse is left out,
    with a warning)."""
    states = {key: StartingState(recorder.redactor.is_secret) for key in recorder.tenants.keys}
    for call in recorder.calls:
        if call.tenant is not None:
            states[call.tenant].add(call.operation.operation_id, call.path,
                                    call.exchange.status, call.exchange.response_json())
    dropped = sum(recorder.dropped.values())
    scenario: dict[str, Any] = {
        "name": recorder.name,
        "description": f"Recorded from {recorder.source}: "
                       f"{_count(len(recorder.calls), 'Billing API calls')} as steps, "
                       f"{_count(recorder.hosted_steps, 'hosted-page steps')}; "
                       f"{_count(dropped, 'other requests')} dropped.",
    }
    if recorder.first_started is not None:
        start = recorder.first_started.astimezone(timezone.utc).replace(microsecond=0)
        scenario["clock"] = {"start": start.isoformat().replace("+00:00", "Z"),
                             "mode": "frozen"}
    seller = next((s.seller for s in states.values() if s.seller), None)
    if seller:
        scenario["seller"] = seller
    scenario["tenants"] = [{"key": key, "tokens": [recorder.tenants.token_of(key)],
                            **states[key].spec()} for key in recorder.tenants.keys]
    scenario["steps"] = recorder.steps
    warnings = list(recorder.warnings)
    scenario = _checked(scenario, warnings)
    text = HEADER.format(source=recorder.source) + yaml.safe_dump(
        scenario, sort_keys=False, allow_unicode=True, width=100)
    leaks = recorder.redactor.leaks(text)
    if leaks:  # a bug of the recorder: never write such a file
        raise RecordingError(f"the scenario would hold recorded secrets: {', '.join(leaks)}")
    return Recording(scenario, text, len(recorder.calls), recorder.hosted_steps,
                     recorder.dropped, recorder.redactor.counts, warnings)


def _checked(scenario: dict, warnings: list[str]) -> dict:
    for _ in range(MAX_TRIMS):
        try:
            data = parse(scenario, "<recording>")
            build_store(data, source="<recording>")
            return data
        except ScenarioError as error:
            where, problem = error.problems[0]
            part = TENANT_PART.match(where)
            if part and int(part.group(1)) < len(scenario["tenants"]):
                tenant = scenario["tenants"][int(part.group(1))]
                field_name = part.group(2) if part.group(2) in tenant and part.group(2) not in (
                    "key", "tokens") else ("invoices" if "invoices" in tenant else None)
                if field_name is not None:
                    del tenant[field_name]
                    warnings.append(f"{tenant['key']}'s recorded {field_name} left out of the "
                                    f"starting state ({where}: {problem})")
                    continue
            if where.startswith("seller") and "seller" in scenario:
                del scenario["seller"]
                warnings.append(f"the recorded seller left out ({where}: {problem})")
                continue
            raise RecordingError(f"the recorded scenario does not load: {error}") from None
    raise RecordingError("the recorded scenario does not load (too many parts refused)")


def _count(count: int, plural: str) -> str:
    """``1 token``, ``2 tokens``, ``1 hosted-page step`` (every plural here ends in s)."""
    return f"{count} {plural if count != 1 else plural.removesuffix('s')}"
