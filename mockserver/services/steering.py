"""Steering a running world: the providers' scripted outcomes ("the next Stripe confirm
declines") and the behaviours per operation (scripted answers, latency, failure rates), as a
scenario file sets them at load, changed while the world runs. Both belong to the world:
snapshots keep them, a reset goes back to the loaded world's own."""

from __future__ import annotations

from mockserver.domain.errors import LimitReached, NotFound
from mockserver.state import Store

MAX_BEHAVIOURS = 100  # as many as a scenario file may script


def outcomes(store: Store) -> list[dict]:
    """Each provider's queued outcomes (next first) and the outcomes it takes."""
    with store.lock:
        return [{"provider": sim.slug, "queued": list(sim.forced_outcomes()),
                 "outcomes": list(sim.outcomes)} for sim in store.providers]


def queue_outcome(store: Store, provider: str, outcome: str) -> list[dict]:
    with store.lock:
        store.providers.get(provider).force_next_outcome(outcome)
        return outcomes(store)


def clear_outcomes(store: Store, provider: str | None = None) -> list[dict]:
    with store.lock:
        for sim in store.providers:
            if provider is None or sim.slug == provider:
                sim.clear_forced_outcomes()
        if provider is not None:
            store.providers.get(provider)  # an unknown provider is a 404, not a no-op
        return outcomes(store)


def next_behaviour_id(store: Store) -> str:
    with store.lock:
        taken = [int(b.id[4:]) for b in store.behaviours if b.id[4:].isdigit()]
        return f"bhv_{max(taken, default=0) + 1}"


def add_behaviour(store: Store, behaviour) -> None:
    """Add a behaviour (built by the caller from a checked spec), after those there are: the
    first one that matches a request decides it."""
    with store.lock:
        if len(store.behaviours) >= MAX_BEHAVIOURS:
            raise LimitReached(f"A world keeps at most {MAX_BEHAVIOURS} behaviours")
        store.behaviours = [*store.behaviours, behaviour]


def remove_behaviour(store: Store, behaviour_id: str | None = None) -> None:
    """Remove one behaviour by id, or all of them."""
    with store.lock:
        kept = [b for b in store.behaviours if behaviour_id is not None and b.id != behaviour_id]
        if behaviour_id is not None and len(kept) == len(store.behaviours):
            raise NotFound(f"Behaviour '{behaviour_id}' not found")
        store.behaviours = kept


__all__ = ["MAX_BEHAVIOURS", "add_behaviour", "clear_outcomes", "next_behaviour_id",
           "outcomes", "queue_outcome", "remove_behaviour"]
