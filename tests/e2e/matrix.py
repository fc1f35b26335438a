"""The access-matrix walk's world, logins and cell machinery, shared by every test_access_matrix*
file: docs/access.md walked over HTTP, allowed and denied, each attempt one access-log entry.

A cell names a route, the action its log entry must carry and the roles allowed; ``prepare`` builds
what the cell acts on (a case, a request, a report to assess...) and returns the values for the
path's and body's ``{placeholders}``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from keys.logins.passwords import hash_password
from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.web.app import create_app

PASSWORD = "correct horse battery staple"
ORGS = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY),
    Role.UNION: ("fnv", OrganisationKind.UNION_PARTY),
    Role.COMPANY: ("eigen-steen", OrganisationKind.MEMBER_COMPANY),
    Role.COMMITTEE: ("klachtencommissie", OrganisationKind.COMPLAINTS_COMMITTEE),
    Role.AUDITOR: ("audit-firma", OrganisationKind.AUDITOR),
    Role.BUYER: ("gemeente-utrecht", OrganisationKind.PUBLIC_BUYER),
}
OWN, OTHER, THIRD = "eigen-steen", "andere-steen", "derde-steen"


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: once for the whole module


@pytest.fixture
def world(services):
    registry = services.registry
    for role, (ref, kind) in ORGS.items():
        registry.register_organisation(ref, ref.replace("-", " ").title(), kind, "NL")
        secret = pyotp.random_base32() if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, password_hash(), secret)
    declaration = "TruStone verklaring gekoppelde lijst"
    registry.record_declaration(
        "ngo.user",
        declaration,
        "2025-1",
        hashlib.sha256(declaration.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=1),
        dt.date.today() + dt.timedelta(days=365),
    )
    registry.register_organisation(OTHER, "Andere Steen BV", OrganisationKind.MEMBER_COMPANY, "BE")
    # A third buyer: the aggregated list is released only once k = 3 companies have reported a year.
    registry.register_organisation(THIRD, "Derde Steen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    for ref in (OWN, OTHER, THIRD):
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(
            ref, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
        )
    return services


@pytest.fixture
def client(world):
    with TestClient(create_app(world), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def tokens(client, world):
    """Sessions as a login would issue them (logging in itself is tested in test_auth_http.py);
    one real login through HTTP, with its second factor, shows the tokens are the same kind."""
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    out = {role: sessions.issue(f"{role.value}.user", dt.timedelta(hours=1)) for role in Role}
    secret = world.registry.totp_secret_for("secretariat.user")
    response = client.post(
        "/api/v1/auth/login", json={"login": "secretariat.user", "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200, response.text
    out[Role.SECRETARIAT] = response.json()["access_token"]
    return out


@dataclass(frozen=True)
class Cell:
    name: str
    action: str
    method: str
    path: str
    allowed: frozenset[Role]
    upload: bool = False
    json: dict | None = None
    per_company: bool = False  # one log entry per company in the answer
    case_stage: str | None = None  # a grievance case is prepared in this stage; "{ref}" in the path
    request_stage: str | None = None  # a data-access request is prepared in this status; "{id}" in the path
    prepare: Callable[[Any], dict[str, str]] | None = None  # world -> values for the path's {placeholders}


def _everyone_but(*roles: Role) -> frozenset[Role]:
    return frozenset(Role) - set(roles)


def send(client, cell: Cell, token: str | None, path: str, body: dict | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cell.upload:
        files = {"file": ("report.csv", csv_bytes([quarry_row(chain="C9"), factory_row(chain="C9")]), "text/csv")}
        return client.request(cell.method, path, headers=headers, files=files)
    return client.request(cell.method, path, headers=headers, json=body)


def assert_walked(client, world, tokens, cell: Cell, role: Role, path: str, body: dict | None) -> None:
    """One attempt by ``role``: the status the matrix expects, and exactly one access-log entry per
    person's attempt (one per company in the answer for a per-company search), naming the action and
    the outcome, with the response's request id."""
    before = world.access_log.entries(limit=100_000)
    response = send(client, cell, tokens[role], path, body)
    after = world.access_log.entries(limit=100_000)
    expected_status = {200, 201, 204} if role in cell.allowed else {403}
    assert response.status_code in expected_status, (role, response.text)
    # System readers (the projection runner following the writes) log their own entries meanwhile.
    new = [e for e in after[len(before) :] if not e.actor.startswith("system:")]
    expected_entries = 1
    if cell.per_company and role in cell.allowed:
        expected_entries = len({row["company"] for row in response.json()["links"]}) or 1
        assert expected_entries == 3  # all three companies' links were in the answer
    assert len(new) == expected_entries, (role, [(e.action, e.actor) for e in new])
    for entry in new:
        assert (entry.actor, entry.action) == (f"{role.value}.user", cell.action)
        assert str(entry.outcome) == ("granted" if role in cell.allowed else "denied")
        assert entry.request_id == response.headers["X-Request-ID"]
    if cell.per_company and role in cell.allowed:
        assert {entry.company for entry in new} == {OWN, OTHER, THIRD}


def refused_first(cell: Cell) -> list[Role]:
    """Every role, those the cell refuses first, each group in the matrix's order."""
    return sorted(Role, key=lambda role: (role in cell.allowed, list(Role).index(role)))


def walk(cells: Sequence[Cell]) -> list[tuple[Cell, Role]]:
    """Every cell by every role, the pairs a walk is parametrised over (ids from ``walk_ids``)."""
    return [(cell, role) for cell in cells for role in Role]


def walk_ids(pairs: Sequence[tuple[Cell, Role]]) -> list[str]:
    return [f"{cell.name}-{role.value}" for cell, role in pairs]


def prepared_path(world, cell: Cell) -> str:
    """The cell's path with its ``{placeholders}`` filled by what ``cell.prepare`` built."""
    return cell.path.format(**(cell.prepare(world) if cell.prepare else {}))


def people(world) -> list:
    """The access-log entries of people's attempts; system readers (the projection runner following
    the writes) log their own meanwhile."""
    return [e for e in world.access_log.entries(limit=100_000) if not e.actor.startswith("system:")]


def assert_anonymous_refused(world, sent: Callable[[], Any]) -> None:
    """A request without a token (``sent`` sends it) is refused at authentication (401, a Bearer
    challenge) before any data is touched: no person's access-log entry is written."""
    before = len(people(world))
    response = sent()
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert len(people(world)) == before


def walk_tests(cells: Sequence[Cell]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests of a walk whose cells need nothing but ``prepare`` and their own ``json``: each
    cell by each role allowed or denied and logged exactly once, and each cell refused to anonymous.
    A test file binds them to its module: ``test_walked, test_anonymous = walk_tests(CELLS)``.

    One world per cell, every role on it: the refused roles first (a refusal changes nothing), then
    the allowed ones in the matrix's order. The world is the walk's costly part (a world per cell and
    role made the walks a third of the suite's time)."""

    @pytest.mark.parametrize("cell", cells, ids=[cell.name for cell in cells])
    def test_walked(client, world, tokens, cell: Cell) -> None:
        path = prepared_path(world, cell)
        for role in refused_first(cell):
            assert_walked(client, world, tokens, cell, role, path, cell.json)

    @pytest.mark.parametrize("cell", cells, ids=[cell.name for cell in cells])
    def test_anonymous(client, world, cell: Cell) -> None:
        path = prepared_path(world, cell)
        assert_anonymous_refused(world, lambda: send(client, cell, None, path, cell.json))

    return test_walked, test_anonymous
