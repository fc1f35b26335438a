"""Fixtures for the fault tests: a private PostgreSQL cluster that may be stopped and restarted."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from tests.faults.pgcluster import PG_BIN, PrivateCluster

_databases = itertools.count(1)


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivateCluster]:
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("TRUSTONE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{PG_BIN}/initdb is missing: PostgreSQL 15 server binaries are needed (TRUSTONE_PG_BIN)")
        pytest.skip(f"PostgreSQL 15 server binaries not found in {PG_BIN}")
    cluster = PrivateCluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def fresh_database(private_pg) -> str:
    """The URL of a new, empty database in the private cluster (named so its sessions can be counted)."""
    return private_pg.create_database(f"faults_{os.getpid()}_{next(_databases)}")
