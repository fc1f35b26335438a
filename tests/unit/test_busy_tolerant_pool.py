"""keys/storage/sql.py ``busy_tolerant``: a busy pool makes a request wait its turn, an outage answers fast.

A pool stand-in (not a database: what is tested is the waiting rule around psycopg_pool's own
``getconn`` and counters) and a stand-in clock, so that nothing here depends on real time."""

from __future__ import annotations

import psycopg_pool
import pytest

from keys.storage.sql import busy_tolerant


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class BusyPool:
    """``getconn`` times out ``busy_for`` times (each costing ``wait`` seconds of the clock), then gives
    a connection; ``lost`` is psycopg_pool's counter of connections found broken."""

    def __init__(self, clock: Clock, busy_for: int, wait: float = 1.0):
        self.clock, self.busy_for, self.wait = clock, busy_for, wait
        self.lost = 0
        self.attempts = 0

    def get_stats(self) -> dict:
        return {"connections_lost": self.lost, "connections_errors": 0}

    def getconn(self, timeout: float | None = None) -> str:
        self.attempts += 1
        if self.attempts <= self.busy_for:
            self.clock.now += self.wait
            raise psycopg_pool.PoolTimeout("couldn't get a connection")
        return "connection"


def test_a_busy_pool_makes_a_request_wait_its_turn():
    clock = Clock()
    pool = busy_tolerant(BusyPool(clock, busy_for=5), busy_wait=30.0, clock=clock)
    assert pool.getconn() == "connection"


def test_a_pool_that_just_lost_a_connection_answers_at_once():
    clock = Clock()
    pool = busy_tolerant(BusyPool(clock, busy_for=5), busy_wait=30.0, clock=clock)
    pool.lost = 1  # PostgreSQL restarting: a connection found broken just now
    with pytest.raises(psycopg_pool.PoolTimeout):
        pool.getconn()
    assert pool.attempts == 1


def test_a_connection_lost_an_hour_ago_does_not_make_a_busy_pool_count_as_failing():
    clock = Clock()
    inner = BusyPool(clock, busy_for=0)
    pool = busy_tolerant(inner, busy_wait=30.0, clock=clock)
    inner.lost = 1  # a restart an hour ago, seen by the requests then
    assert pool.getconn() == "connection"
    clock.now += 3_600
    inner.attempts, inner.busy_for = 0, 5  # now merely busy
    assert pool.getconn() == "connection"


def test_the_wait_of_a_busy_pool_ends_after_its_budget():
    clock = Clock()
    pool = busy_tolerant(BusyPool(clock, busy_for=100), busy_wait=3.0, clock=clock)
    with pytest.raises(psycopg_pool.PoolTimeout):
        pool.getconn()
    assert pool.attempts == 3


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_library_pool_waits_thirty_seconds_in_all_over_the_library_s_ten_attempts(settings):
    """The library retries a failed getconn ten times (eventsourcing.postgres: @retry(...,
    max_attempts=10)); the README promises a busy request waits up to 30 s in all."""
    from trustone.bootstrap import bootstrap

    services = bootstrap(settings)
    try:
        pool = services.registry.factory.datastore.pool
        assert pool.busy_wait * 10 == pytest.approx(30.0)
    finally:
        services.close()
