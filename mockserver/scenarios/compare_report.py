"""The reports of a comparison: Markdown for people, JUnit XML for CI. Both say, per step, what
differed and show both answers (each cut at ``MAX_SHOWN`` characters)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from mockserver.scenarios.compare import StepComparison
from mockserver.scenarios.targets import Answer

MAX_SHOWN = 4000


def shown(answer: Answer | None) -> str:
    """An answer as a reader wants to see it: status, content type, the body pretty-printed."""
    if answer is None:
        return "(no answer)"
    if answer.body is not None:
        body = json.dumps(answer.body, indent=2, ensure_ascii=False)
    else:
        body = answer.text or f"({answer.content_type or 'no'} body, not shown)"
    if len(body) > MAX_SHOWN:
        body = body[:MAX_SHOWN] + f"\n... ({len(body) - MAX_SHOWN} more characters)"
    return f"{answer.status} {answer.content_type}\n{body}"


def markdown(name: str, a_url: str, b_url: str, results: list[StepComparison]) -> str:
    different = [r for r in results if r.outcome == "different"]
    lines = [f"# Comparison of scenario `{name}`", "",
             f"- A: `{a_url}`", f"- B: `{b_url}`",
             f"- {len(results)} steps: {len(results) - len(different)} without differences, "
             f"{len(different)} with", "",
             "| # | step | outcome | differences |", "| --- | --- | --- | --- |"]
    for index, result in enumerate(results, 1):
        count = len(result.differences) + result.more
        lines.append(f"| {index} | {_cell(result.name)} | {result.outcome} | "
                     f"{count if result.outcome == 'different' else ''} |")
    for index, result in enumerate(results, 1):
        if result.outcome != "different":
            continue
        lines += ["", f"## {index}. {result.name}", "",
                  "| what | field | A | B |", "| --- | --- | --- | --- |"]
        lines += [f"| {d.kind} | `{d.path}` | {_cell(repr(d.a))} | {_cell(repr(d.b))} |"
                  for d in result.differences]
        if result.more:
            lines.append(f"| ... | {result.more} more | | |")
        if result.note:
            lines += ["", result.note]
        for side, answer in (("A", result.a), ("B", result.b)):
            if answer is not None:
                lines += ["", f"{side} answered:", "", "```", shown(answer), "```"]
    return "\n".join(lines) + "\n"


def junit_xml(name: str, results: list[StepComparison]) -> bytes:
    suite = ElementTree.Element(
        "testsuite", name=f"compare.{name}", tests=str(len(results)),
        failures=str(sum(r.outcome == "different" for r in results)),
        skipped=str(sum(r.outcome == "skipped" for r in results)),
        time=f"{sum(r.seconds for r in results):.3f}")
    for result in results:
        case = ElementTree.SubElement(suite, "testcase", classname=f"compare.{name}",
                                      name=result.name, time=f"{result.seconds:.3f}")
        if result.outcome == "different":
            listed = [d.describe() for d in result.differences]
            if result.more:
                listed.append(f"... and {result.more} more")
            text = "\n".join([*listed, "", f"A answered:\n{shown(result.a)}", "",
                              f"B answered:\n{shown(result.b)}"])
            ElementTree.SubElement(case, "failure", message="; ".join(listed)[:500]).text = text
        elif result.outcome == "skipped":
            ElementTree.SubElement(case, "skipped", message=result.note)
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 200 else text[:200] + "..."
