"""Signed confidentiality declarations in the access-matrix walk (issue 13, item 3; docs/lifecycles.md):
every route, every role, allowed and denied, each attempt exactly one access-log entry with the
response's request id; anonymous attempts are refused at authentication and leave none.

``manage_declarations`` (record, revoke) is the secretariat's; ``read_declarations`` the secretariat's
for every declaration and an NGO party's for its own organisation's only (``own_data``). The world's
NGO user is of "arisa"; a second NGO party, "actionaid", has a declaration of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from keys.access.principal import SystemPrincipal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    Cell,
    assert_anonymous_refused,
    client,
    password_hash,
    people,
    prepared_path,
    tokens,
    walk,
    walk_ids,
    world,
)

SECRETARIAT_ONLY = frozenset({Role.SECRETARIAT})
SECRETARIAT_AND_OWN_NGO = frozenset({Role.SECRETARIAT, Role.NGO})
TODAY = dt.date.today()
PDF = b"%PDF-1.7\n% a signed declaration\n%%EOF\n"


def declaration_of(world, login: str) -> str:
    """A declaration with its document, recorded as the command line would (not by a walker)."""
    view = world.declarations.record(
        SystemPrincipal("secretariat-cli:matrix"),
        login,
        "TruStone verklaring gekoppelde lijst",
        "2025-2",
        TODAY - dt.timedelta(days=1),
        TODAY + dt.timedelta(days=365),
        PDF,
    )
    return str(view.id)


def the_ngos_own(world) -> dict[str, str]:
    return {"id": declaration_of(world, "ngo.user")}


def another_ngos(world) -> dict[str, str]:
    world.registry.register_organisation("actionaid", "ActionAid", OrganisationKind.NGO_PARTY, "NL")
    world.registry.create_account("ngo.actionaid", Role.NGO, "actionaid", "ActionAid", password_hash(), None)
    return {"id": declaration_of(world, "ngo.actionaid")}


CELLS = [
    Cell(
        "record a declaration with its document",
        "manage_declarations",
        "POST",
        "/api/v1/declarations",
        SECRETARIAT_ONLY,
        upload=True,
    ),
    Cell("list every declaration", "read_declarations", "GET", "/api/v1/declarations", SECRETARIAT_ONLY),
    Cell(
        "list declarations expiring soon",
        "read_declarations",
        "GET",
        "/api/v1/declarations?expiring_within_days=30",
        SECRETARIAT_ONLY,
    ),
    Cell(
        "list the NGO's own organisation's declarations",
        "read_declarations",
        "GET",
        "/api/v1/declarations?organisation=arisa",
        SECRETARIAT_AND_OWN_NGO,
    ),
    Cell(
        "look up the NGO's own declaration",
        "read_declarations",
        "GET",
        "/api/v1/declarations/{id}",
        SECRETARIAT_AND_OWN_NGO,
        prepare=the_ngos_own,
    ),
    Cell(
        "download the NGO's own signed document",
        "read_declarations",
        "GET",
        "/api/v1/declarations/{id}/document",
        SECRETARIAT_AND_OWN_NGO,
        prepare=the_ngos_own,
    ),
    Cell(
        "look up another NGO party's declaration",
        "read_declarations",
        "GET",
        "/api/v1/declarations/{id}",
        SECRETARIAT_ONLY,
        prepare=another_ngos,
    ),
    Cell(
        "download another NGO party's signed document",
        "read_declarations",
        "GET",
        "/api/v1/declarations/{id}/document",
        SECRETARIAT_ONLY,
        prepare=another_ngos,
    ),
    Cell(
        "revoke a declaration",
        "manage_declarations",
        "POST",
        "/api/v1/declarations/{id}/revocation",
        SECRETARIAT_ONLY,
        json={"on": TODAY.isoformat(), "reason": "left the organisation"},
        prepare=the_ngos_own,
    ),
]
WALK = walk(CELLS)


def send(client, cell: Cell, token: str | None, path: str):
    """As tests/e2e/matrix.py sends, with the declaration's form and its PDF for the upload."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if cell.upload:
        form = {
            "login": "ngo.user",
            "document_title": "TruStone verklaring gekoppelde lijst",
            "document_version": "2025-2",
            "signed_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "valid_until": (TODAY + dt.timedelta(days=365)).isoformat(),
        }
        files = {"file": ("verklaring.pdf", PDF, "application/pdf")}
        return client.request(cell.method, path, headers=headers, data=form, files=files)
    return client.request(cell.method, path, headers=headers, json=cell.json)


@pytest.mark.parametrize(("cell", "role"), WALK, ids=walk_ids(WALK))
def test_each_cell_is_allowed_or_denied_and_logged_exactly_once(client, world, tokens, cell, role):
    path = prepared_path(world, cell)
    before = len(people(world))
    response = send(client, cell, tokens[role], path)
    expected = {200, 201} if role in cell.allowed else {403}
    assert response.status_code in expected, response.text
    new = people(world)[before:]
    assert [(e.actor, e.action, str(e.outcome)) for e in new] == [
        (f"{role.value}.user", cell.action, "granted" if role in cell.allowed else "denied")
    ]
    assert new[0].request_id == response.headers["X-Request-ID"]


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
def test_anonymous_requests_are_refused_before_any_data_is_touched(client, world, cell):
    path = prepared_path(world, cell)
    assert_anonymous_refused(world, lambda: send(client, cell, None, path))
