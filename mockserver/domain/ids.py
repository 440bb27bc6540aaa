"""Prefixed identifiers from a seeded source, so a seed reproduces a world byte for byte."""

from __future__ import annotations

import random
import threading


class IdSource:
    """Makes ids such as ``inv_3f9a0c1d2e4b5a69`` from a seeded random stream.

    ``seed`` is the seed the stream started from (None: unseeded), e.g. for the banner."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """Snapshots keep the random stream's position, so a restore replays the same ids."""
        return {"seed": self.seed, "state": self._random.getstate()}

    def __setstate__(self, state: dict) -> None:
        self.seed = state.get("seed")
        self._random = random.Random()
        self._random.setstate(state["state"])
        self._lock = threading.Lock()

    def new(self, prefix: str, length: int = 16) -> str:
        with self._lock:
            return f"{prefix}_{self._random.getrandbits(length * 4):0{length}x}"

    def token(self, length: int = 24) -> str:
        """A random hex string without prefix (secrets of simulated providers)."""
        with self._lock:
            return f"{self._random.getrandbits(length * 4):0{length}x}"
