"""Median render time per document format, uncached and cached, over the sample invoices.

Run from the repository root: ``python bench/render_documents.py [--rounds N]``.
Not a test: it prints figures against the targets and exits 0 either way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "documents")]

from samples import sample_invoices  # noqa: E402

from mockserver.documents import FORMATS, DocumentCache, render, required_fields  # noqa: E402

# Milliseconds: (uncached render, cached lookup).
TARGETS = {"pdf": (50, 2), "ubl": (10, 2), "xrechnung": (10, 2), "cii": (10, 2),
           "zugferd": (150, 2), "facturx": (150, 2)}


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def measure(invoices, fmt: str, rounds: int) -> tuple[float, float, int]:
    """Median ms of a fresh render and of a cached lookup, and how many invoices applied."""
    chosen = [invoice for invoice in invoices if not required_fields(invoice, fmt)]
    cache = DocumentCache()
    fresh, cached = [], []
    for _ in range(rounds):
        for invoice in chosen:
            fresh.append(timed(partial(render, invoice, fmt)))
            cache.get_or_render(invoice, fmt)
            cached.append(timed(partial(cache.get_or_render, invoice, fmt)))
    return statistics.median(fresh), statistics.median(cached), len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    invoices = sample_invoices()
    warm_up = timed(lambda: [render(invoices[0], fmt) for fmt in ("pdf", "cii", "facturx")])
    print(f"process warm-up (font preparation or cache read, first imports): {warm_up:.0f} ms")
    columns = ("invoices", "render ms", "target", "cached ms", "target")
    print(f"{'format':<10}", *(f"{name:>10}" for name in columns))
    for fmt in FORMATS:
        fresh, cached, count = measure(invoices, fmt, rounds)
        fresh_target, cached_target = TARGETS[fmt]
        flag = "" if fresh <= fresh_target and cached <= cached_target else "  (over target)"
        print(f"{fmt:<10} {count:>10} {fresh:>10.2f} {fresh_target:>10} {cached:>10.4f} "
              f"{cached_target:>10}{flag}")


if __name__ == "__main__":
    main()
