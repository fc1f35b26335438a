"""Reports about tenders in the access-matrix walk (art. 7 lid 12; docs/access.md "Reports about
tenders"): every route, every role, allowed and denied, each attempt exactly one access-log entry with
the response's request id; anonymous attempts are refused at authentication and leave none.

The cells, from the design's matrix: report a tender, every role; read reports, the secretariat every
one and every other role its own organisation's (``own_data``); track (contact, resolve), the
secretariat alone. The public counts are served to anyone, logged in or not, and log nothing."""

from __future__ import annotations

import pytest

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    ORGS,
    Cell,
    client,
    people,
    tokens,
    walk_tests,
    world,
)

BASE = "/api/v1/tender-signals"
EVERY_ROLE = frozenset(Role)
SECRETARIAT_ONLY = frozenset({Role.SECRETARIAT})
TENDER = {
    "authority": "Gemeente Voorbeeld",
    "title": "Herinrichting Marktplein",
    "reference": "TN-2026-0042",
    "missing": "Geen ISV-clausule en geen vraag naar due diligence.",
}


def person(world, login: str, role: Role, ref: str) -> Principal:
    return Principal(login, role, world.registry.organisation_id(ref), ref)


def reported_by(world, role: Role) -> str:
    """A report by the world's user of ``role``, made through the use case (not by a walker)."""
    who = person(world, f"{role.value}.user", role, ORGS[role][0])
    return str(world.tender_signals.report(who, **TENDER).id)


def the_ngos_own(world) -> dict[str, str]:
    return {"id": reported_by(world, Role.NGO)}


def the_buyers_own(world) -> dict[str, str]:
    return {"id": reported_by(world, Role.BUYER)}


def another_organisations(world) -> dict[str, str]:
    """A report by a second NGO party: no walker's organisation's but the secretariat may read it."""
    world.registry.register_organisation("actionaid", "ActionAid", OrganisationKind.NGO_PARTY, "NL")
    who = person(world, "ngo.actionaid", Role.NGO, "actionaid")
    return {"id": str(world.tender_signals.report(who, **TENDER).id)}


def received(world) -> dict[str, str]:
    return the_ngos_own(world)


def contacted(world) -> dict[str, str]:
    signal = reported_by(world, Role.COMPANY)
    world.tender_signals.contact(
        person(world, "secretariat.user", Role.SECRETARIAT, ORGS[Role.SECRETARIAT][0]), signal, "gebeld"
    )
    return {"id": signal}


CELLS = [
    Cell("report a tender", "report_tender", "POST", BASE, EVERY_ROLE, json=TENDER),
    Cell("list reports (all or own)", "read_tender_signals", "GET", BASE, EVERY_ROLE),
    Cell(
        "read the NGO's own report",
        "read_tender_signals",
        "GET",
        BASE + "/{id}",
        frozenset({Role.SECRETARIAT, Role.NGO}),
        prepare=the_ngos_own,
    ),
    Cell(
        "read the buyer's own report",
        "read_tender_signals",
        "GET",
        BASE + "/{id}",
        frozenset({Role.SECRETARIAT, Role.BUYER}),
        prepare=the_buyers_own,
    ),
    Cell(
        "read another organisation's report",
        "read_tender_signals",
        "GET",
        BASE + "/{id}",
        SECRETARIAT_ONLY,
        prepare=another_organisations,
    ),
    Cell(
        "contact the authority",
        "track_tender_signals",
        "POST",
        BASE + "/{id}/contact",
        SECRETARIAT_ONLY,
        json={"note": "Gebeld met de inkoper."},
        prepare=received,
    ),
    Cell(
        "resolve",
        "track_tender_signals",
        "POST",
        BASE + "/{id}/resolve",
        SECRETARIAT_ONLY,
        json={"outcome": "De ISV komt in het volgende bestek."},
        prepare=contacted,
    ),
]

test_walked, test_anonymous = walk_tests(CELLS)


@pytest.mark.parametrize("role", [None, *Role], ids=["anonymous", *(role.value for role in Role)])
def test_the_public_counts_are_served_to_anyone_and_log_no_one(client, world, tokens, role):
    reported_by(world, Role.NGO)
    before = len(people(world))
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    response = client.get("/api/v1/public/tender-signals", headers=headers)
    assert response.status_code == 200
    assert [row["received"] for row in response.json()] == [None]  # one report: below three, not shown
    assert len(people(world)) == before
