"""How a contract run reads: a summary table, a Markdown report, JUnit XML."""

from __future__ import annotations

from collections import Counter
from xml.etree import ElementTree

from mockserver.contract.failures import Finding


def summary(run) -> str:
    counts = Counter(f.check for f in run.findings)
    width = max(len(c) for c in run.checks_run()) + 2
    rows = [f"{'check'.ljust(width)}result", f"{'-' * (width - 1)} ------"]
    skipped = getattr(run, "skipped", {})
    for check in run.checks_run():
        found = counts.get(check, 0)
        partly = getattr(run, "partly", {})
        result = f"FAIL {found}" if found else (
            f"skipped: {skipped[check]}" if check in skipped else
            f"ok, partly: {partly[check]}" if check in partly else "ok")
        rows.append(f"{check.ljust(width)}{result}")
    for check in sorted(set(counts) - set(run.checks_run())):
        rows.append(f"{check.ljust(width)}FAIL {counts[check]}")
    guesses = getattr(run, "guesses", [])
    if guesses:
        rows += ["", f"the mock guessed differently ({len(guesses)}; not the server's defects, "
                 "notes for the mock's maintainers):"]
        for check, count in sorted(Counter(g.check for g in guesses).items()):
            first = next(g for g in guesses if g.check == check)
            rows.append(f"  {check} x{count}: {first.operation}: "
                        f"{_one_line(first.message)[:160]}")
    if getattr(run, "incomplete", None):
        rows.append(f"INCOMPLETE: {run.incomplete}")
    rows.append(f"{len(run.findings)} findings at level {getattr(run, 'level', 'mock')}, "
                f"{len(guesses)} guesses differed, {run.cases} generated cases, "
                f"{run.seconds:.1f} s")
    return "\n".join(rows)


def markdown(run, target: str) -> str:
    lines = [f"# Contract report for `{target}`", "",
             f"{len(run.findings)} findings from {run.cases} generated cases and the probes, "
             f"in {run.seconds:.1f} s.", "", "| check | findings |", "| --- | --- |"]
    counts = Counter(f.check for f in run.findings)
    skipped = getattr(run, "skipped", {})
    for check in run.checks_run():
        found = counts.get(check, 0)
        partly = getattr(run, "partly", {})
        shown = (f"skipped: {skipped[check]}" if check in skipped and not found else
                 f"{found} (partly: {partly[check]})" if check in partly else found)
        lines.append(f"| `{check}` | {shown} |")
    documents = getattr(run, "documents", [])
    if documents:
        lines += ["", f"Level `{run.level}`. Requests generated from: "
                  + "; ".join(documents) + "."]
    if run.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in run.notes]
    guesses = getattr(run, "guesses", [])
    if guesses:
        lines += ["", "## The mock guessed differently", "",
                  "Where the server does differently what the mock only guessed (the published "
                  "reference does not fix it). Not a defect of the server: a note for the "
                  "mock's maintainers (`--level mock` counts these as findings).", ""]
        lines += [f"- `{g.check}` on {g.operation}: {_one_line(g.message)[:300]}"
                  for g in guesses]
    for number, finding in enumerate(run.findings, 1):
        against = f" (against {finding.source})" if finding.source else ""
        lines += ["", f"## {number}. `{finding.check}` on {finding.operation}{against}", "",
                  "```", finding.message, "```", "", "Request:", "",
                  f"    {finding.request.get('method', '')} {finding.request.get('url', '')}"]
        if finding.request.get("body"):
            lines += ["", "```json", str(finding.request["body"])[:2000], "```"]
        lines += ["", f"Response: {finding.response.get('status')}", "", "```",
                  str(finding.response.get("body", ""))[:2000], "```", "",
                  "Reproduce:", "", "```sh", finding.curl, "```"]
    return "\n".join(lines) + "\n"


def junit(run) -> bytes:
    by_check: dict[str, list[Finding]] = {}
    for finding in run.findings:
        by_check.setdefault(finding.check, []).append(finding)
    names = run.checks_run() + sorted(set(by_check) - set(run.checks_run()))
    skipped = {c: why for c, why in getattr(run, "skipped", {}).items() if c not in by_check}
    suite = ElementTree.Element("testsuite", name="billing-contract", tests=str(len(names)),
                                failures=str(len(by_check)), skipped=str(len(skipped)),
                                time=f"{run.seconds:.3f}")
    for name in names:
        case = ElementTree.SubElement(suite, "testcase", classname="billing-contract", name=name)
        if name in skipped:
            ElementTree.SubElement(case, "skipped", message=skipped[name])
        elif name in getattr(run, "partly", {}):
            ElementTree.SubElement(case, "system-out").text = f"partly: {run.partly[name]}"
        for finding in by_check.get(name, []):
            failure = ElementTree.SubElement(case, "failure",
                                             message=f"{finding.operation}: "
                                                     f"{finding.message.splitlines()[0][:300]}")
            failure.text = f"{finding.message}\n\n{finding.curl}"
    guesses = getattr(run, "guesses", [])
    if guesses:  # reported, never failed: the server is not at fault
        case = ElementTree.SubElement(suite, "testcase", classname="billing-contract",
                                      name="mock_guessed_differently")
        out = ElementTree.SubElement(case, "system-out")
        out.text = "\n".join(f"{g.check} on {g.operation}: {_one_line(g.message)[:500]}"
                             for g in guesses)
        suite.set("tests", str(len(names) + 1))
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)


def _one_line(message: str) -> str:
    """A message on one line (Schemathesis puts the detail on the lines after the title)."""
    return " ".join(part.strip(" -") for part in message.splitlines() if part.strip(" -"))
