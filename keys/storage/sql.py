"""A small SQL connection for the mutable tables that are not events: wrapped data keys, the access
log, sessions, login throttling. SQLite (a file beside the event store) or PostgreSQL (the same
database and schema as the event store).

SQL is written once with ``%s`` placeholders and ``{schema}.`` table prefixes; for SQLite both are
translated. Each ``transaction()`` is one database transaction: committed on success, rolled back
on any error.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SAFE_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
BUSY_WAIT = 30.0  # seconds a request may wait in all while every connection of its pool is in use
FAILING_FOR = 10.0  # seconds after a lost or failed connection during which a pool counts as failing
MAX_IDLE = 60.0  # seconds: a connection opened under load beyond the one kept is closed after this long unused


class Cursor:
    """The subset both drivers share: execute, fetchone, fetchall, rowcount."""

    def __init__(self, raw: Any, translate: bool, schema: str):
        self._raw = raw
        self._translate = translate
        self._schema = schema

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        sql = sql.replace("{schema}.", f"{self._schema}." if self._schema else "")
        if self._translate:
            sql = sql.replace("%s", "?")
        self._raw.execute(sql, tuple(params))
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._raw.fetchone()
        return row

    def fetchfirst(self) -> tuple[Any, ...]:
        """The row of a query that always yields one (COUNT, MAX, to_regclass): no None to handle."""
        row = self.fetchone()
        if row is None:
            raise LookupError("the query returned no row")
        return row

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._raw.fetchall()
        return rows

    @property
    def rowcount(self) -> int:
        count: int = self._raw.rowcount
        return count


class SqlStore:
    dialect: str

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""


class SQLiteSqlStore(SqlStore):
    """One connection per thread; ``exclusive`` takes the write lock up front (BEGIN IMMEDIATE)."""

    dialect = "sqlite"

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = (
                self._open_read_only()
                if self.read_only
                else sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            )
            if not self.read_only:
                connection.execute("PRAGMA journal_mode=WAL")
            self._local.connection = connection
        return connection

    def _open_read_only(self) -> sqlite3.Connection:
        """For an auditor's copy on a medium that allows no write: ``mode=ro`` writes nothing to the
        database file. A WAL database in a read-only directory cannot get its shared-memory file,
        so it is then opened ``immutable`` (no locks, no WAL file), which is right for a copy that
        nothing else writes to; a copy taken while the server ran should include its ``-wal`` file,
        and is then read whole with ``mode=ro`` where the directory allows it."""
        if not self.path.exists():
            raise sqlite3.OperationalError(f"no database file at {self.path}")
        uri = self.path.resolve().as_uri()
        for flags in ("mode=ro", "mode=ro&immutable=1"):
            connection = sqlite3.connect(
                f"{uri}?{flags}", uri=True, timeout=10, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return connection
            except sqlite3.OperationalError:
                connection.close()
        raise sqlite3.OperationalError(f"the database {self.path} cannot be opened for reading")

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE" if exclusive else "BEGIN")
        try:
            yield Cursor(connection.cursor(), translate=True, schema="")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def busy_tolerant(pool: Any, busy_wait: float = BUSY_WAIT, clock: Callable[[], float] = time.monotonic) -> Any:
    """The same psycopg pool, its wait for a connection telling load from an outage.

    The pool's own ``timeout`` is short, so that a request is answered 503 within seconds while
    PostgreSQL is down. But a pool that is merely busy (every connection out with another request)
    is not down: then the request keeps waiting its turn, up to ``busy_wait`` seconds in all
    (measured: 20 clients on two workers got 503 for a tenth of their searches without this). The
    pool is taken to be failing, and the wait cut short, while it has lost a connection or failed
    to make one in the last ``FAILING_FOR`` seconds (psycopg_pool's own counters, read at every
    ``getconn``, so that a failure is dated when it happened, not when the pool is next busy): a
    stopped or restarting PostgreSQL shows there within a second, a busy one never. Set on the
    object (``connection()`` calls ``self.getconn``), so that it serves for a pool made by a
    library too; a library that retries a failed ``getconn`` itself gets a share of the wait
    (trustone/pgfactory.py), so that a request waits ``BUSY_WAIT`` in all, not once per retry.
    """
    import psycopg_pool

    wait_once = pool.getconn
    seen = {"failures": 0, "changed": float("-inf")}

    def failing() -> bool:
        stats = pool.get_stats()
        failures = stats.get("connections_errors", 0) + stats.get("connections_lost", 0)
        now = clock()
        if failures != seen["failures"]:
            seen.update(failures=failures, changed=now)
        return now - seen["changed"] < FAILING_FOR

    def getconn(timeout: float | None = None) -> Any:
        failing()  # dates any failure since the last call
        deadline = clock() + busy_wait
        while True:
            try:
                return wait_once(timeout)
            except psycopg_pool.PoolTimeout:
                if failing() or clock() >= deadline:
                    raise

    failing()  # what the pool had counted before is not news
    seen["changed"] = float("-inf")
    pool.getconn = getconn
    pool.busy_wait = busy_wait
    return pool


class PostgresSqlStore(SqlStore):
    """A small pool set like the eventsourcing library's (trustone/settings.py ``postgres_params``):
    ``POSTGRES_POOL_SIZE`` connections kept, up to ``POSTGRES_MAX_OVERFLOW`` more under load, each
    checked as it leaves the pool (a connection that PostgreSQL's restart left stale is replaced,
    not used), and a wait of at most ``POSTGRES_CONNECT_TIMEOUT`` seconds for one while PostgreSQL
    cannot be reached (then psycopg's ``PoolTimeout``, answered 503), up to ``BUSY_WAIT`` while every
    connection is merely in use (``busy_tolerant``). libpq's own connect timeout is set to the same, for a server
    that does not answer at all. Connections opened under load close after ``MAX_IDLE`` unused."""

    dialect = "postgres"

    def __init__(self, params: dict[str, str], read_only: bool = False):
        import psycopg_pool
        from psycopg.conninfo import make_conninfo

        schema = params.get("POSTGRES_SCHEMA") or "public"
        timeout = int(params.get("POSTGRES_CONNECT_TIMEOUT") or 30)
        if not _SAFE_SCHEMA.match(schema):
            raise ValueError("POSTGRES_SCHEMA: letters, digits and underscores only")
        self.schema = schema
        conninfo = make_conninfo(
            dbname=params["POSTGRES_DBNAME"],
            host=params["POSTGRES_HOST"],
            port=params["POSTGRES_PORT"],
            user=params["POSTGRES_USER"] or None,
            password=params["POSTGRES_PASSWORD"] or None,
            connect_timeout=timeout,
            **({"options": "-c default_transaction_read_only=on"} if read_only else {}),
        )
        self.read_only = read_only
        kept = int(params.get("POSTGRES_POOL_SIZE") or 1)
        self._pool = busy_tolerant(
            psycopg_pool.ConnectionPool(
                conninfo,
                min_size=kept,
                max_size=kept + int(params.get("POSTGRES_MAX_OVERFLOW") or 0),
                open=False,
                check=psycopg_pool.ConnectionPool.check_connection,
                timeout=timeout,
                max_idle=MAX_IDLE,
            )
        )
        # Opened with its kept connection in place: a first request that found the pool still filling
        # would make it grow by one, and keep that connection too.
        self._pool.open(wait=True, timeout=timeout)

    @contextmanager
    def transaction(self, exclusive: bool = False) -> Iterator[Cursor]:  # noqa: ARG002 - the signature the caller expects
        with self._pool.connection() as connection, connection.transaction():
            yield Cursor(connection.cursor(), translate=False, schema=self.schema)

    def close(self) -> None:
        self._pool.close()
