"""A clock the tests move by hand (expiry, lockout, deadlines), instead of sleeping."""

from __future__ import annotations

import datetime as dt


class FakeClock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def monday_morning() -> FakeClock:
    return FakeClock(dt.datetime(2025, 3, 3, 9, 0, 0, tzinfo=dt.UTC))
