"""``billing-mock contract`` and ``billing-mock drift``."""

from __future__ import annotations

import json
from pathlib import Path

import click
import httpx
import yaml

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C


@click.command()
@click.option("--base-url", required=True,
              help="API root as a client configures it, e.g. https://staging.example.com/api/v1")
@click.option("--token", required=True, help="Bearer token of tenant A.")
@click.option("--token-b", default=None,
              help="Bearer token of another tenant B, for the tenant-isolation check.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), default=None)
@click.option("--report", "report_file", type=click.Path(dir_okay=False), default=None,
              help="Markdown report with each finding's request, response and curl line.")
@click.option("--max-examples", type=click.IntRange(1, 10_000), default=25, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--allow-send", is_flag=True,
              help="Also send invoices (POST .../send mails them for real on a real server).")
@click.option("--read-only", is_flag=True,
              help="GET operations only: nothing on the server is changed.")
@click.option("--level", type=click.Choice(["published", "mock"]), default="published",
              show_default=True,
              help="published: hold the server to the published reference and its own "
                   "/openapi.json; where it differs from the mock's guesses, say so without "
                   "failing. mock: also hold it to every guess of the mock.")
def contract(base_url, token, token_b, junit_file, report_file, max_examples, seed, allow_send,
             read_only, level) -> None:
    """Check a Billing API server against the published contract (and the mock's guesses with
    --level mock).

    Exit 0 when clean, 1 with findings, 2 on a usage or connection error (also mid-run, or
    when the tenants could not be put back), 130 when interrupted.
    """
    from mockserver.contract import report
    from mockserver.contract.runner import ContractRun, Unreachable

    run = ContractRun(base_url.rstrip("/"), token, token_b, max_examples, seed, out=click.echo,
                      allow_send=allow_send, read_only=read_only, level=level)
    try:
        run.execute()
    except Unreachable as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        click.echo("interrupted: the tenants' profiles and payment methods were put back; "
                   "no report written", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    click.echo("")
    click.echo(report.summary(run))
    if report_file:
        Path(report_file).write_text(report.markdown(run, base_url), encoding="utf-8")
    if junit_file:
        Path(junit_file).write_bytes(report.junit(run))
    if run.incomplete:
        click.echo(f"Error: the run is incomplete: {run.incomplete}", err=True)
        raise SystemExit(EXIT_USAGE)
    raise SystemExit(EXIT_FINDINGS if run.findings else EXIT_CLEAN)


@click.command()
@click.option("--spec", "spec_location", required=True,
              help="The real server's OpenAPI document: a file, or a URL such as "
                   "https://staging.example.com/openapi.json")
@click.option("--level", "level_name", type=click.Choice(["published", "mock"]),
              default=None,
              help="The mock's document to compare with: the published layer (what "
                   "/openapi.json promises; the default) or the mock's full one, guesses "
                   "included.")
@click.option("--base", "base_location", default=None,
              help="Compare with this document instead of the mock's (a file or a URL), "
                   "e.g. the server's last released /openapi.json; every keyword counts.")
@click.option("--fail-on", "fail_on", type=click.Choice(["error", "warning", "info"],
                                                         case_sensitive=False),
              default="error", show_default=True,
              help="Exit 1 when a change of this level or worse is found (like oasdiff's "
                   "--fail-on; error is a breaking change).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def drift(spec_location, level_name, base_location, fail_on, output) -> None:
    """What changed from the mock's document (the base, what clients were written against),
    or from --base, to a real server's (the revision), each change graded as oasdiff grades
    it.

    Exit 0 when no change reaches --fail-on, 1 when one does, 2 when a document cannot be
    read.
    """
    from mockserver.contract.drift import base_document, compare, failing, text_report

    if base_location is not None and level_name is not None:
        raise click.UsageError("--base replaces the mock's document: give --base or --level")
    base = (_read_document(base_location) if base_location is not None
            else base_document(level_name or "published"))
    changes = compare(base, _read_document(spec_location))
    if output == "json":
        click.echo(json.dumps([change.to_json() for change in changes], indent=2))
    else:
        click.echo(text_report(changes))
    raise SystemExit(EXIT_FINDINGS if failing(changes, fail_on.lower()) else EXIT_CLEAN)


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # an OpenAPI document, not a data dump


def _read_document(location: str) -> dict:
    try:
        return _load(location)
    except (OSError, httpx.HTTPError, yaml.YAMLError, ValueError) as exc:
        click.echo(f"Error: cannot read {location}: {exc}", err=True)
        raise SystemExit(EXIT_USAGE) from None


def _load(location: str) -> dict:
    if location.startswith(("http://", "https://")):
        with httpx.stream("GET", location, timeout=30, follow_redirects=True) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ValueError(f"larger than {MAX_DOCUMENT_BYTES} bytes")
        text = body.decode(response.encoding or "utf-8")
    else:
        path = Path(location)
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ValueError(f"larger than {MAX_DOCUMENT_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        raise ValueError("not an OpenAPI document (no paths)")  # noqa: TRY004 (exit 2)
    return data
