"""Provider setup sessions in a recording, and the customer's choice on a hosted page.

A recording rarely holds the choice itself: the mock's own pages post it (form field
``choice``), but a real provider's page posts elsewhere, and a recording proxy sees no page at
all. The confirm that follows shows what the customer did, though: Mollie's ``paid`` gives a
method, ``failed`` a 402 ``setup_failed``, Stripe's completed 3-D Secure a method after a 409
``requires_action``. That answer names the choice the mock's hosted page needs to take the same
path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockserver.providers import PAGE_PATHS, CryptoSimulation, MollieSimulation

HOSTED = {"mollie": MollieSimulation, "crypto": CryptoSimulation}
PAGE_PATTERNS = {slug: re.compile(re.escape(path).replace(r"\{session_id\}", "([^/]+)") + "$")
                 for slug, path in PAGE_PATHS.items()}


def page_of(path: str) -> tuple[str, str] | None:
    """(provider, session id) of a hosted page of the mock at ``path``."""
    for slug, pattern in PAGE_PATTERNS.items():
        found = pattern.search(path)
        if found:
            return slug, found.group(1)
    return None


@dataclass
class Outcome:
    """What a confirm answered, in the words of the provider simulations."""

    status: int
    state: str | None = None  # the session's state (pending states, expired)
    reason: str | None = None  # a decline's or an expiry's reason

    @classmethod
    def of(cls, status: int, body) -> "Outcome":
        details = {}
        if isinstance(body, dict):
            details = ((body.get("error") or {}).get("details") or {})
        return cls(status, details.get("state"), details.get("reason"))


@dataclass
class Session:
    provider: str
    setup_step: int  # index of the setup's step
    body_recorded: bool
    ids: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    page: str | None = None  # the latest page URL an answer gave
    last: Outcome | None = None
    chose: bool = False  # a choice was made since the last confirm

    def show(self, url: str) -> None:
        self.urls.add(url)
        self.page = url


def inferred_choice(provider: str, previous: Outcome | None, current: Outcome) -> str | None:
    """The hosted page choice that takes a session from ``previous`` to ``current``, or None
    when the answer needs no choice (or no page can give it)."""
    if provider == "stripe":
        if previous is None or previous.state != "requires_action":
            return None
        if current.status == 200:
            return "complete"
        return "fail" if current.reason == "authentication_failed" else None
    simulation = HOSTED.get(provider)
    if simulation is None:
        return None
    state = _state(simulation, current)
    if state is None or state == simulation.initial_state:
        return None
    if previous is not None and _state(simulation, previous) == state:
        return None  # the same outcome again: nothing new happened on the page
    by_state = {value: choice for choice, value in simulation.choice_states.items()}
    return by_state.get(state)


def _state(simulation, outcome: Outcome) -> str | None:
    if outcome.status == 200:
        return simulation.success_state
    if outcome.status == 402:
        return next((state for state, (reason, _) in simulation.declines.items()
                     if reason == outcome.reason), None)
    if outcome.status == 409:
        return "expired" if outcome.reason == simulation.expired_reason else outcome.state
    return None
