"""Contributions in the access-matrix walk (issue 17; docs/access.md, keys/access/policy.py): every
route, every role (the secretariat, the NGO and union parties, a company on its own statements and on
another's, the committee, the auditor, a public buyer, anonymous), allowed and denied, each person's
attempt logged with the response's request id; anonymous attempts refused at authentication, no entry.

The policy's rows: MANAGE_CONTRIBUTIONS (the risk-country list, a company's basis, preparing a year)
is the secretariat's; READ_CONTRIBUTIONS is the secretariat's for every company and a company's for its
own statements; the risk-country list itself is public. A read of the year (the overview, the invoices)
opens each statement as one entry naming its company, so the secretariat's read of a year with three
statements is three entries.

A write cell has its own world (matrix.py's ``walk_tests``): the refused roles first (a refusal
changes nothing), anonymous on the same world, then the allowed ones. The reads share one world with
the 2025 statements prepared: a read changes nothing another read sees."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    THIRD,
    Cell,
    assert_anonymous_refused,
    assert_walked,
    client,
    people,
    prepared_path,
    refused_first,
    send,
    tokens,
    world,
)
from tests.e2e.test_access_matrix_retention import person

BASE = "/api/v1/contributions"
SECRETARIAT = frozenset({Role.SECRETARIAT})
COMPANY_OWN = frozenset({Role.SECRETARIAT, Role.COMPANY})  # the company role's login is eigen-steen's


def statements_of_2025(world) -> None:
    """The three members' 2025 statements, prepared by the secretariat through the use case."""
    assert world.contributions.prepare(person(world, Role.SECRETARIAT), 2025).prepared == 3


RISK_CHANGE = {
    "in_force_from": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
    "become_risk": [],
    "stop_being_risk": ["TR"],
    "reason": "the parties judged Turkey's natural-stone sector no longer a risk",
}

WRITES = [
    Cell("change the risk-country list", "manage_contributions", "POST", f"{BASE}/risk-countries", SECRETARIAT,
         json=RISK_CHANGE),
    Cell("record a company's basis", "manage_contributions", "PUT", f"{BASE}/basis/{OTHER}", SECRETARIAT,
         json={"member_type": "associated", "establishments": 2}),
    # 2024's statements rest on the 2023 reports: there are none, so preparing reads no report
    Cell("prepare a year", "manage_contributions", "POST", f"{BASE}/2024/prepare", SECRETARIAT),
]  # fmt: skip

READS = [  # on one world with the 2025 statements: a read changes nothing the next read sees
    Cell("its own statements", "read_contributions", "GET", f"{BASE}/companies/{OWN}", COMPANY_OWN),
    Cell("another company's statements", "read_contributions", "GET", f"{BASE}/companies/{OTHER}", SECRETARIAT),
]
PER_STATEMENT = [  # one entry per statement opened, each naming its company
    Cell("the year's statements", "read_contributions", "GET", f"{BASE}/2025", SECRETARIAT),
    Cell("the year's invoices", "read_contributions", "GET", f"{BASE}/2025/invoices.csv", SECRETARIAT),
]


def walk_one(client, world, tokens, cell: Cell) -> None:
    """Every role on ``cell``: the refused first, then anonymous, then the allowed (one entry each)."""
    path = prepared_path(world, cell)
    roles = refused_first(cell)
    refused = len(roles) - len(cell.allowed)
    for role in roles[:refused]:
        assert_walked(client, world, tokens, cell, role, path, cell.json)
    assert_anonymous_refused(world, lambda: send(client, cell, None, path, cell.json))
    for role in roles[refused:]:
        assert_walked(client, world, tokens, cell, role, path, cell.json)


def walk_per_statement(client, world, tokens, cell: Cell) -> None:
    """As ``walk_one``, but the secretariat's read opens the three statements: one entry each."""
    path = prepared_path(world, cell)
    for role in refused_first(cell)[:-1]:
        assert_walked(client, world, tokens, cell, role, path, cell.json)
    assert_anonymous_refused(world, lambda: send(client, cell, None, path, cell.json))
    before = len(people(world))
    response = send(client, cell, tokens[Role.SECRETARIAT], path, None)
    assert response.status_code == 200, response.text
    new = people(world)[before:]
    assert sorted(e.company for e in new) == sorted([OWN, OTHER, THIRD])
    for entry in new:
        assert (entry.actor, entry.action, str(entry.outcome)) == ("secretariat.user", cell.action, "granted")
        assert entry.request_id == response.headers["X-Request-ID"]


@pytest.mark.parametrize("cell", WRITES, ids=[cell.name for cell in WRITES])
def test_writes_walked(client, world, tokens, cell: Cell) -> None:
    walk_one(client, world, tokens, cell)


def test_reads_walked(client, world, tokens) -> None:
    statements_of_2025(world)
    for cell in READS:
        walk_one(client, world, tokens, cell)
    for cell in PER_STATEMENT:
        walk_per_statement(client, world, tokens, cell)
    before = len(people(world))
    for role in (None, *Role):  # the risk-country list: anyone's, and no entry
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        response = client.get("/api/v1/public/risk-countries", headers=headers)
        assert response.status_code == 200, (role, response.text)
        assert response.json()["in_force"]["number"] == 1
    assert len(people(world)) == before
