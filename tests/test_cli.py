"""The billing-mock command: serve starts, says where, and fails clearly."""

import socket
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.testing.server import free_port


def serve(*args: str):
    """Start ``billing-mock serve`` on a free port; answers (base URL, process)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(port), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{base}/_mock/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    return base, proc


def stop(proc: subprocess.Popen) -> str:
    """Stop the server; answers what it printed."""
    proc.terminate()
    return proc.communicate(timeout=10)[0]


def test_serve_answers_on_api_v1_with_document_docs_and_health():
    base, proc = serve("--seed", "7")
    try:
        headers = {"Authorization": "Bearer demo-token"}
        assert httpx.get(f"{base}/api/v1/billing/invoices", headers=headers).status_code == 200
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"].startswith("ScaiControl")
        assert "swagger" in httpx.get(f"{base}/api/v1/ui/").text.lower()
    finally:
        output = stop(proc)
    assert f"{base}/api/v1" in output
    assert "seed 7, world default" in output


def test_the_banner_names_the_seed_of_the_loaded_scenario():
    """The dunning scenario is built with its own seed (7), whatever ``--seed`` says."""
    base, proc = serve("--scenario", "dunning")
    try:
        assert httpx.get(f"{base}/_mock/health").status_code == 200
    finally:
        output = stop(proc)
    assert "seed 7, world dunning" in output, output


def _serve(port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(port), *options], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _ready(proc: subprocess.Popen, base: str) -> bool:
    for _ in range(300):
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/_mock/health").status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.05)
    return False


def test_serve_restarts_on_the_same_port_while_a_client_kept_its_connection():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = _serve(port)
    assert _ready(first, base)
    kept = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        kept.sendall(b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert kept.recv(100).startswith(b"HTTP/1.1 200")
        first.terminate()  # the server closes the kept connection: TIME_WAIT on its side
        first.communicate(timeout=20)
        second = _serve(port)
        try:
            started = _ready(second, base)
        finally:
            second.terminate()
            output = second.communicate(timeout=20)[0]
        assert started, output
    finally:
        kept.close()


def test_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output


def test_bad_options_are_usage_errors():
    result = CliRunner().invoke(main, ["serve", "--port", "eighty"])
    assert result.exit_code == 2 and "Invalid value for '--port'" in result.output
    result = CliRunner().invoke(main, ["serve"], env={"BILLING_MOCK_SEED": "many"})
    assert result.exit_code == 2 and "BILLING_MOCK_SEED" in result.output


def test_the_readme_lists_every_serve_option_with_its_variable():
    """One table in the README holds every option of ``serve --help``, with the variable of
    each option that is a setting."""
    import re
    from dataclasses import fields
    from pathlib import Path

    from mockserver.settings import Settings

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(--[a-z-]+)` \| (`BILLING_MOCK_[A-Z_]+`|-) \|", readme,
                           re.MULTILINE))
    options = {opt: param.name for param in main.commands["serve"].params
               for opt in param.opts}
    assert sorted(rows) == sorted(options)
    settings = {f.name for f in fields(Settings)}
    for option, name in options.items():
        variable = f"`BILLING_MOCK_{name.upper()}`" if name in settings else "-"
        assert rows[option] == variable, option


def test_limits_come_from_the_environment_and_bad_ones_are_usage_errors():
    from mockserver.settings import Settings

    settings = Settings.from_env({"BILLING_MOCK_REQUEST_TIMEOUT": "2.5",
                                  "BILLING_MOCK_MAX_BODY_BYTES": "2048",
                                  "BILLING_MOCK_ALLOWED_HOSTS": "mock.test"})
    assert (settings.request_timeout, settings.max_body_bytes, settings.allowed_hosts) == (
        2.5, 2048, "mock.test")
    result = CliRunner().invoke(main, ["serve"], env={"BILLING_MOCK_SMTP_DEADLINE": "soon"})
    assert result.exit_code == 2 and "BILLING_MOCK_SMTP_DEADLINE" in result.output
    result = CliRunner().invoke(main, ["serve", "--max-header-bytes", "10"])
    assert result.exit_code == 2 and "--max-header-bytes" in result.output


@pytest.mark.parametrize("variable, value", [
    ("BILLING_MOCK_MAX_BODY_BYTES", "-1"), ("BILLING_MOCK_MAX_BODY_BYTES", "0"),
    ("BILLING_MOCK_MAX_HEADER_BYTES", "10"), ("BILLING_MOCK_OUTBOX_SIZE", "-1"),
    ("BILLING_MOCK_MAX_TENANTS", "-3"), ("BILLING_MOCK_MAX_TENANTS", "0"),
    ("BILLING_MOCK_REQUEST_TIMEOUT", "0"), ("BILLING_MOCK_REQUEST_TIMEOUT", "nan"),
    ("BILLING_MOCK_SMTP_DEADLINE", "-1"), ("BILLING_MOCK_SMTP_DEADLINE", "inf"),
    ("BILLING_MOCK_JOURNAL_BODY_BYTES", "-5"), ("BILLING_MOCK_MAX_RUNS", "10001"),
    ("BILLING_MOCK_RUN_IDLE_SECONDS", "0"), ("BILLING_MOCK_PORT", "70000"),
    ("BILLING_MOCK_PORT", "0"),
])
def test_a_setting_out_of_its_range_is_a_usage_error_naming_the_variable(monkeypatch, variable,
                                                                         value):
    """The environment once bypassed the flags' range checks: every request a 413, a
    traceback at start, a server that never timed anything out."""
    import uvicorn

    def started(*args, **kwargs):
        raise AssertionError("the server started")

    monkeypatch.setattr(uvicorn.Server, "run", started)
    port = [] if variable == "BILLING_MOCK_PORT" else ["--port", str(free_port())]
    result = CliRunner().invoke(main, ["serve", *port], env={variable: value})
    assert result.exit_code == 2, result.output
    assert variable in result.output and "Traceback" not in result.output


def test_the_settings_and_the_flags_share_their_bounds():
    from mockserver.settings import BOUNDS, Settings

    for name, (low, high) in BOUNDS.items():
        with pytest.raises(ValueError, match=f"BILLING_MOCK_{name.upper()}"):
            Settings(**{name: low - 1 if isinstance(low, int) else low / 2})
        if high is not None:
            with pytest.raises(ValueError, match=f"BILLING_MOCK_{name.upper()}"):
                Settings(**{name: high + 1})
    assert Settings(journal_body_bytes=0, max_runs=0).journal_body_bytes == 0
    flags = {p.name: p.type for p in main.commands["serve"].params}
    for name in ("max_body_bytes", "max_header_bytes", "max_runs", "run_idle_seconds",
                 "request_timeout"):
        assert (flags[name].min, flags[name].max) == BOUNDS[name], name


def test_schemathesis_config_prints_the_shipped_toml():
    from pathlib import Path

    result = CliRunner().invoke(main, ["schemathesis-config"])
    shipped = Path(__file__).resolve().parents[1] / "schemathesis.toml"
    assert result.exit_code == 0 and result.output == shipped.read_text(encoding="utf-8")
    assert 'include-name = "POST /api/v1/billing/payment-providers/{slug}/confirm"' in result.output
