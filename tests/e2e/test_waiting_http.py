"""GET /api/v1/waiting (issue 13, item 3): per queue on the caller's desk, the count and the oldest
item (for cases and declarations the one due soonest), each role its own queues; one access-log
entry per look, for every role (the matrix cell); anonymous refused.

The world is the access-matrix walk's: three member companies reported 2024 on 2025-03-01 and
none is assessed yet; the NGO's declaration runs a year."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    Cell,
    assert_walked,
    client,
    tokens,
    world,
)
from tests.e2e.test_access_matrix import case_in_stage, request_in_stage


def look(client, tokens, role: Role) -> dict[str, dict]:
    response = client.get("/api/v1/waiting", headers={"Authorization": f"Bearer {tokens[role]}"})
    assert response.status_code == 200, response.text
    return {queue["queue"]: queue for queue in response.json()["queues"]}


def test_the_secretariats_desk_counts_each_duty_and_names_the_oldest(client, world, tokens):
    declaration = "TruStone verklaring gekoppelde lijst"
    world.registry.record_declaration(
        "ngo.user",
        declaration,
        "2025-2",
        hashlib.sha256(declaration.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=300),
        dt.date.today() + dt.timedelta(days=10),
    )
    case = case_in_stage(world, "filed")  # the secretariat's deadline to acknowledge it runs
    request = request_in_stage(world, "clause_signed")  # awaiting the secretariat's decision
    desk = look(client, tokens, Role.SECRETARIAT)
    assert list(desk) == [
        "reports awaiting assessment",
        "sites held as possible duplicates",
        "cases by deadline",
        "data-access requests",
        "declarations expiring within 30 days",
        "contribution statements to prepare",
    ]
    reports = desk["reports awaiting assessment"]
    assert reports["count"] == 3
    assert reports["first"] == {"ref": "andere-steen/2024", "on": "2025-03-01", "what": "version 1"}
    assert desk["sites held as possible duplicates"] == {
        "queue": "sites held as possible duplicates",
        "count": 0,
        "first": None,
        "by_due_date": False,
    }
    assert desk["cases by deadline"]["count"] == 1 and desk["cases by deadline"]["first"]["ref"] == case
    assert [desk[name]["by_due_date"] for name in desk] == [False, False, True, False, True, False]
    assert desk["data-access requests"]["count"] == 1
    assert desk["data-access requests"]["first"]["ref"] == request
    expiring = desk["declarations expiring within 30 days"]
    assert expiring["count"] == 1  # the year-long one is not within 30 days
    assert expiring["first"] == {
        "ref": "ngo.user",
        "on": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
        "what": "arisa",
    }


def test_a_party_sees_its_own_queues_only(client, world, tokens):
    case = case_in_stage(world, "filed")
    request_in_stage(world, "clause_signed")  # the secretariat's move: not on the NGO's desk
    ngo = look(client, tokens, Role.NGO)
    assert list(ngo) == ["cases by deadline", "data-access requests", "declarations expiring within 30 days"]
    assert ngo["cases by deadline"]["count"] == 1 and ngo["cases by deadline"]["first"]["ref"] == case
    assert ngo["data-access requests"]["count"] == 0
    assert ngo["declarations expiring within 30 days"]["count"] == 0
    union = look(client, tokens, Role.UNION)
    assert list(union) == ["cases by deadline", "data-access requests"]
    assert union["cases by deadline"]["count"] == 0  # the NGO filed it
    company = look(client, tokens, Role.COMPANY)
    assert list(company) == ["cases by deadline"] and company["cases by deadline"]["count"] == 0  # not notified
    assert list(look(client, tokens, Role.COMMITTEE)) == ["cases by deadline"]
    for role in (Role.AUDITOR, Role.BUYER):
        assert look(client, tokens, role) == {}


WAITING = Cell("waiting for me", "read_waiting", "GET", "/api/v1/waiting", frozenset(Role))


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_role_reads_its_own_desk_with_one_entry(client, world, tokens, role):
    assert_walked(client, world, tokens, WAITING, role, WAITING.path, None)


def test_anonymous_has_no_desk(client):
    assert client.get("/api/v1/waiting").status_code == 401
