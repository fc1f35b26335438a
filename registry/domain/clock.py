"""The one clock: what "now" is, and how a moment is written down.

A service takes a ``Clock`` (``utc_now`` by default) so that a test can set the time; every clock
returns timezone-aware UTC datetimes. Stored moments are ``iso_utc`` text of one fixed width, so
comparing them as strings (in SQL too) compares the moments, identically on SQLite and PostgreSQL.
Plain standard library, so that every layer (the domain, keys/, the applications) can use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]

_ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """Fixed-width UTC text (``2025-03-01T09:00:00.000000Z``), sortable as a string."""
    if moment.tzinfo is None:
        raise ValueError("the clock must return timezone-aware datetimes")
    return moment.astimezone(dt.UTC).strftime(_ISO_UTC)


def parse_iso_utc(text: str) -> dt.datetime:
    """The moment ``iso_utc`` wrote."""
    return dt.datetime.strptime(text, _ISO_UTC).replace(tzinfo=dt.UTC)


class ServiceClock:
    """The services' one clock, made first by the composition root and handed to everything that
    asks what time or day it is; a test sets it once (``services.clock.set(FakeClock(...))``) and
    every application and use case sees the same moment."""

    def __init__(self, source: Clock = utc_now) -> None:
        self._source = source

    def set(self, source: Clock) -> None:
        self._source = source

    @property
    def source(self) -> Clock:
        """The clock set last (a test advances its ``FakeClock`` through it)."""
        return self._source

    def __call__(self) -> dt.datetime:
        return self._source()

    def today(self) -> dt.date:
        return self._source().date()
