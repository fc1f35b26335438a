"""Appends under concurrency (issue 12 item 3), on both stores: the requests of one process that
wait for the log's write lock are written together, in one transaction, each request's entries
still consecutive and all or nothing; and the sealing is done before the lock is taken.

Concurrent appends from several threads in several processes make one chain that verify accepts,
with every entry present exactly once.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import replace

import psycopg

from keys.access import accesslog as accesslog_module
from keys.access.accesslog import AccessLog
from keys.encryption.datakeys import DataKeyStore
from keys.encryption.keyring import FileKeyring
from tests.integration.test_access_log import sample_entry
from tests.integration.test_access_log_batches import count_entries, counting_transactions
from trustone.bootstrap import sql_store


@contextmanager
def write_lock_held_elsewhere(services):
    """Another connection holds the log's write lock (as another server worker appending would)."""
    if services.sql.dialect == "sqlite":
        other = sqlite3.connect(services.settings.sqlite_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
    else:
        other = psycopg.connect(services.sql._pool.conninfo, autocommit=True)  # noqa: SLF001
        other.execute("BEGIN")
        other.execute(f"LOCK TABLE {services.sql.schema}.access_log IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_appends_waiting_for_the_lock_are_written_in_one_transaction(services):
    log = services.access_log
    log.append(sample_entry(0))
    results: dict[int, list[int]] = {}
    with counting_transactions(services) as opened:
        with write_lock_held_elsewhere(services):
            first = threading.Thread(target=lambda: results.update({1: log.append_many([sample_entry(1)])}))
            first.start()
            wait_until(lambda: log.appends_waiting() == 1)  # the first is at the lock, sealed
            rest = [
                threading.Thread(
                    target=lambda n=n: results.update(
                        {n: log.append_many([sample_entry(n * 10 + k) for k in range(n)])}
                    )
                )
                for n in (2, 3, 4, 5)
            ]
            for thread in rest:
                thread.start()
            wait_until(lambda: log.appends_waiting() == 5)  # four more behind it
        for thread in [first, *rest]:
            thread.join(30)
    assert len(opened) == 2  # the first alone, then the four that waited behind it together
    assert results[1] == [2]
    seqs = sorted(seq for n in (2, 3, 4, 5) for seq in results[n])
    assert seqs == list(range(3, 3 + 2 + 3 + 4 + 5))
    for n in (2, 3, 4, 5):  # each request's entries consecutive, in its order
        assert results[n] == list(range(results[n][0], results[n][0] + n))
        assert [e.request_id for e in log.entries(after_seq=results[n][0] - 1, limit=n)] == [
            f"req-{n * 10 + k}" for k in range(n)
        ]
    assert log.verify().ok and count_entries(services)[0] == 16


def test_a_group_that_fails_writes_none_of_its_requests(services, monkeypatch):
    log = services.access_log
    log.append(sample_entry(0))
    real = accesslog_module.AccessLog._insert_rows  # noqa: SLF001
    errors: list[BaseException] = []

    def failing(cursor, rows):
        if len(rows) > 1:  # the group of two requests, not the first alone
            raise OSError("the store refused the write")
        return real(cursor, rows)

    monkeypatch.setattr(accesslog_module.AccessLog, "_insert_rows", staticmethod(failing))
    with write_lock_held_elsewhere(services):
        first = threading.Thread(target=log.append, args=(sample_entry(1),))
        first.start()
        wait_until(lambda: log.appends_waiting() == 1)

        def append(n):
            try:
                log.append(sample_entry(n))
            except OSError as error:
                errors.append(error)

        rest = [threading.Thread(target=append, args=(n,)) for n in (2, 3)]
        for thread in rest:
            thread.start()
        wait_until(lambda: log.appends_waiting() == 3)
    for thread in [first, *rest]:
        thread.join(30)
    assert len(errors) == 2  # both requests of the failed group are told; neither is written
    assert [e.seq for e in log.entries()] == [1, 2] and log.verify().ok


def test_sealing_is_done_before_the_lock_is_taken(services, monkeypatch):
    log = services.access_log
    log.append(sample_entry(0))
    sealed_while_locked: list[bool] = []
    locked = threading.local()
    real_lock, real_seal = log._lock_for_append, accesslog_module.seal  # noqa: SLF001

    def lock_for_append(cursor):
        real_lock(cursor)
        locked.now = True

    def seal(*args, **kwargs):
        sealed_while_locked.append(getattr(locked, "now", False))
        return real_seal(*args, **kwargs)

    monkeypatch.setattr(log, "_lock_for_append", lock_for_append)
    monkeypatch.setattr(accesslog_module, "seal", seal)
    log.append_many([sample_entry(n) for n in range(1, 4)])
    assert sealed_while_locked == [False] * 6  # two layers for each of three entries, none under the lock
    assert log.verify().ok


def _append_from_a_process(settings, process: int, threads: int, per_thread: int) -> None:
    """A server worker's access log, opened on the store the test made (no table created: the
    eventsourcing library's CREATE TABLE IF NOT EXISTS races between processes on PostgreSQL)."""
    sql = sql_store(settings)
    keyring = FileKeyring.load(settings.keyring_file)
    log = AccessLog(sql, DataKeyStore(sql, keyring), keyring)
    try:

        def run(thread: int) -> None:
            for n in range(per_thread):
                size = 1 + (n % 3)
                log.append_many(
                    [replace(sample_entry(0), request_id=f"p{process}-t{thread}-n{n}-{k}") for k in range(size)]
                )

        workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sql.close()


def test_appends_from_threads_in_several_processes_make_one_chain_with_every_entry_once(services):
    services.access_log.append(sample_entry(0))
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_append_from_a_process, args=(services.settings, p, 4, 6)) for p in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    entries = services.access_log.entries(limit=10_000)
    expected = {f"p{p}-t{t}-n{n}-{k}" for p in range(3) for t in range(4) for n in range(6) for k in range(1 + n % 3)}
    ids = [e.request_id for e in entries[1:]]
    assert sorted(ids) == sorted(expected)  # every entry once
    assert [e.seq for e in entries] == list(range(1, len(expected) + 2))
    by_request: dict[str, list[int]] = {}
    for entry in entries[1:]:
        by_request.setdefault(entry.request_id.rsplit("-", 1)[0], []).append(entry.seq)
    assert all(seqs == list(range(seqs[0], seqs[0] + len(seqs))) for seqs in by_request.values())
    result = services.access_log.verify()
    assert (result.ok, result.checked) == (True, len(expected) + 1)
