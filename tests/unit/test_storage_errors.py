"""Which errors mean "the store cannot take a write for lack of space or resources" (issue 11 item 6).

The real exception classes, raised where they can be: SQLite's SQLITE_FULL from a real in-memory
database pinned by ``PRAGMA max_page_count``, ENOSPC from writing to ``/dev/full``. PostgreSQL's
class 53 errors cannot be provoked from a test on a shared cluster (the e2e test has the server
answer disk_full through a trigger); here psycopg's own exception classes are built as psycopg
builds them, and wrapped as eventsourcing wraps them.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import psycopg.errors
import pytest
from eventsourcing import persistence

from trustone.storage_errors import classify


def sqlite_full_error() -> sqlite3.Error:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (x BLOB)")
    connection.execute("PRAGMA max_page_count = 1")
    with pytest.raises(sqlite3.OperationalError) as caught:
        connection.execute("INSERT INTO t VALUES (zeroblob(100000))")
    return caught.value


def enospc_error() -> OSError:
    with pytest.raises(OSError) as caught, open("/dev/full", "wb", buffering=0) as full:
        full.write(b"x")
    return caught.value


def wrapped(error: BaseException, wrapper: type[Exception]) -> Exception:
    """As eventsourcing does it: ``raise OperationalError(...) from error``."""
    try:
        raise wrapper(str(error)) from error
    except wrapper as outer:
        return outer


def test_sqlite_full_is_storage_full_bare_and_wrapped():
    error = sqlite_full_error()
    assert str(error) == "database or disk is full"
    assert classify(error).code == "storage_full"
    assert classify(wrapped(error, persistence.OperationalError)).code == "storage_full"


def test_enospc_is_storage_full():
    error = enospc_error()
    assert error.errno == errno.ENOSPC
    assert classify(error).code == "storage_full"
    assert classify(OSError(errno.EDQUOT, "Disk quota exceeded")).code == "storage_full"


@pytest.mark.parametrize("wrapper", [None, persistence.OperationalError, persistence.PersistenceError])
def test_postgres_disk_full_is_storage_full(wrapper):
    error = psycopg.errors.DiskFull("could not extend file: No space left on device")
    assert error.sqlstate == "53100"
    assert classify(error if wrapper is None else wrapped(error, wrapper)).code == "storage_full"


@pytest.mark.parametrize(
    "error_class",
    [
        psycopg.errors.InsufficientResources,
        psycopg.errors.OutOfMemory,
        psycopg.errors.TooManyConnections,
        psycopg.errors.ConfigurationLimitExceeded,
    ],
)
def test_other_postgres_resource_errors_are_storage_exhausted(error_class):
    assert classify(wrapped(error_class("out of something"), persistence.OperationalError)).code == (
        "storage_exhausted"
    )


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.IntegrityError("UNIQUE constraint failed: t.x"),
        psycopg.errors.UniqueViolation("duplicate key"),
        persistence.IntegrityError("duplicate key"),
        OSError(errno.EACCES, "Permission denied"),
        ValueError("database or disk is full"),  # the words alone are not the store's answer
    ],
)
def test_other_errors_are_not_storage_refusals(error):
    assert classify(error) is None
    assert classify(wrapped(error, persistence.OperationalError)) is None


def test_a_cause_chain_that_loops_ends():
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__cause__, second.__cause__ = second, first
    assert classify(first) is None


def test_the_write_probe_reports_a_file_system_without_free_space(tmp_path):
    """SQLite holds a rolled-back write in memory, so the probe reads the data directory's free
    space too. /proc is a real file system with no free block (statvfs: 0 available)."""
    from keys.storage.sql import SQLiteSqlStore
    from trustone.storage_errors import create_probe_table, probe_write

    assert os.statvfs("/proc").f_bavail == 0
    store = SQLiteSqlStore(tmp_path / "probe.sqlite3")
    create_probe_table(store)
    try:
        probe_write(store, tmp_path)  # room on tmp_path: no error
        with pytest.raises(OSError) as caught:
            probe_write(store, Path("/proc"))
        assert caught.value.errno == errno.ENOSPC
        assert classify(caught.value).code == "storage_full"
        with store.transaction() as cursor:  # the probe's rows were rolled back
            assert cursor.execute("SELECT count(*) FROM write_probe").fetchone() == (0,)
    finally:
        store.close()
