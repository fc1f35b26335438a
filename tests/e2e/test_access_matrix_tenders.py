"""The tender register in the access-matrix walk (issue 15; docs/access.md, "The tender register"):
every route, every role, allowed and denied, each attempt exactly one access-log entry with the
response's request id; anonymous attempts are refused at authentication and leave none.

``record_tender`` is a buyer's on its own government's register only; ``read_tender_register`` the
secretariat's for every register and a buyer's for its own; the year's overview of every government
is the secretariat's; ``publish_tender_report`` is the secretariat's. A buyer of another government
is refused on this one's register (the world's buyer is of "gemeente-utrecht"; "stad-gent" is the
other). The published reports are public: no login, no access-log entry."""

from __future__ import annotations

import datetime as dt

import pytest

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    Cell,
    client,
    password_hash,
    people,
    tokens,
    walk_tests,
    world,
)

OWN_GOVERNMENT = "gemeente-utrecht"
LAST_YEAR = dt.date.today().year - 1
BUYER_ONLY = frozenset({Role.BUYER})
SECRETARIAT_ONLY = frozenset({Role.SECRETARIAT})
SECRETARIAT_AND_OWN_BUYER = frozenset({Role.SECRETARIAT, Role.BUYER})
TENDER = {
    "title": "Herinrichting Neude",
    "date": f"{LAST_YEAR}-05-12",
    "reference": "TenderNed 412345",
    "value_band": "250k_1m",
    "criteria": ["award_basis"],
    "purchase_type": "type_2",
}


def buyer(world, government: str = OWN_GOVERNMENT) -> Principal:
    return Principal(f"buyer.{government}", Role.BUYER, world.registry.organisation_id(government), government)


def an_entry(world) -> dict[str, str]:
    """An entry of the own government's last year, recorded as its buyer would (not by a walker)."""
    taken = world.tenders.record(buyer(world), OWN_GOVERNMENT, **{**TENDER, "date": dt.date(LAST_YEAR, 5, 12)})
    return {"entry": taken.id}


def a_submitted_year(world) -> dict[str, str]:
    an_entry(world)
    world.tenders.submit(buyer(world), OWN_GOVERNMENT, LAST_YEAR)
    return {}


REGISTER = f"/api/v1/tenders/registers/{OWN_GOVERNMENT}"
CELLS = [
    Cell("record a tender", "record_tender", "POST", f"{REGISTER}/entries", BUYER_ONLY, json=TENDER),
    Cell(
        "correct a tender",
        "record_tender",
        "PUT",
        f"{REGISTER}/{LAST_YEAR}/entries/{{entry}}",
        BUYER_ONLY,
        json={**TENDER, "value_band": "1m_5_5m"},
        prepare=an_entry,
    ),
    Cell(
        "remove a tender",
        "record_tender",
        "DELETE",
        f"{REGISTER}/{LAST_YEAR}/entries/{{entry}}",
        BUYER_ONLY,
        prepare=an_entry,
    ),
    Cell(
        "submit the year", "record_tender", "POST", f"{REGISTER}/{LAST_YEAR}/submission", BUYER_ONLY, prepare=an_entry
    ),
    Cell(
        "read the government's register",
        "read_tender_register",
        "GET",
        REGISTER,
        SECRETARIAT_AND_OWN_BUYER,
        prepare=an_entry,
    ),
    Cell(
        "every government's registers of a year",
        "read_tender_register",
        "GET",
        f"/api/v1/tenders/years/{LAST_YEAR}",
        SECRETARIAT_ONLY,
        prepare=an_entry,
    ),
    Cell(
        "preview the year's report",
        "publish_tender_report",
        "GET",
        f"/api/v1/tenders/reports/{LAST_YEAR}/preview",
        SECRETARIAT_ONLY,
        prepare=a_submitted_year,
    ),
    Cell(
        "publish the year's report",
        "publish_tender_report",
        "POST",
        f"/api/v1/tenders/reports/{LAST_YEAR}",
        SECRETARIAT_ONLY,
        prepare=a_submitted_year,
    ),
]

test_each_cell_is_allowed_or_denied_and_logged_exactly_once, test_anonymous_requests_are_refused = walk_tests(CELLS)


@pytest.fixture
def other_buyer(client, world):
    """A buyer of another member government, with a session."""
    world.registry.register_organisation("stad-gent", "Stad Gent", OrganisationKind.PUBLIC_BUYER, "BE")
    world.registry.create_account("buyer.stad-gent", Role.BUYER, "stad-gent", "Gent", password_hash(), None)
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {"Authorization": f"Bearer {sessions.issue('buyer.stad-gent', dt.timedelta(hours=1))}"}


OWN_ONLY = [cell for cell in CELLS if cell.allowed == BUYER_ONLY or cell.allowed == SECRETARIAT_AND_OWN_BUYER]


@pytest.mark.parametrize("cell", OWN_ONLY, ids=[c.name for c in OWN_ONLY])
def test_a_buyer_of_another_government_is_refused_on_this_register(client, world, other_buyer, cell):
    path = cell.path.format(**(cell.prepare(world) if cell.prepare else {}))
    before = len(people(world))
    response = client.request(cell.method, path, headers=other_buyer, json=cell.json)
    assert response.status_code == 403, response.text
    assert response.json()["detail"] == "not your organisation's tender register"
    new = people(world)[before:]
    assert [(e.actor, e.action, str(e.outcome)) for e in new] == [("buyer.stad-gent", cell.action, "denied")]
    # and its own register is its own
    own = client.get("/api/v1/tenders/registers/stad-gent", headers=other_buyer)
    assert own.status_code == 200


def test_the_published_reports_need_no_login_and_leave_no_entry(client, world):
    a_submitted_year(world)
    secretariat = Principal(
        "secretariat.user", Role.SECRETARIAT, world.registry.organisation_id("secretariaat"), "secretariaat"
    )
    world.tenders.publish(secretariat, LAST_YEAR)
    before = len(people(world))
    listing = client.get("/api/v1/public/tenders")
    one = client.get(f"/api/v1/public/tenders/{LAST_YEAR}")
    assert (listing.status_code, one.status_code) == (200, 200)
    assert one.json()["tenders"] == 1
    assert len(people(world)) == before
