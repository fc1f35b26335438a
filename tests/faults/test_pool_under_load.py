"""A pool whose connections are all busy is load, not an outage: a request waits its turn.

Found by the 10x bench on PostgreSQL: 20 clients against two workers got 113 answers 503
"storage_unavailable", because the wait for a pooled connection was cut short (so that an outage is
answered fast) and a busy pool looked like a dead one. Run against the shared test cluster: nothing
is stopped here (the outage itself is tests/faults/test_postgres_outage.py).
"""

from __future__ import annotations

import threading
import time

import pytest

from trustone.bootstrap import sql_store

pytestmark = [
    pytest.mark.usefixtures("services"),
    pytest.mark.parametrize("settings", ["postgres"], indirect=True),
]  # SQLite has no pool


def _hold_every_connection(store, held: threading.Event, release: threading.Event, count: int) -> list:
    threads = []
    holding = threading.Barrier(count + 1)

    def hold() -> None:
        with store.transaction() as cursor:
            cursor.execute("SELECT 1")
            holding.wait()
            release.wait(10)

    for _ in range(count):
        thread = threading.Thread(target=hold)
        thread.start()
        threads.append(thread)
    holding.wait()
    held.set()
    return threads


def test_a_request_waits_while_every_connection_is_busy(settings):
    store = sql_store(settings)
    pool = store._pool  # noqa: SLF001 - the pool is what is tested
    held, release = threading.Event(), threading.Event()
    holders = _hold_every_connection(store, held, release, pool.max_size)
    threading.Timer(pool.timeout + 1.5, release.set).start()  # busy for longer than one wait
    started = time.monotonic()
    with store.transaction() as cursor:
        assert cursor.execute("SELECT 2").fetchone() == (2,)
    assert time.monotonic() - started >= pool.timeout + 1  # it did wait for a busy connection
    for thread in holders:
        thread.join()
    store.close()


def test_the_event_store_waits_while_every_connection_is_busy(services, settings):
    pool = services.registry.recorder.datastore.pool
    _held, release = threading.Event(), threading.Event()
    holders = []
    holding = threading.Barrier(pool.max_size + 1)

    def hold() -> None:
        with pool.connection():
            holding.wait()
            release.wait(20)

    for _ in range(pool.max_size):
        holders.append(threading.Thread(target=hold))
        holders[-1].start()
    holding.wait()
    # longer than the library's ten attempts at the pool's short wait (trustone/pgfactory.py)
    threading.Timer(10 * pool.timeout + 2, release.set).start()
    started = time.monotonic()
    assert services.registry.recorder.max_notification_id() is not None
    assert time.monotonic() - started >= 10 * pool.timeout + 1
    for thread in holders:
        thread.join()
