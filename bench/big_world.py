"""Serve a large world: N tenants x M invoices, built in-process through the real domain.

Run from the repository root:
``python bench/big_world.py --tenants 1000 --invoices 50 --port 8000``

The world is a scenario *dict* handed to ``mockserver.scenarios.builder.build_store`` (the path
``billing-mock serve --scenario`` takes, without writing or parsing a huge YAML file), so the
invoices go through finalize/walk_to and the store remembers its start (``mark_start``) exactly
as a scenario-loaded server does. Tenant ``i`` answers to the token ``bench-token-<i>``.

Prints one line ``BIGWORLD {json}`` with build timings and RSS before and after ``mark_start``,
then serves with uvicorn as ``billing-mock serve`` does (same ``uvicorn.run`` options).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATUSES = ("paid", "paid", "paid", "void", "paid", "sent", "past_due", "finalized")


def rss_kib(pid: str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def scenario(tenants: int, invoices: int) -> dict:
    """A scenario dict: every tenant with a profile, a card and ``invoices`` monthly invoices."""
    start = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)
    return {"name": f"bench-{tenants}x{invoices}", "seed": 7,
            "clock": {"start": start.isoformat(), "mode": "frozen"},
            # One tenant's spec at a time: what is measured is the loaded world, not the dict
            # it was described in.
            "tenants": (_tenant_spec(t, invoices) for t in range(tenants))}


def _tenant_spec(t: int, invoices: int) -> dict:
    if True:
        items = []
        for i in range(invoices):
            months_back = invoices - i
            issued = (date(2026, 3, 1) - timedelta(days=30 * months_back)).replace(day=1)
            status = "finalized" if i == invoices - 1 else STATUSES[i % len(STATUSES)]
            items.append({
                "issued_at": f"{issued.isoformat()}T06:00:00+00:00",
                "lines": [
                    {"description": "ScaiGrid Pro (monthly)", "unit_price_cents": 4900},
                    {"description": "ScaiGrid Pro: api_calls (calls)",
                     "quantity": str(10 + (t + i) % 90), "unit_price_cents": 20},
                    {"description": "ScaiKey Starter (monthly)", "unit_price_cents": 1900},
                ],
                "status": status,
            })
        return {
            "key": f"t{t:04d}",
            "tokens": [f"bench-token-{t}"],
            "profile": {
                "company_name": f"Bench Tenant {t} B.V.", "address_line1": f"Damrak {t + 1}",
                "postal_code": "1012 LG", "city": "Amsterdam", "country_code": "NL",
                "vat_number": "NL812345678B01", "contact_email": f"ap{t}@bench.example",
                "is_business": True, "preferred_einvoice_format": "ubl",
                "preferred_language": "nl",
            },
            "payment_methods": [{"provider": "stripe", "type": "card", "default": True}],
            "invoices": items,
        }


def build(tenants: int, invoices: int):
    from mockserver.scenarios import builder
    from mockserver.state import Store

    report = {"rss_before_kib": rss_kib()}
    started = time.perf_counter()
    world = scenario(tenants, invoices)
    marked = {}
    original_mark_start = Store.mark_start

    def timed_mark_start(self):  # measure the start snapshot separately (no behaviour change)
        marked["rss_before_mark_kib"] = rss_kib()
        t0 = time.perf_counter()
        original_mark_start(self)
        marked["mark_start_s"] = round(time.perf_counter() - t0, 3)

    Store.mark_start = timed_mark_start
    try:
        store = builder.build_store(world)
    finally:
        Store.mark_start = original_mark_start
    del world
    report.update(marked)
    report["build_s"] = round(time.perf_counter() - started, 3)
    report["rss_after_build_kib"] = rss_kib()
    report["invoices"] = sum(len(t.invoices) for t in store.tenants.values())
    report["tenants"] = len(store.tenants)
    return store, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=50)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="build, report and exit")
    args = parser.parse_args()

    import gc

    from mockserver.app import create_app
    from mockserver.settings import Settings

    store, report = build(args.tenants, args.invoices)
    settings = Settings(port=args.port, max_tenants=max(10_000, args.tenants + 10))
    app = create_app(settings, store)
    gc.collect()
    gc.freeze()  # as `billing-mock serve` does
    report["rss_app_ready_kib"] = rss_kib()
    print("BIGWORLD " + json.dumps(report), flush=True)
    if args.no_serve:
        return
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
