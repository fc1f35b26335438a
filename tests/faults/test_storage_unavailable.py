"""Which errors mean "the store cannot be reached now" (issue 12 item 7): answered 503 with
Retry-After (HTTP) or exit 75 (CLI), like a full store, not 500. The errors are the real ones:
psycopg connecting to a port where nothing listens, a real pool timing out on it, and the errors
of a session that PostgreSQL ended, as the eventsourcing library wraps them. A PostgreSQL error
that is the request's own fault (a unique violation) is not one of them."""

from __future__ import annotations

import psycopg
import psycopg_pool
import pytest
from eventsourcing import persistence

from tests.faults.pgcluster import free_port
from trustone.storage_errors import classify


def wrapped(error: BaseException) -> Exception:
    try:
        raise persistence.OperationalError(str(error)) from error
    except persistence.OperationalError as outer:
        return outer


def test_a_refused_connection_is_unavailable_bare_and_wrapped():
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(host="127.0.0.1", port=free_port(), dbname="x", user="x", connect_timeout=2)
    assert classify(caught.value).code == "storage_unavailable"
    assert classify(wrapped(caught.value)).code == "storage_unavailable"
    assert classify(caught.value).retry_after > 0


def test_a_pool_that_gets_no_connection_in_time_is_unavailable():
    pool = psycopg_pool.ConnectionPool(
        f"host=127.0.0.1 port={free_port()} dbname=x user=x", min_size=1, open=False, timeout=0.5
    )
    pool.open(wait=False)
    try:
        with pytest.raises(psycopg_pool.PoolTimeout) as caught, pool.connection():
            pass
    finally:
        pool.close()
    assert classify(wrapped(caught.value)).code == "storage_unavailable"


def test_a_session_ended_by_the_server_is_unavailable(private_pg, fresh_database):
    with (
        psycopg.connect(private_pg.superuser_url("postgres"), autocommit=True) as admin,
        psycopg.connect(fresh_database, autocommit=True) as victim,
    ):
        pid = victim.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError) as caught:
            victim.execute("SELECT 1")
    assert classify(wrapped(caught.value)).code == "storage_unavailable"


def test_a_unique_violation_is_not_the_store_being_unavailable(private_pg, fresh_database):
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(psycopg.errors.UniqueViolation) as caught:
            conn.execute("INSERT INTO t VALUES (1)")
    assert classify(wrapped(caught.value)) is None
