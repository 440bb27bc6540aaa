"""The billing-mock command: serve starts, says where, and fails clearly."""

import socket
import subprocess
import sys
import time

import httpx
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.testing.server import free_port


def test_serve_answers_on_api_v1_with_document_docs_and_health():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(port), "--seed", "7"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/_mock/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        headers = {"Authorization": "Bearer demo-token"}
        assert httpx.get(f"{base}/api/v1/billing/invoices", headers=headers).status_code == 200
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"].startswith("ScaiControl")
        assert "swagger" in httpx.get(f"{base}/api/v1/ui/").text.lower()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert f"{base}/api/v1" in output


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


def test_schemathesis_config_prints_the_shipped_toml():
    from pathlib import Path

    result = CliRunner().invoke(main, ["schemathesis-config"])
    shipped = Path(__file__).resolve().parents[1] / "schemathesis.toml"
    assert result.exit_code == 0 and result.output == shipped.read_text(encoding="utf-8")
    assert 'include-name = "POST /api/v1/billing/payment-providers/{slug}/confirm"' in result.output
