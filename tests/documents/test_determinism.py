"""The same invoice always gives the same bytes: no clock, no randomness, in any process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from mockserver.documents import FORMATS, render, required_fields
from tests.documents.samples import sample_invoices

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import hashlib
from mockserver.documents import FORMATS, render, required_fields
from tests.documents.samples import sample_invoices
invoice = sample_invoices()[{index}]
for fmt in FORMATS:
    if not required_fields(invoice, fmt):
        print(fmt, hashlib.sha256(render(invoice, fmt).content).hexdigest())
"""


def digests(index: int) -> dict[str, str]:
    invoice = sample_invoices()[index]
    return {
        fmt: hashlib.sha256(render(invoice, fmt).content).hexdigest()
        for fmt in FORMATS if not required_fields(invoice, fmt)
    }


def test_rendering_twice_gives_identical_bytes():
    for index in (0, 7):
        assert digests(index) == digests(index)


def test_another_process_with_a_fresh_font_cache_gives_identical_bytes(tmp_path):
    # A new process re-prepares the fonts and runs at another wall-clock time.
    env = {**os.environ, "BILLING_MOCK_FONT_CACHE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    code = SCRIPT.format(index=0)
    output = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    other = dict(line.split() for line in output.splitlines())
    assert other == digests(0)
    assert set(other) == {"pdf", "ubl", "cii", "zugferd", "facturx"}


def test_parallel_renders_match_serial_ones():
    # A threaded server renders concurrently: shared fonts, schema and libraries must cope.
    from concurrent.futures import ThreadPoolExecutor

    invoices = sample_invoices()[:4]
    jobs = [(invoice, fmt) for invoice in invoices for fmt in ("pdf", "cii", "facturx")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda job: render(*job).content, jobs))
    assert parallel == [render(*job).content for job in jobs]
