"""A full store (issue 11 item 6): writes refused with 503, Retry-After and a clear body, nothing
half-written, and ``/healthz`` saying so; once space is freed the same request goes through.

The store is made full the way the operator would meet it, on the running app's real store:

- SQLite: ``PRAGMA max_page_count`` pins every open connection of the process (and every one
  opened while the disk is "full") to its file's current size, so SQLite itself answers
  SQLITE_FULL, "database or disk is full", as on a full disk.
- PostgreSQL: a disk cannot be filled for one test schema on a shared cluster, so every table of
  the test's schema gets a trigger that makes the server refuse each write with SQLSTATE 53100
  (disk_full), the answer PostgreSQL gives when it cannot extend a file. The error then comes over
  the wire through the real psycopg and eventsourcing layers, as a real full disk's would.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from registry.domain.accounts import Role
from tests.e2e.test_access_matrix import OWN, client, tokens, world  # noqa: F401  (fixtures)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone import cli

FULL_DETAIL = "the data store is full: nothing was written; try again later"
UNLIMITED_PAGES = 4294967294


class SQLiteDisk:
    def __init__(self):
        self._monkeypatch = pytest.MonkeyPatch()

    @staticmethod
    def _every_connection() -> list[sqlite3.Connection]:
        return [o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)]

    @staticmethod
    def _limit(connection: sqlite3.Connection, pages: int) -> None:
        try:
            connection.execute(f"PRAGMA max_page_count = {pages}")  # 1: no more than it has now
        except sqlite3.ProgrammingError:  # closed
            pass

    def fill(self) -> None:
        real_connect = sqlite3.connect

        def connect_full(*args, **kwargs):
            connection = real_connect(*args, **kwargs)
            self._limit(connection, 1)
            return connection

        self._monkeypatch.setattr(sqlite3, "connect", connect_full)
        for connection in self._every_connection():
            self._limit(connection, 1)

    def free(self) -> None:
        self._monkeypatch.undo()
        for connection in self._every_connection():
            self._limit(connection, UNLIMITED_PAGES)


class PostgresDisk:
    def __init__(self, database_url: str, schema: str):
        self._url = urlunsplit(urlsplit(database_url)._replace(query=""))
        self._schema = schema

    def fill(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute(f"""
                CREATE FUNCTION "{self._schema}".disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  RAISE EXCEPTION 'could not extend file: No space left on device'
                    USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
                END $$""")
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                " AND table_type = 'BASE TABLE'",
                (self._schema,),
            ).fetchall()
            assert tables
            for (table,) in tables:
                conn.execute(
                    f"CREATE TRIGGER disk_is_full BEFORE INSERT OR UPDATE OR DELETE"
                    f' ON "{self._schema}"."{table}" FOR EACH STATEMENT'
                    f' EXECUTE FUNCTION "{self._schema}".disk_is_full()'
                )

    def free(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute(f'DROP FUNCTION "{self._schema}".disk_is_full() CASCADE')


@pytest.fixture
def disk(world):
    settings = world.settings
    if settings.database_url:
        return PostgresDisk(settings.database_url, settings.postgres_params()["POSTGRES_SCHEMA"])
    return SQLiteDisk()


def a_report() -> bytes:
    """Large enough that storing it needs new pages: many chains, each a quarry and a factory."""
    rows = []
    for n in range(60):
        rows += [
            quarry_row(chain=f"C{n}", name=f"Full Disk Quarry {n}", latitude=f"25.{1000 + n}"),
            factory_row(chain=f"C{n}"),
        ]
    return csv_bytes(rows)


def upload(client, token, data: bytes):
    return client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("r.csv", data, "text/csv")},
    )


def assert_refused_as_full(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers.get("Retry-After", "").isdigit(), response.headers
    assert int(response.headers["Retry-After"]) > 0
    assert response.json() == {"detail": FULL_DETAIL, "code": "storage_full"}


def test_a_full_store_refuses_the_write_whole_and_healthz_says_so_until_space_is_freed(client, tokens, world, disk):
    token = tokens[Role.COMPANY]
    data = a_report()
    assert client.get("/healthz").status_code == 200
    events_before = world.registry.recorder.max_notification_id()

    disk.fill()
    try:
        assert_refused_as_full(upload(client, token, data))
        assert world.registry.recorder.max_notification_id() == events_before  # nothing half-written
    finally:
        disk.free()

    assert client.get("/healthz").json() == {"status": "ok", "backend": world.settings.backend}
    assert world.registry.recorder.max_notification_id() == events_before
    accepted = upload(client, token, data)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 1  # the refused upload left no version behind
    read = client.get(f"/api/v1/companies/{OWN}/reports/2025", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200
    assert len(read.json()["links"]) == 120  # a quarry and a factory per chain, each once


def test_healthz_answers_503_while_the_store_cannot_take_a_write(client, disk, world):
    assert client.get("/healthz").status_code == 200
    disk.fill()
    try:
        assert_refused_as_full(client.get("/healthz"))
    finally:
        disk.free()
    assert client.get("/healthz").json() == {"status": "ok", "backend": world.settings.backend}


def run_cli(monkeypatch, capsys, settings, *args: str) -> tuple[int, str]:
    """``trustone`` as its entry point runs it (``main``), in this process so the disk is as full."""
    monkeypatch.setenv("TRUSTONE_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("TRUSTONE_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("TRUSTONE_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRUSTONE_KEYRING", raising=False)
    monkeypatch.setattr(sys, "argv", ["trustone", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return exited.value.code, capsys.readouterr().err


def test_a_report_import_on_a_full_store_exits_non_zero_with_one_line_and_nothing_written(
    world, disk, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "report.csv"
    path.write_bytes(a_report())
    events_before = world.registry.recorder.max_notification_id()
    command = ("import-report", str(path), "--company", OWN, "--year", "2025")

    disk.fill()
    try:
        code, stderr = run_cli(monkeypatch, capsys, world.settings, *command)
    finally:
        disk.free()
    assert code == 75  # EX_TEMPFAIL: try again later
    assert stderr == f"error: {FULL_DETAIL}\n"
    assert world.registry.recorder.max_notification_id() == events_before

    code, stderr = run_cli(monkeypatch, capsys, world.settings, *command)
    assert code == 0, stderr
