"""The one source of "now" for the whole domain.

The domain never calls ``datetime.now()`` itself: it asks a :class:`Clock`, so a test or a
scenario can freeze time, set it, or move it forward and get the same world every time.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Callable, Literal

ClockMode = Literal["running", "frozen"]

# The instants a world's clock may show. Past year 9999 no date can even be written (a due
# date, a period end or a month's move from there overflows); before 1970 no world of the mock
# starts. What comes in (a clock set, a scenario's dates, a state file) is held to this range,
# and so is every move, with room to spare at the end for what the billing cycle looks ahead.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)
RANGE = "1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z"


def in_range(instant: datetime) -> bool:
    """Whether ``instant`` lies in the clock's range (``EARLIEST`` to ``LATEST``, both in)."""
    return EARLIEST <= utc(instant) <= LATEST


def real_time() -> datetime:
    """The wall clock, in UTC (the default source of a running clock)."""
    return datetime.now(timezone.utc)


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class Clock:
    """A settable clock.

    ``running`` mode follows real time from an offset; ``frozen`` mode stands still until it is
    set or advanced. By default it runs at real time.
    """

    def __init__(
        self,
        start: datetime | None = None,
        mode: ClockMode = "running",
        source: Callable[[], datetime] | None = None,
    ) -> None:
        self._source = source or real_time
        self._lock = threading.Lock()
        self._mode: ClockMode = mode
        self._frozen_at = utc(start) if start else self._source()
        self._offset = timedelta(0)
        if start and mode == "running":
            self._offset = self._frozen_at - self._source()

    def __getstate__(self) -> dict:
        """Snapshots keep the clock's state, not its lock."""
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def mode(self) -> ClockMode:
        return self._mode

    def now(self) -> datetime:
        """The current instant, aware and in UTC, truncated to microseconds."""
        with self._lock:
            if self._mode == "frozen":
                return self._frozen_at
            return self._source() + self._offset

    def set(self, instant: datetime, mode: ClockMode | None = None) -> datetime:
        """Jump to ``instant``; optionally switch mode. Returns the new now."""
        instant = utc(instant)
        with self._lock:
            self._mode = mode or self._mode
            self._frozen_at = instant
            # A frozen clock keeps no tie to the wall clock, so its state (and a snapshot of a
            # world that holds it) is the same whenever it was set.
            self._offset = instant - self._source() if self._mode == "running" else timedelta(0)
        return instant

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (never backwards). Returns the new now."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        return self.set(self.now() + delta)
