"""The event store and the access log refuse UPDATE and DELETE, on both stores, even for the owner.

The statements run as the application's own database user (the tables' owner on PostgreSQL), the
way a careless script or console session would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from keys.storage.append_only import MissingTableError, protect_tables
from registry.domain.organisations import OrganisationKind
from trustone.bootstrap import bootstrap

REFUSED = (sqlite3.DatabaseError, psycopg.Error)


@contextmanager
def event_store(services) -> Iterator[tuple[object, dict[str, str]]]:
    """(execute, table names) on the registry's event store: its own SQLite file, or the schema."""
    if services.settings.backend == "sqlite":
        path = services.settings.application_env(services.registry.name)["SQLITE_DBNAME"]
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            yield (
                (lambda sql: connection.execute(sql).fetchall()),
                {"events": "stored_events", "snapshots": "stored_snapshots"},
            )
        finally:
            connection.close()
        return

    def execute(sql: str) -> list:
        with services.sql.transaction() as cursor:
            cursor.execute(sql.replace("registry_", "{schema}.registry_"))
            return cursor.fetchall() if sql.startswith("SELECT") else []

    yield execute, {"events": "registry_events", "snapshots": "registry_snapshots"}


def _counts(execute, tables: dict[str, str]) -> dict[str, int]:
    return {kind: execute(f"SELECT COUNT(*) FROM {table}")[0][0] for kind, table in tables.items()}


@pytest.fixture
def recorded(services) -> dict[str, int]:
    """Events and a snapshot in the store (SQLite triggers fire per row: the tables must not be
    empty for a refusal to show); returns the row count per table."""
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    services.registry.take_snapshot(services.registry.organisation_id("stenen-bv"))
    with event_store(services) as (execute, tables):
        counts = _counts(execute, tables)
    assert counts["events"] >= 2 and counts["snapshots"] == 1
    return counts


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {events} SET originator_version = originator_version + 1",
        "DELETE FROM {events}",
        "DELETE FROM {events} WHERE originator_version = 1",
        "UPDATE {snapshots} SET originator_version = 0",
        "DELETE FROM {snapshots}",
    ],
)
def test_the_event_store_refuses_updates_and_deletes(services, recorded, statement):
    with event_store(services) as (execute, tables):
        with pytest.raises(REFUSED, match="append-only"):
            execute(statement.format(**tables))
        assert _counts(execute, tables) == recorded
    assert services.registry.organisation("stenen-bv").name == "Stenen BV"


def test_the_event_store_still_takes_new_events(services, recorded):
    services.registry.register_organisation("fnv", "FNV", OrganisationKind.UNION_PARTY, "NL")
    with event_store(services) as (execute, tables):
        assert _counts(execute, tables)["events"] > recorded["events"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {schema}.access_log SET actor = 'someone-else'",
        "DELETE FROM {schema}.access_log",
        "UPDATE {schema}.access_log_digests SET head_hash = 'x'",
        "DELETE FROM {schema}.access_log_digests",
    ],
)
def test_the_access_log_refuses_updates_and_deletes(services, statement):
    from tests.integration.test_access_log import sample_entry

    services.access_log.append(sample_entry(1))
    with pytest.raises(REFUSED, match="append-only"), services.sql.transaction() as cursor:
        cursor.execute(statement)
    assert len(services.access_log.entries()) == 1 and services.access_log.verify().ok


def test_postgres_refuses_truncate_too(services):
    if services.settings.backend != "postgres":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE")
    with pytest.raises(psycopg.Error, match="append-only"), services.sql.transaction() as cursor:
        cursor.execute("TRUNCATE {schema}.registry_events")
    with pytest.raises(psycopg.Error, match="append-only"), services.sql.transaction() as cursor:
        cursor.execute("TRUNCATE {schema}.access_log")


def test_protection_is_idempotent_across_restarts(services, recorded):
    again = bootstrap(services.settings)  # installs everything a second time over the first
    try:
        again.registry.register_organisation("cnv", "CNV", OrganisationKind.UNION_PARTY, "NL")
        with event_store(services) as (execute, tables), pytest.raises(REFUSED, match="append-only"):
            execute(f"DELETE FROM {tables['events']}")
    finally:
        again.close()


def test_a_table_that_does_not_exist_is_not_silently_skipped(services):
    with pytest.raises(MissingTableError, match="no_such_table"):
        protect_tables(services.sql, ["no_such_table"])
