"""billing-mock: a stateful mock of the ScaiControl tenant Billing API.

The public surface is small and listed in ``__all__``; it is imported lazily so that the pure
domain (``mockserver.domain``) can be used without loading the web stack.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "Settings", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from mockserver.app import create_app

        return create_app
    if name == "Settings":
        from mockserver.settings import Settings

        return Settings
    raise AttributeError(name)
