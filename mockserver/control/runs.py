"""Handlers of ``/_mock/runs``: the isolated runs of the server (only at the top, not inside a
run: one run never sees another's)."""

from __future__ import annotations

import secrets

from mockserver.control.access import control_operation
from mockserver.domain.errors import NotFound
from mockserver.edge.envelope import ok


def _top_level(rt) -> None:
    if rt.run_id is not None:
        raise NotFound("Runs are managed at /_mock/runs, not inside a run")


@control_operation(held=False)
def list_runs(rt):
    _top_level(rt)
    runs = rt.runs
    return ok({"runs": runs.describe_all(), "max_runs": runs.max_runs,
               "idle_seconds": runs.idle_seconds}, rt.store.clock.now())


@control_operation(held=False)
def create_run(rt, body=None):
    _top_level(rt)
    run_id = (body or {}).get("id") or f"run_{secrets.token_hex(6)}"
    rt.runs.create(run_id)
    return ok(rt.runs.describe(run_id), rt.store.clock.now(), status=201)


@control_operation(held=False)
def get_run(rt, run_id):
    _top_level(rt)
    return ok(rt.runs.describe(run_id), rt.store.clock.now())


@control_operation(held=False)
def delete_run(rt, run_id):
    _top_level(rt)
    described = rt.runs.describe(run_id)
    rt.runs.delete(run_id)
    return ok(described, rt.store.clock.now())


HANDLERS = {"listRuns": list_runs, "createRun": create_run, "getRun": get_run,
            "deleteRun": delete_run}
