"""The ``billing-mock`` command."""

from __future__ import annotations

import functools
import gc
import importlib
import os
import re
import signal
import warnings

import click

from mockserver.settings import BOUNDS, Settings, redacted_url

# Starlette warns about its test client's transport on import; not a concern of this command.
warnings.filterwarnings("ignore", message=".*httpx2.*")


@click.group()
@click.version_option(package_name="billing-mock")
def main() -> None:
    """Mock server, fixtures and contract checks for the ScaiControl Billing API."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, BOUNDS["port"][1]), default=None,
              help="Port to listen on  [default: 8000]")
@click.option("--seed", type=int, default=None, help="Seed of the default world  [default: 42]")
@click.option("--jwt-secret", default=None,
              help="Check JWT signatures (HS256/384/512) with this secret.")
@click.option("--scenario", default=None,
              help="Load a library scenario (see `billing-mock scenarios`) or a scenario file.")
@click.option("--watch", is_flag=True, help="Reload the scenario file when it changes.")
@click.option("--admin-token", default=None,
              help="Open /_mock/ to any address that sends this bearer token (else loopback only).")
@click.option("--smtp-url", default=None,
              help="Also deliver sent invoices as mail through smtp://host:port.")
@click.option("--access-log", is_flag=True, help="Log every request (slower).")
@click.option("--public-url", default=None,
              help="How browsers reach this server (for hosted provider pages); "
                   "default http://HOST:PORT.")
@click.option("--max-runs", type=click.IntRange(*BOUNDS["max_runs"]), default=None,
              help="Isolated runs (/_runs/{run_id}/...) kept at a time  [default: 100]")
@click.option("--run-idle-seconds", type=click.IntRange(*BOUNDS["run_idle_seconds"]),
              default=None,
              help="Let a run go after this long unused  [default: 1800]")
@click.option("--allowed-hosts", default=None,
              help="More host names /_mock answers to, comma-separated (besides localhost, "
                   "127.0.0.1, ::1, HOST and the public URL's).")
@click.option("--scenario-dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="POST /_mock/scenario may load the scenario files in this directory.")
@click.option("--max-body-bytes", type=click.IntRange(*BOUNDS["max_body_bytes"]), default=None,
              help="Largest request body; a larger one is a 413  [default: 1048576]")
@click.option("--max-header-bytes", type=click.IntRange(*BOUNDS["max_header_bytes"]),
              default=None,
              help="Largest request line and headers; more is a 431  [default: 65536]")
@click.option("--state-file", type=click.Path(dir_okay=False), default=None,
              help="Load the world from this file at start (if it exists) and write it back "
                   "after changes and on shutdown.")
@click.option("--request-timeout", type=click.FloatRange(*BOUNDS["request_timeout"]),
              default=None,
              help="Seconds a client may take to send a whole request  [default: 10]")
@click.option("--state", default=None, metavar="URL",
              help="Where the world is kept: memory (this process, the default), "
                   "redis://HOST:PORT/DB (one world for every worker and replica), or a "
                   "state file's path (as --state-file).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes serving the port, one world among them (needs --state "
                   "redis://...)  [default: 1]")
def serve(host, port, seed, jwt_secret, scenario, watch, admin_token, smtp_url,
          access_log, public_url, allowed_hosts, scenario_dir, max_body_bytes,
          max_header_bytes, request_timeout, state_file, max_runs, run_idle_seconds,
          state, workers) -> None:
    """Serve the mock API at http://HOST:PORT/api/v1."""
    import uvicorn

    from mockserver.app import create_app
    from mockserver.edge.connection import PortInUse, bind_socket, uvicorn_config
    from mockserver.edge.runtime import of as runtime_of
    from mockserver.redisworld import RedisWorldRefused
    from mockserver.scenarios import ScenarioError, watcher
    from mockserver.statefile import StateFileError

    try:
        settings = Settings.from_env(
            host=host, port=port, seed=seed, jwt_secret=jwt_secret, scenario=scenario,
            admin_token=admin_token, smtp_url=smtp_url, public_url=public_url,
            allowed_hosts=allowed_hosts, scenario_dir=scenario_dir,
            max_body_bytes=max_body_bytes, max_header_bytes=max_header_bytes,
            request_timeout=request_timeout, state_file=state_file,
            max_runs=max_runs, run_idle_seconds=run_idle_seconds, state=state,
            workers=workers)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if settings.port == 0:  # a free port is a LiveServer's; a served mock has a known one
        raise click.UsageError("port must be 1 to 65535, not 0 (--port or BILLING_MOCK_PORT)")
    if watch and not settings.scenario:
        raise click.UsageError("--watch needs --scenario")
    if watch and settings.workers > 1:
        raise click.UsageError("--watch reloads the world of one process: use --workers 1 "
                               "(the reload reaches every replica through Redis)")
    # The one bind (SO_REUSEADDR: a restart right after a stop starts at once); uvicorn
    # serves on this socket, so a port free now cannot be taken before it listens.
    try:
        listening = bind_socket(settings.host, settings.port)
    except PortInUse as exc:
        raise click.ClickException(f"{exc.strerror}; choose another with --port") from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from None
    try:
        store = watcher.store_for(settings)
    except ScenarioError as exc:
        raise ScenarioRefused(exc) from None
    if settings.workers > 1:
        try:
            found = _redis_preflight(settings)
        except RedisWorldRefused as exc:
            raise click.ClickException(str(exc)) from None
        _serve_workers(settings, listening, access_log, found)
        return
    try:
        app = create_app(settings, store)
    except (StateFileError, RedisWorldRefused) as exc:
        raise click.ClickException(str(exc)) from None
    runtime = runtime_of(app)
    click.echo(_kept(settings, runtime.backend))
    if watch:
        watcher.watch(settings, runtime.loaded, click.echo)
    served = runtime.store
    if getattr(runtime.backend, "valid", True):
        click.echo(f"billing-mock serving {settings.base_url}/api/v1 "
                   f"(docs {settings.base_url}/api/v1/ui/, seed {served.ids.seed}, "
                   f"world {served.scenario or 'default'})")
        click.echo(f"console: {settings.base_url}/_mock/console")
        click.echo(f"tokens: {', '.join(sorted(served.tokens)[:12])}")
    else:  # the world is Redis's, once it answers
        click.echo(f"billing-mock serving {settings.base_url}/api/v1 "
                   f"(docs {settings.base_url}/api/v1/ui/): 503 until Redis answers")
        click.echo(f"console: {settings.base_url}/_mock/console")
    # The world is built: move it out of the collector's way (no long GC pauses under load).
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(uvicorn_config(app, settings, log_level="info",
                                           access_log=access_log))
    server.run(sockets=[listening])


def _kept(settings: Settings, backend) -> str:
    """Where the world is kept, as the start-up lines say it."""
    kind, target = settings.state_backend
    if kind == "file":
        return (f"state file {target}: "
                f"{'world loaded from it' if backend.loaded else 'new, written after changes'}")
    if kind == "redis":
        how = ("seeded with this server's world" if backend.seeded
               else "the world kept there" if backend.valid else "not reachable yet (503s)")
        return f"state in Redis {redacted_url(target)}: {how}"
    return "state in memory (this process)"


def _redis_preflight(settings: Settings) -> str:
    """What the workers will find in Redis (``RedisBackend.preflight``), asked once before
    they start: a world they must not serve stops the server here, not in every worker."""
    from mockserver.app import backend_for

    backend = backend_for(settings)
    try:
        return backend.preflight()
    finally:
        backend.stop()


def _serve_workers(settings: Settings, listening, access_log: bool, found: str) -> None:
    """``--workers N``: uvicorn's supervisor starts N processes on the bound socket (and
    replaces one that dies); each builds its app and joins the world in Redis."""
    import functools

    from uvicorn.supervisors import Multiprocess

    from mockserver.edge.connection import uvicorn_config

    config = uvicorn_config(functools.partial(worker_app, settings), settings,
                            log_level="info", access_log=access_log, factory=True,
                            workers=settings.workers, served=True)
    how = {"world": "the world kept there",
           "empty": "empty: a worker seeds it with this server's world (unless another "
                    "server does first)",
           "unreachable": "not reachable yet (503s until it is)"}[found]
    shown = redacted_url(settings.state_backend[1])
    click.echo(f"state in Redis {shown}: {how}")
    click.echo(f"billing-mock serving {settings.base_url}/api/v1 with {settings.workers} "
               f"workers, one world in Redis {shown}")
    click.echo(f"console: {settings.base_url}/_mock/console")
    Multiprocess(config, sockets=[listening]).run()


def worker_app(settings: Settings):
    """The app of one worker process of ``--workers N`` (uvicorn calls it there)."""
    from mockserver.app import create_app
    from mockserver.edge.connection import limit_served_protocol

    from mockserver.redisworld import RedisWorldRefused

    limit_served_protocol(settings)
    try:
        app = create_app(settings)
    except RedisWorldRefused as exc:  # found after the server started: it stops, once
        click.echo(f"Error: {exc}", err=True)
        os.kill(os.getppid(), signal.SIGTERM)  # the supervisor would start it again
        raise SystemExit(1) from None
    gc.collect()
    gc.freeze()
    return app


@main.command()
def scenarios() -> None:
    """List the library's named scenarios."""
    from mockserver.scenarios import describe_all

    for entry in describe_all():
        steps = f" [{entry['steps']} replay steps]" if entry["steps"] else ""
        click.echo(f"{entry['name']:<28} {entry['description']}{steps}")


@main.command()
@click.argument("scenario")
@click.option("--base-url", default=None,
              help="API root of the server to replay against, e.g. https://staging/api/v1 "
                   "(default: a mock started with the scenario).")
@click.option("--token", default=None, help="Use this token for every step (a real server's).")
@click.option("--compare-with", default=None,
              help="API root of a second server: run every step against both and report "
                   "every difference; exit 1 when they differ.")
@click.option("--compare-token", default=None,
              help="With --compare-with: the token for every step against that server.")
@click.option("--ignore", "ignored", multiple=True, metavar="PATH",
              help="With --compare-with: leave this field out (data.*.wallet, **.bank_name; "
                   "* is one segment, ** any number). Repeatable.")
@click.option("--admin-token", default=None,
              help="The admin token of a mock started with --admin-token (its control API "
                   "loads the world, moves the clock).")
@click.option("--keep-world", is_flag=True,
              help="Against a mock: replay on the world it has loaded instead of the "
                   "scenario's.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), default=None,
              help="Write the results as JUnit XML.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False), default=None,
              help="With --compare-with: write the differences and both answers as Markdown.")
@click.option("--keep-going", is_flag=True, help="Run every step even after a failure.")
def replay(scenario, base_url, token, compare_with, compare_token, ignored, admin_token,
           keep_world, junit_file, report_file, keep_going) -> None:
    """Run SCENARIO's steps (a library name or a file); exit 1 if an expectation fails, or,
    with --compare-with, if the two servers answer differently."""
    from mockserver.scenarios.targets import TargetRefused

    data, path = _scenario_or_refusal(scenario)
    if not data.get("steps"):
        raise click.UsageError(f"scenario {data['name']!r} has no steps to replay")
    if compare_with is None and (ignored or report_file or compare_token):
        raise click.UsageError("--ignore, --report and --compare-token need --compare-with")
    server = None
    if base_url is None:
        from mockserver.testing import LiveServer

        server = LiveServer(Settings(scenario=str(path))).start()
        base_url = server.api_url
    try:
        if compare_with is None:
            failed = _replay_one(data, base_url, token, admin_token,
                                 keep_world or server is not None, junit_file, keep_going)
        else:
            failed = _compare(data, (base_url, token), (compare_with, compare_token),
                              admin_token, keep_world, ignored, junit_file, report_file)
    except TargetRefused as exc:
        raise UnreachableTarget(str(exc)) from None
    finally:
        if server is not None:
            server.stop()
    if failed:
        raise SystemExit(1)


def _replay_one(data, base_url, token, admin_token, keep_world, junit_file, keep_going):
    from pathlib import Path

    from mockserver.scenarios.replay import Replay, junit_xml

    click.echo(f"replaying {data['name']} ({len(data['steps'])} steps) against {base_url}")
    runner = Replay(data, base_url, token=token, keep_going=keep_going, out=click.echo,
                    admin_token=admin_token, load_world=not keep_world)
    runner.target.check_reachable()
    results = runner.run()
    if junit_file:
        Path(junit_file).write_bytes(junit_xml(data["name"], results))
    return any(r.outcome == "failed" for r in results)


def _compare(data, a, b, admin_token, keep_world, ignored, junit_file, report_file):
    from pathlib import Path

    from mockserver.scenarios.compare import Comparison
    from mockserver.scenarios.compare_report import junit_xml, markdown
    from mockserver.scenarios.targets import Target

    targets = [Target(url, token, admin_token) for url, token in (a, b)]
    click.echo(f"comparing {data['name']} ({len(data['steps'])} steps): A {a[0]}, B {b[0]}")
    for target in targets:
        target.check_reachable()
    results = Comparison(data, *targets, ignore=tuple(ignored), out=click.echo,
                         load_world=not keep_world).run()
    if junit_file:
        Path(junit_file).write_bytes(junit_xml(data["name"], results))
    if report_file:
        Path(report_file).write_text(markdown(data["name"], a[0], b[0], results),
                                     encoding="utf-8")
    return any(r.outcome == "different" for r in results)


def _scenario_or_refusal(name_or_path: str):
    """The checked scenario and its file, or the refusal ``serve`` gives too (exit 2)."""
    from mockserver.scenarios import ScenarioError, load_file, resolve

    try:
        path = resolve(name_or_path)
        return load_file(path), path
    except ScenarioError as exc:
        raise ScenarioRefused(exc) from None


@main.command()
@click.option("--har", "har_file", type=click.Path(dir_okay=False), default=None,
              help="A browser's HAR export of a session (DevTools: Save all as HAR).")
@click.option("--upstream", default=None,
              help="Record as a proxy in front of this server (e.g. https://staging.example.com)"
                   "; stop with Ctrl-C to write the scenario.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="With --upstream: the interface the proxy listens on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="With --upstream: the port the proxy listens on.")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False),
              help="The scenario file to write.")
@click.option("--name", default=None,
              help="The scenario's name  [default: from --out's file name]")
def record(har_file, upstream, host, port, out_file, name) -> None:
    """Turn a recorded session into a scenario: one step per Billing API call, with the
    expectations its answers justify, and no token, card number, IBAN or cookie."""
    from pathlib import Path

    from mockserver.recording import RecordingError, record_har

    if (har_file is None) == (upstream is None):
        raise click.UsageError("give exactly one of --har FILE and --upstream URL")
    name = name or _scenario_name(Path(out_file).stem)
    if not SCENARIO_NAME.fullmatch(name):
        raise click.UsageError(f"--name {name!r}: lower-case letters, digits and dashes, "
                               "up to 63, starting with a letter or digit")
    try:
        if har_file is not None:
            recording = record_har(har_file, name)
        else:
            recording = _record_through_proxy(upstream, host, port, name)
    except RecordingError as exc:
        raise RecordingRefused(str(exc)) from None
    _write_atomically(Path(out_file), recording.text)
    for line in recording.summary():
        click.echo(line)
    click.echo(f"wrote {out_file}; replay it: billing-mock replay {out_file}")


def _record_through_proxy(upstream: str, host: str, port: int, name: str):
    from mockserver.recording import Recorder, finish
    from mockserver.recording.proxy import RecordingProxy, serve

    recorder = Recorder(name, upstream)

    def on_exchange(exchange) -> None:
        click.echo(f"{exchange.method} {exchange.path} -> {exchange.status}: "
                   f"{recorder.add(exchange)}")

    from mockserver.edge.connection import PortInUse, bind_socket

    try:
        proxy = RecordingProxy(upstream, on_exchange)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        listening = bind_socket(host, port)
    except PortInUse as exc:
        raise click.ClickException(f"{exc.strerror}; choose another with --port") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    click.echo(f"recording: point the client at http://{host}:{port} instead of {upstream}; "
               "Ctrl-C writes the scenario")
    serve(proxy, listening)
    return finish(recorder)


SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def _scenario_name(stem: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:63].rstrip("-")
    return cleaned or "recorded"


def _write_atomically(path, text: str) -> None:
    """The whole file or none of it (a half-written scenario would not load)."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@main.command("schemathesis-config")
def schemathesis_config() -> None:
    """Print a schemathesis.toml for plain Schemathesis against /_mock/openapi/billing.json."""
    from mockserver.contract.plain import schemathesis_toml

    click.echo(schemathesis_toml(), nl=False)


class UnreachableTarget(click.ClickException):
    """The server to work against cannot be reached: exit 2, like a usage error."""

    exit_code = 2


class RecordingRefused(click.ClickException):
    """A recording that cannot become a scenario (not a HAR file, ...): exit 2."""

    exit_code = 2


class ScenarioRefused(click.ClickException):
    """A scenario file that does not load: exit 2 from every command, like a usage error."""

    exit_code = 2

    def __init__(self, error: Exception) -> None:
        super().__init__(f"scenario refused:\n{error}")


class MissingExtra(click.ClickException):
    """The command needs an extra this install lacks: exit 2, like a usage error."""

    exit_code = 2


def needs_extra(command: click.Command, extra: str, module: str) -> click.Command:
    """``command``, refusing to run (with what to install) when ``module`` of ``extra`` cannot
    be imported; its ``--help`` names the extra either way."""
    run = command.callback

    @functools.wraps(run)
    def checked(*args, **kwargs):
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise MissingExtra(
                f"billing-mock {command.name} needs the [{extra}] extra, which this install "
                f"lacks ({error}): pip install 'billing-mock[{extra}]' (in a checkout: "
                f"pip install -e '.[{extra}]')") from None
        return run(*args, **kwargs)

    command.callback = checked
    command.help = (f"{command.help or ''}\n\nNeeds the [{extra}] extra: "
                    f"pip install 'billing-mock[{extra}]'.")
    return command


def _register_contract_commands() -> None:
    from mockserver.contract.commands import contract, drift

    main.add_command(needs_extra(contract, "contract", "schemathesis"))
    main.add_command(drift)
    # The printed settings read Schemathesis' own defaults (contract/plain.py).
    needs_extra(schemathesis_config, "contract", "schemathesis")


_register_contract_commands()


from mockserver.testing.export import export_fixtures  # noqa: E402

main.add_command(export_fixtures)

if __name__ == "__main__":
    main()
