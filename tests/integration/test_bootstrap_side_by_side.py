"""`trustone serve` starts its worker processes side by side, each bootstrapping the same store. The
eventsourcing library re-creates its PostgreSQL function on every start (``CREATE OR REPLACE
FUNCTION``), and two such statements at once fail with "tuple concurrently updated": a worker died
at startup and the server then hung on shutdown (found by CI's test_serve). Creating the tables is
serialised per schema (trustone/pgfactory.py), so any number of processes may start at once."""

from __future__ import annotations

import threading

import pytest

from trustone.bootstrap import bootstrap

STARTING_AT_ONCE = 4


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
@pytest.mark.parametrize("round_", range(3))
def test_several_processes_may_bootstrap_one_new_store_at_once(settings, round_):
    start = threading.Barrier(STARTING_AT_ONCE)
    failures: list[BaseException] = []
    started = []

    def worker() -> None:
        start.wait()
        try:
            started.append(bootstrap(settings))
        except BaseException as error:  # noqa: BLE001 - what a worker would die of
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(STARTING_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for services in started:
        services.close()
    assert failures == []
    assert len(started) == STARTING_AT_ONCE
