"""Append-only tables: the database itself refuses UPDATE, DELETE (and, on PostgreSQL, TRUNCATE).

Used for the event tables and the access log. The application only ever inserts into them, so a
refusal costs nothing in normal use and turns a careless ``UPDATE`` (a migration script, a console
session) into an error instead of a silent rewrite of history.

Why triggers and not only privileges: the application's PostgreSQL role owns its tables, and an
owner keeps every privilege whatever is revoked from PUBLIC. A trigger binds the owner too. It does
not stop someone who can drop it (the owner, a superuser): against that the access log has its hash
chain and signed digests, and the event store its own checks. This is a guard rail, not the proof.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keys.storage.sql import Cursor, SqlStore

if TYPE_CHECKING:
    from eventsourcing.application import Application

REFUSAL = "append-only"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,50}$")
_PG_FUNCTION = "trustone_append_only"
_PG_LOCK_KEY = 0x7472_7573  # serialises concurrent installers (CREATE OR REPLACE can race)


class MissingTableError(LookupError):
    """A table to protect does not exist (yet): create it before protecting it."""


def _checked(table_names: Iterable[str]) -> list[str]:
    names = list(table_names)
    for name in names:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain table name: {name!r}")
    return names


def _require_tables(exists: Callable[[str], object], names: list[str]) -> None:
    for name in names:
        if not exists(name):
            raise MissingTableError(f"table {name} does not exist")


# --- SQLite ----------------------------------------------------------------------------------------


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def protect_sqlite_file(path: Path | str, table_names: Iterable[str]) -> None:
    """Protect tables in a SQLite file that has no ``SqlStore`` (the eventsourcing store)."""
    names = _checked(table_names)
    connection = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            _require_tables(
                lambda name: connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
                ).fetchone(),
                names,
            )
            for name in names:
                for statement in _sqlite_statements(name):
                    connection.execute(statement)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()


# --- PostgreSQL ------------------------------------------------------------------------------------


def _pg_protect(cursor: Cursor, names: list[str]) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK_KEY,))
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {{schema}}.{_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',"
        f" MESSAGE = '{REFUSAL}: ' || TG_OP || ' on ' || TG_TABLE_NAME; END; $$"
    )
    for name in names:
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {{schema}}.{name} FROM PUBLIC")
        for op in ("UPDATE", "DELETE", "TRUNCATE"):
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {name}_no_{op.lower()} BEFORE {op} ON {{schema}}.{name}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.{_PG_FUNCTION}()"
            )


def _pg_is_protected(cursor: Cursor, schema: str, names: list[str]) -> bool:
    """All triggers present already: skip the DDL, which would lock the tables on every start."""
    wanted = {f"{name}_no_{op}" for name in names for op in ("update", "delete", "truncate")}
    rows = cursor.execute(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = ANY(%s)",
        (schema, names),
    ).fetchall()
    return wanted <= {row[0] for row in rows}


# --- either store ----------------------------------------------------------------------------------


def protect_tables(sql: SqlStore, table_names: Iterable[str]) -> None:
    """Install the refusing triggers on tables of ``sql`` (idempotent; the tables must exist)."""
    names = _checked(table_names)
    with sql.transaction(exclusive=True) as cursor:
        if sql.dialect == "sqlite":
            _require_tables(
                lambda name: cursor.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", (name,)
                ).fetchone(),
                names,
            )
            for name in names:
                for statement in _sqlite_statements(name):
                    cursor.execute(statement)
            return
        schema = sql.schema  # type: ignore[attr-defined]
        _require_tables(
            lambda name: cursor.execute("SELECT to_regclass(%s)", (f"{schema}.{name}",)).fetchfirst()[0], names
        )
        if not _pg_is_protected(cursor, schema, names):
            _pg_protect(cursor, names)


def event_table_names(app: Application[Any]) -> list[str]:
    """An application's event table and, when snapshotting is on, its snapshot table.

    Snapshots are protected too: the library only inserts them, and an edited snapshot would
    change what the application reads as an aggregate's state without touching an event.
    """
    names = [app.recorder.events_table_name]  # type: ignore[attr-defined]  # on the SQLite and PostgreSQL recorders, not their base
    if app.snapshots is not None:
        names.append(app.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]  # as above
    return names


def protect_event_tables(
    sql: SqlStore, applications: Iterable[Application[Any]], sqlite_file: Callable[[str], str] | None
) -> None:
    """Protect every application's event store (registry, grievance), wherever the settings put it.

    SQLite (``sqlite_file`` gives an application's file by its name): each eventsourcing store is its
    own file (not the keys store), so it is opened here. PostgreSQL (``sqlite_file`` is None): the
    same database and schema as ``sql``.
    """
    for app in applications:
        names = event_table_names(app)
        if sqlite_file is not None:
            protect_sqlite_file(sqlite_file(app.name), names)
        else:
            protect_tables(sql, names)
