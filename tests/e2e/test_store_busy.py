"""A busy store (issue 12 item 3): a request that cannot get the access log's write lock in time is
answered 503 with Retry-After, never 500, and goes through once the lock is free.

The lock is held the way a saturated store holds it, by another connection's write transaction on
the access log: SQLite ``BEGIN IMMEDIATE`` on the same file (the app's connections get a short busy
timeout, as a loaded server's requests would run out of theirs), PostgreSQL ``LOCK TABLE ... IN
EXCLUSIVE MODE`` (the access log's own lock wait is shortened for the test).
"""

from __future__ import annotations

import gc
import sqlite3
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from registry.domain.accounts import Role
from tests.e2e.test_access_matrix import client, tokens, world  # noqa: F401  (fixtures)
from trustone.storage_errors import classify

BUSY_DETAIL = "the data store is busy: nothing was written; try again in a moment"


class SQLiteLock:
    def __init__(self, path):
        self.path = path
        self.holder: sqlite3.Connection | None = None
        self._monkeypatch = pytest.MonkeyPatch()

    @staticmethod
    def _short(connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA busy_timeout = 200")
        except sqlite3.ProgrammingError:  # closed
            pass

    def hold(self) -> None:
        real_connect = sqlite3.connect

        def connect_short(*args, **kwargs):
            connection = real_connect(*args, **kwargs)
            self._short(connection)
            return connection

        self._monkeypatch.setattr(sqlite3, "connect", connect_short)
        for connection in [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)]:
            self._short(connection)
        self.holder = real_connect(self.path, isolation_level=None)
        self.holder.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.holder.execute("ROLLBACK")
        self.holder.close()
        self._monkeypatch.undo()


class PostgresLock:
    def __init__(self, services):
        self.services = services
        self.url = urlunsplit(urlsplit(services.settings.database_url)._replace(query=""))
        self.holder: psycopg.Connection | None = None

    def hold(self) -> None:
        self.services.access_log.lock_timeout = 0.2
        self.holder = psycopg.connect(self.url)
        self.holder.execute(f'LOCK TABLE "{self.services.sql.schema}".access_log IN EXCLUSIVE MODE')

    def release(self) -> None:
        self.holder.rollback()
        self.holder.close()


def _requests_entries(world) -> list:
    """The log's entries once the server's follower has applied everything written so far (it reads
    reports for the views, as ``system:projection:...``): what is added after is a request's."""
    world.projections.wait()
    return world.access_log.rows(limit=100_000)


@pytest.fixture
def lock(world):
    if world.settings.database_url:
        return PostgresLock(world)
    return SQLiteLock(world.settings.sqlite_path)


def test_a_request_that_cannot_get_the_log_lock_is_503_with_retry_after_and_then_goes_through(
    client, tokens, world, lock
):
    headers = {"Authorization": f"Bearer {tokens[Role.AUDITOR]}"}
    before = _requests_entries(world)
    lock.hold()
    try:
        response = client.get("/api/v1/audit/access-log", headers=headers)
    finally:
        lock.release()
    assert response.status_code == 503, response.text
    assert response.headers.get("Retry-After", "").isdigit() and int(response.headers["Retry-After"]) > 0
    assert response.json() == {"detail": BUSY_DETAIL, "code": "storage_busy"}
    assert _requests_entries(world) == before  # nothing released, nothing half-written
    assert client.get("/api/v1/audit/access-log", headers=headers).status_code == 200


def test_the_stores_own_busy_errors_are_storage_busy(tmp_path, services):
    """The real errors: SQLite's SQLITE_BUSY from a second writer, PostgreSQL's lock_not_available."""
    settings = services.settings
    if settings.database_url:
        url = urlunsplit(urlsplit(settings.database_url)._replace(query=""))
        table = f'"{services.sql.schema}".access_log'
        with psycopg.connect(url) as holder, psycopg.connect(url) as waiter:
            holder.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            waiter.execute("SET lock_timeout = '100ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable) as caught:
                waiter.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    else:
        path = tmp_path / "busy.sqlite3"
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        waiter = sqlite3.connect(path, isolation_level=None, timeout=0.05)
        with pytest.raises(sqlite3.OperationalError) as caught:
            waiter.execute("BEGIN IMMEDIATE")
        holder.close()
        waiter.close()
    refusal = classify(caught.value)
    assert refusal is not None and refusal.code == "storage_busy" and 0 < refusal.retry_after <= 5
