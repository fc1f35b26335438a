"""When the store refuses a write for lack of space or resources, and how we find out before a user does.

A full disk is not a bug in the request: it is the operator's to fix, and the client's to retry.
So it is classified in one place (``classify``) from the error the store itself raised, whatever
layer wrapped it on the way up (eventsourcing re-raises sqlite3 and psycopg errors as its own
``OperationalError`` etc. ``from`` the original), and the web app and the CLI both answer from
that: HTTP 503 with Retry-After, or exit status 75 (EX_TEMPFAIL) with one line. The transaction
that hit the error has been rolled back by the store, so nothing of the request is kept.

Recognised: SQLite's SQLITE_FULL ("database or disk is full"), the operating system's ENOSPC and
EDQUOT, and PostgreSQL's class 53 "insufficient resources" (53100 disk_full is ``storage_full``;
out of memory, too many connections and configuration limits are ``storage_exhausted``). A
PostgreSQL that cannot be reached (down, restarting, the connection lost, no pooled connection
within TRUSTONE_DB_CONNECT_TIMEOUT) is ``storage_unavailable``: class 08, 57P01-57P03, and
psycopg's own OperationalError that carries no SQLSTATE. Whether a write whose connection broke at
its commit was kept cannot be known from here, so that answer does not say "nothing was written".
Only the error's code and class are read, never its message: a message can quote data.

``probe_write`` is the health check's write probe (see its docstring).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from keys.storage.sql import SqlStore


@dataclass(frozen=True)
class StorageRefusal:
    code: str
    detail: str
    retry_after: int  # seconds


STORAGE_FULL = StorageRefusal(
    "storage_full", "the data store is full: nothing was written; try again later", retry_after=300
)  # someone has to free space: not a matter of seconds
STORAGE_EXHAUSTED = StorageRefusal(
    "storage_exhausted", "the data store is out of resources: nothing was written; try again later", retry_after=30
)

STORAGE_UNAVAILABLE = StorageRefusal(
    "storage_unavailable", "the data store cannot be reached: try again shortly", retry_after=5
)

# A lock not had in time (SQLite SQLITE_BUSY/SQLITE_LOCKED; PostgreSQL lock_not_available, a
# statement timeout, a deadlock): the transaction was rolled back, and a moment later it goes through.
STORAGE_BUSY = StorageRefusal(
    "storage_busy", "the data store is busy: nothing was written; try again in a moment", retry_after=1
)
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_PG_BUSY = frozenset({"55P03", "57014", "40P01"})

VIEWS_BEHIND = StorageRefusal(
    "views_behind",
    "the lists are catching up with the latest writes: nothing was written; try again shortly",
    retry_after=2,
)

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_PG_DISK_FULL = "53100"
_PG_INSUFFICIENT_RESOURCES = "53"  # the SQLSTATE class
_PG_CONNECTION_EXCEPTION = "08"  # the SQLSTATE class
_PG_SERVER_GOING = frozenset({"57P01", "57P02", "57P03"})  # admin shutdown, crash shutdown, cannot connect now


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and what it was raised from (``__cause__``, else ``__context__``), each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _refusal_of(error: BaseException) -> StorageRefusal | None:
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)  # set by SQLite itself (an extended code)
        if code is not None and code & 0xFF in _SQLITE_BUSY_CODES:
            return STORAGE_BUSY
        return STORAGE_FULL if code is not None and code & 0xFF == sqlite3.SQLITE_FULL else None
    from projections.runner import ViewsBehind

    if isinstance(error, ViewsBehind):  # a reader's wait for its lists ran out (projections/runner.py)
        return VIEWS_BEHIND
    if isinstance(error, OSError):
        return STORAGE_FULL if error.errno in _FULL_ERRNOS else None
    if not type(error).__module__.startswith("psycopg"):  # psycopg is imported only for PostgreSQL
        return None
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate == _PG_DISK_FULL:
            return STORAGE_FULL
        if sqlstate in _PG_BUSY:
            return STORAGE_BUSY
        if sqlstate.startswith(_PG_INSUFFICIENT_RESOURCES):
            return STORAGE_EXHAUSTED
        if sqlstate.startswith(_PG_CONNECTION_EXCEPTION) or sqlstate in _PG_SERVER_GOING:
            return STORAGE_UNAVAILABLE
        return None
    # No SQLSTATE: the client's own OperationalError (no connection could be made, the server closed
    # the connection, the pool gave none in time: psycopg_pool.PoolTimeout is one) -- the store is
    # out of reach, whatever the request was.
    from psycopg import OperationalError

    return STORAGE_UNAVAILABLE if isinstance(error, OperationalError) else None


def classify(error: BaseException) -> StorageRefusal | None:
    """The refusal this error stands for, or None when it is not the store running out of room."""
    for link in _chain(error):
        refusal = _refusal_of(link)
        if refusal is not None:
            return refusal
    return None


class _RolledBack(Exception):
    """Raised inside the probe's transaction so that the store rolls it back."""


PROBE_BYTES = 16 * 1024  # more than a page, as a report or a case event needs: a table's free room will not hide it
PROBE_TABLE = "write_probe"


def create_probe_table(sql: SqlStore) -> None:
    blob = "BLOB" if sql.dialect == "sqlite" else "BYTEA"
    with sql.transaction() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {{schema}}.{PROBE_TABLE} (filler {blob} NOT NULL)")


def probe_write(sql: SqlStore, data_dir: Path | None) -> None:
    """Raise the store's own error when it cannot take a write now; return when it can.

    A row of ``PROBE_BYTES`` random (incompressible) bytes is inserted and rolled back, so the
    store has to find room for it (SQLite allocates pages within its size limit, PostgreSQL
    extends the table's file on disk when it has no free room) and nothing remains. SQLite keeps
    a transaction's pages in memory until commit, so a disk that is full under it would not show
    in a rolled-back write: for SQLite (``data_dir`` given) the file system's free space is read
    as well, and less than the probe's size is a full disk (ENOSPC, as a write would get)."""
    if data_dir is not None:
        stats = os.statvfs(data_dir)
        if stats.f_bavail * stats.f_frsize < PROBE_BYTES:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    try:
        with sql.transaction() as cursor:
            cursor.execute(f"INSERT INTO {{schema}}.{PROBE_TABLE} (filler) VALUES (%s)", (os.urandom(PROBE_BYTES),))
            raise _RolledBack
    except _RolledBack:
        pass
