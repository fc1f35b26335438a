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
