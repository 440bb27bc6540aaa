"""What each install brings: ``billing-mock serve`` runs on the base install alone, the
contract and test stacks are extras, and a command that needs an extra says which.

The base install is what pyproject.toml's ``dependencies`` pull in, followed through the
installed distributions' own requirements. A server process that cannot import anything else
(every other installed distribution's modules refuse to import) must still answer every kind
of request; that is the base install, without building a virtualenv in the test.
"""

from __future__ import annotations

import importlib.metadata as metadata
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mockserver.testing.server import free_port

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
# What a fresh virtualenv has before anything is installed into it.
VENV_BASICS = {"pip", "setuptools", "pkg_resources", "_distutils_hack"}

BASE_ONLY = textwrap.dedent("""
    import importlib.abc, sys

    BLOCKED = frozenset(sys.argv[1].split(","))


    class NotInTheBaseInstall(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r} (not in the base install)",
                                          name=name)
            return None


    sys.meta_path.insert(0, NotInTheBaseInstall())
    sys.argv = ["billing-mock", *sys.argv[2:]]
    from mockserver.cli import main

    main()
""")


def closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install, following each one's own requirements
    (billing-mock's own extras, e.g. ``billing-mock[contract]``, from pyproject.toml: the
    installed metadata may be another checkout's)."""
    found: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        if name == "billing-mock":
            extras = PYPROJECT["project"]["optional-dependencies"]
            todo += [Requirement(r) for extra in requirement.extras for r in extras[extra]]
            continue
        if name in found and not requirement.extras:
            continue
        found.add(name)
        for line in metadata.distribution(name).requires or []:
            sub = Requirement(line)
            extras = [""] + sorted(requirement.extras)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                sub.marker = None
                todo.append(sub)
    return found


BASE = closure(PYPROJECT["project"]["dependencies"])


def modules_outside(distributions: set[str]) -> set[str]:
    """Top-level modules of installed distributions that none of ``distributions`` provides."""
    return {module for module, names in metadata.packages_distributions().items()
            if not any(canonicalize_name(n) in distributions for n in names)
            and module not in sys.stdlib_module_names and module not in VENV_BASICS
            and module != "mockserver" and module.isidentifier()}


def test_the_contract_and_test_stacks_are_not_in_the_base_install():
    heavy = {"schemathesis", "pytest", "playwright", "saxonche", "fastapi",
             "openapi-python-client", "pytest-xdist", "aiosmtpd"}
    assert BASE.isdisjoint(heavy), sorted(BASE & heavy)
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"contract", "einvoice", "test"} <= set(extras)
    assert "schemathesis" in closure(extras["contract"])
    assert "schemathesis" in closure(extras["test"])  # the suite runs the contract checks


@pytest.fixture(scope="module")
def base_only_server(tmp_path_factory):
    blocked = modules_outside(BASE)
    assert {"schemathesis", "_pytest", "playwright"} <= blocked  # the blocking is real
    port = free_port()
    state_file = tmp_path_factory.mktemp("base") / "world.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)), "serve", "--port",
         str(port), "--state-file", str(state_file)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/_mock/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base, proc, blocked
    proc.terminate()
    output = proc.communicate(timeout=10)[0]
    assert "not in the base install" not in output, output
    assert state_file.read_text(encoding="utf-8").startswith("{"), output  # written back


def test_serve_answers_every_kind_of_request_on_the_base_install(base_only_server):
    base, proc, _ = base_only_server
    assert proc.poll() is None, proc.communicate()[0]
    api = httpx.Client(base_url=f"{base}/api/v1/billing", timeout=60,
                       headers={"Authorization": "Bearer de-token"})
    invoices = api.get("/invoices").json()["data"]
    invoice = next(i for i in invoices if i["status"] != "void")["id"]
    assert api.get(f"/invoices/{invoice}/pdf").content.startswith(b"%PDF-")
    for fmt, start in (("xrechnung", b"<?xml"), ("cii", b"<?xml"), ("facturx", b"%PDF-")):
        r = api.get(f"/invoices/{invoice}/download", params={"format": fmt})
        assert r.status_code == 200 and r.content.startswith(start), (fmt, r.text[:200])
    assert api.post(f"/invoices/{next(i['id'] for i in invoices if i['status'] == 'sent')}"
                    "/send").status_code == 200
    dynamic = api.get("/overview", headers={"Prefer": "dynamic=true"})
    assert dynamic.status_code == 200 and "data" in dynamic.json()
    setup = api.post("/payment-providers/mollie/setup", json={
        "method_type": "ideal", "return_url": "https://app.example/back"}).json()["data"]
    assert "<form" in httpx.get(setup["redirect_url"]).text
    assert httpx.get(f"{base}/openapi.json").json()["openapi"].startswith("3.1")
    assert httpx.get(f"{base}/_mock/openapi/billing.json").status_code == 200
    assert "swagger" in httpx.get(f"{base}/api/v1/ui/").text.lower()
    assert 'id="runs"' in httpx.get(f"{base}/_mock/console").text
    assert httpx.post(f"{base}/_mock/runs", json={"id": "base"}).status_code == 201
    run = httpx.get(f"{base}/_runs/base/api/v1/billing/invoices",
                    headers={"Authorization": "Bearer demo-token"})
    assert run.status_code == 200 and run.json()["data"]


def test_record_and_replay_run_on_the_base_install(tmp_path):
    blocked = modules_outside(BASE)
    har = Path(__file__).resolve().parent / "recording" / "fixtures" / "mollie-setup.har"
    scenario = tmp_path / "mollie-setup.yaml"
    recorded = subprocess.run(
        [sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)), "record", "--har",
         str(har), "--out", str(scenario)], capture_output=True, text=True, timeout=120)
    assert recorded.returncode == 0 and scenario.exists(), recorded.stdout + recorded.stderr
    replayed = subprocess.run(
        [sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)), "replay", "dunning"],
        capture_output=True, text=True, timeout=120)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "not in the base install" not in replayed.stdout + replayed.stderr


def test_contract_without_its_extra_says_what_to_install(base_only_server):
    base, _, blocked = base_only_server
    result = subprocess.run(
        [sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)), "contract", "--base-url",
         f"{base}/api/v1", "--token", "demo-token"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'billing-mock[contract]'" in result.stderr
    assert "Traceback" not in result.stderr
    helped = subprocess.run([sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)),
                             "contract", "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "billing-mock[contract]" in helped.stdout


def test_schemathesis_config_without_the_contract_extra_says_what_to_install():
    """It reads Schemathesis' own defaults, so it needs the extra, and says so plainly."""
    blocked = modules_outside(BASE)
    result = subprocess.run([sys.executable, "-c", BASE_ONLY, ",".join(sorted(blocked)),
                             "schemathesis-config"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'billing-mock[contract]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_license_is_an_spdx_expression_with_its_file():
    """The form setuptools >= 77 reads without its deprecation warning (the TOML table is
    refused after 2027-02-18)."""
    project, root = PYPROJECT["project"], Path(__file__).resolve().parents[1]
    assert project["license"] == "MIT"
    assert all(list(root.glob(pattern)) for pattern in project["license-files"])
    [setuptools] = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]
                    if Requirement(r).name == "setuptools"]
    assert "77.0.3" in setuptools.specifier and "77.0.2" not in setuptools.specifier
