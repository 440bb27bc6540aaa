"""The one server an xdist controller serves to all its workers when tests get runs
(``--billing-mock-runs``): started on the first worker's start, stopped with the session."""

from __future__ import annotations

import pytest

from mockserver.settings import Settings

_KEY = pytest.StashKey["object"]()


def controller_server(config: pytest.Config):
    """The controller's server (started on first use). Its settings come from the
    ``BILLING_MOCK_*`` environment: the workers' ``billing_mock_settings`` fixture is theirs,
    and its scenario is loaded into each run."""
    server = config.stash.get(_KEY, None)
    if server is None:
        from mockserver.testing.server import LiveServer

        server = config.stash[_KEY] = LiveServer(Settings.from_env()).start()
    return server


def stop_controller_server(config: pytest.Config) -> None:
    server = config.stash.get(_KEY, None)
    if server is not None:
        del config.stash[_KEY]
        server.stop()
