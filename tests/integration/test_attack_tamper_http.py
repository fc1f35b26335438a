"""Channel 5 over HTTP: a search refused for an integrity failure answers 503 with a clear message that
names no company, site or value (trustone/web/errors.py), not a 200 naming the wrong company."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from tests.integration.test_attack_tamper import OTHER, view_rows, view_sql, world  # noqa: F401 - the fixture
from trustone.web.app import create_app


@pytest.fixture
def client(world):
    registry = world.registry
    registry.create_account("ngo.user", Role.NGO, "arisa", "ngo", "not-used-here", None)
    text = "TruStone verklaring gekoppelde lijst"
    registry.record_declaration(
        "ngo.user",
        text,
        "2025-1",
        hashlib.sha256(text.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=30),
        dt.date.today() + dt.timedelta(days=300),
    )
    with TestClient(create_app(world), raise_server_exceptions=False) as test_client:
        sessions = test_client.app.state.authenticator._sessions  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {sessions.issue('ngo.user', dt.timedelta(hours=1))}"
        yield test_client


def test_a_search_over_swapped_rows_answers_503_naming_no_company(client, world, member):
    rows = view_rows(world)
    mine, theirs = rows[member][0], rows[OTHER][0]
    view_sql(
        world,
        "UPDATE {schema}.linked_reports SET company = CASE WHEN report_id = %s THEN %s ELSE %s END"
        " WHERE report_id IN (%s, %s)",
        (mine, OTHER, member, mine, theirs),
    )

    response = client.get("/api/v1/linked-list", params={"kind": "quarry"})

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "integrity_failure"
    assert body["detail"].startswith("integrity failure: stored confidential data does not verify")
    for confidential in (member, OTHER, "Mahadev", "Kota", "Laizhou", "quarry"):
        assert confidential not in response.text
