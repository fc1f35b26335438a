"""A fresh store per run: a temporary data directory, and for PostgreSQL a schema of its own
(``?schema=bench_<random>``) dropped afterwards. Also the baselines that touch the store directly:
a plain ``executemany`` of rows, and a plain SELECT of the access-log table."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trustone.settings import Settings

POSTGRES_URL_VARIABLES = ("TRUSTONE_BENCH_POSTGRES_URL", "TRUSTONE_TEST_POSTGRES_URL")


def postgres_url() -> str | None:
    for name in POSTGRES_URL_VARIABLES:
        if os.environ.get(name):
            return os.environ[name]
    return None


@contextlib.contextmanager
def fresh_settings(backend: str, data_dir: Path) -> Iterator[Settings]:
    if backend == "sqlite":
        yield Settings(data_dir=data_dir, demo_mode=True)
        return
    import psycopg

    url = postgres_url()
    if not url:
        raise SystemExit(f"PostgreSQL: set one of {', '.join(POSTGRES_URL_VARIABLES)} (or --backend sqlite)")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    try:
        yield Settings(data_dir=data_dir, database_url=f"{url}{separator}schema={schema}", demo_mode=True)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def server_environment(settings: Settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUSTONE_")}
    # the server runs the code of the tree this bench is in, whatever is installed
    root = str(Path(__file__).resolve().parents[1])
    env.update(
        TRUSTONE_DATA_DIR=str(settings.data_dir),
        TRUSTONE_DEMO_MODE="1",
        PYTHONPATH=os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))),
    )
    if settings.database_url:
        env["TRUSTONE_DATABASE_URL"] = settings.database_url
    return env


@contextlib.contextmanager
def _connection(settings: Settings):
    """A plain DB-API connection to the store's non-event tables (SQLite file or PostgreSQL schema)."""
    if settings.database_url:
        import psycopg

        params = settings.postgres_params()
        pg = psycopg.connect(
            dbname=params["POSTGRES_DBNAME"],
            host=params["POSTGRES_HOST"],
            port=params["POSTGRES_PORT"],
            user=params["POSTGRES_USER"],
            password=params["POSTGRES_PASSWORD"],
        )
        schema = params.get("POSTGRES_SCHEMA", "public")
        try:
            yield pg, f'"{schema}".', "%s"
        finally:
            pg.close()
        return
    lite = sqlite3.connect(settings.sqlite_path, timeout=30)
    try:
        yield lite, "", "?"
    finally:
        lite.close()


def executemany_rate(settings: Settings, rows: Iterable[tuple]) -> tuple[float, int]:
    """Plain ``executemany`` of the same rows into a table of the same store, one commit: rows/s.
    The rows are made before the clock starts (at 100x in chunks, so that memory stays bounded)."""
    chunks = _chunks(rows, 50_000)
    with _connection(settings) as (conn, prefix, mark):
        first = next(chunks)
        columns = len(first[0])
        table = f"{prefix}bench_plain_links"
        conn.execute(f"CREATE TABLE {table} ({', '.join(f'c{i} TEXT' for i in range(columns))})")
        conn.commit()
        statement = f"INSERT INTO {table} VALUES ({', '.join([mark] * columns)})"
        cursor = conn.cursor()
        seconds, count = 0.0, 0
        chunk: list[tuple[Any, ...]] | None = first
        while chunk:
            started = time.perf_counter()
            cursor.executemany(statement, chunk)
            seconds += time.perf_counter() - started
            count += len(chunk)
            chunk = next(chunks, None)
        started = time.perf_counter()
        conn.commit()
        seconds += time.perf_counter() - started
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return count / seconds, count


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def select_access_log_rate(settings: Settings) -> tuple[float, int]:
    """Reading every row of the access-log table with a plain SELECT: rows/s."""
    with _connection(settings) as (conn, prefix, _):
        started = time.perf_counter()
        rows = conn.execute(f"SELECT * FROM {prefix}access_log").fetchall()
        seconds = time.perf_counter() - started
    return len(rows) / seconds if rows else 0.0, len(rows)
