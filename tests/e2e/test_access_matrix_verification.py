"""Sample verification in the access-matrix walk (issue 16; docs/access.md "Verification"): every
route of trustone/web/verification.py, every role, allowed and denied, anonymous refused; the public
figures served to anyone.

The cells, from the design's matrix (literal, not read from the policy):
- ``manage_verification`` (open a round, draw, assign a check, publish): the secretariat;
- ``read_verification_round`` (the rounds, a round's record): the secretariat and the auditor;
- ``read_field_checks``: the secretariat every check; the NGO and the union party the checks assigned
  to them; a company the checks of its own links; "own" both ways: another party's check and
  another company's check are refused;
- ``record_field_check``: the party the check is assigned to (not even the secretariat);
- ``answer_correction``: the company whose link it is.

An allowed attempt writes the entries its use case names (registry/usecases/verification.py): the
action's grant, plus the reports it reads (``read_report``, one per company) and the check it shows
afterwards (``read_field_checks``); a denied attempt writes exactly one entry, the action denied.
Every entry carries the response's request id.

The world (tests/e2e/matrix.py): three member companies (OWN is the company login's), each with a
quarry and a factory link for 2024, so a round of size 6 samples every link: two checks per company.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from keys.access.principal import Principal
from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    ORGS,
    OTHER,
    OWN,
    THIRD,
    assert_anonymous_refused,
    client,
    people,
    refused_first,
    tokens,
    world,
)

API = "/api/v1/verification"
S, N, U, C, K, A, B = (
    Role.SECRETARIAT,
    Role.NGO,
    Role.UNION,
    Role.COMPANY,
    Role.COMMITTEE,
    Role.AUDITOR,
    Role.BUYER,
)
MANAGE, ROUNDS, CHECKS, RECORD, ANSWER = (
    "manage_verification",
    "read_verification_round",
    "read_field_checks",
    "record_field_check",
    "answer_correction",
)
BEACON = "EuroJackpot-trekking van vrijdag 7 maart 2025"
FINDINGS = {
    "site_exists": "yes",
    "site_as_reported": "yes",
    "link": "unclear",
    "checked_on": dt.date.today().isoformat(),
    "partner": "Bhilwara Mines Workers Collective",
    "notes": "De groeve was gesloten; een tweede bezoek volgt.",
}


def person(world, role: Role) -> Principal:
    ref = ORGS[role][0]
    return Principal(f"{role.value}.user", role, world.registry.organisation_id(ref), ref)


def opened(world) -> str:
    """A round for 2024 of all six links, opened on a past day (so its beacon's day has come)."""
    clock = world.clock.source
    world.clock.set(FakeClock(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)))
    try:
        round_ = world.verification.open_round(
            person(world, S),
            year=2024,
            dimensions=["country"],
            size=6,
            beacon_source=BEACON,
            beacon_on=dt.date(2025, 3, 7),
        )
    finally:
        world.clock.set(clock)
    return str(round_.id)


def drawn(world) -> tuple[str, dict[str, list[str]]]:
    """A drawn round and its checks per company (two each), none assigned yet."""
    round_id = opened(world)
    world.verification.draw(person(world, S), round_id, "7 19 23 38 44 + 2 9")
    by_company: dict[str, list[str]] = {}
    for check in world.verification.checks(person(world, S), round_id=round_id):
        by_company.setdefault(check.company_ref, []).append(str(check.id))
    assert sorted(by_company) == sorted([OWN, OTHER, THIRD]) and all(len(ids) == 2 for ids in by_company.values())
    return round_id, by_company


def assigned(world) -> dict[str, str]:
    """OTHER's first check with the NGO party, THIRD's with the union party, OWN's still drawn."""
    round_id, checks = drawn(world)
    world.verification.assign(person(world, S), checks[OTHER][0], party_ref=ORGS[N][0], method="site_visit")
    world.verification.assign(person(world, S), checks[THIRD][0], party_ref=ORGS[U][0], method="document_check")
    return {"round": round_id, "ngos": checks[OTHER][0], "unions": checks[THIRD][0], "own": checks[OWN][0]}


def with_evidence(world) -> dict[str, str]:
    """The NGO's check with its partner's findings and a photo."""
    ids = assigned(world)
    photo = {"filename": "groeve.png", "content_type": "image/png", "data": base64.b64encode(b"\x89PNG").decode()}
    world.verification.record_findings(
        person(world, N), ids["ngos"], **{**FINDINGS, "checked_on": dt.date.today()}, attachments=[photo]
    )
    return ids


def correction_requested(world, company: str) -> dict[str, str]:
    """A link of ``company`` not confirmed by the NGO's partner: a correction request to it."""
    _round_id, checks = drawn(world)
    check = checks[company][1]
    world.verification.assign(person(world, S), check, party_ref=ORGS[N][0], method="site_visit")
    world.verification.record_findings(
        person(world, N), check, **{**FINDINGS, "link": "not_confirmed", "checked_on": dt.date.today()}
    )
    return {"id": check}


@dataclass(frozen=True)
class Cell:
    name: str
    action: str
    method: str
    path: str
    allowed: frozenset[Role]
    prepare: Callable[[Any], dict[str, str]] | None = None
    json: dict | None = None
    # an allowed attempt's entries beyond the action's grant: (action, how many), per role when it differs
    also: dict[Role, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    granted: dict[Role, int] = field(default_factory=dict)  # the action's grants when not one


def roles(*chosen: Role) -> frozenset[Role]:
    return frozenset(chosen)


CELLS = [
    # --- the secretariat: rounds ------------------------------------------------------------------
    Cell(
        "open a round",
        MANAGE,
        "POST",
        API + "/rounds",
        roles(S),
        json={
            "year": 2024,
            "dimensions": ["country"],
            "size": 2,
            "beacon_source": BEACON,
            "beacon_on": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
        also={S: (("read_report", 3),)},  # the frame: each reporting company's report read once
    ),
    Cell("list the rounds", ROUNDS, "GET", API + "/rounds", roles(S, A), prepare=lambda w: {"id": opened(w)}),
    Cell(
        "draw",
        MANAGE,
        "POST",
        API + "/rounds/{id}/draw",
        roles(S),
        prepare=lambda w: {"id": opened(w)},
        json={"beacon_value": "7 19 23 38 44 + 2 9"},
        also={S: (("read_report", 3),)},  # the draw's record: each sampled company's report read once
        granted={S: 2},  # the frame's members opened, then the draw's write
    ),
    Cell(
        "a round's record", ROUNDS, "GET", API + "/rounds/{id}/record", roles(S, A), prepare=lambda w: {"id": opened(w)}
    ),
    Cell("publish", MANAGE, "POST", API + "/rounds/{id}/publish", roles(S), prepare=lambda w: {"id": drawn(w)[0]}),
    # --- the secretariat: assigning -------------------------------------------------------------
    Cell(
        "assign a check",
        MANAGE,
        "POST",
        API + "/checks/{own}/assign",
        roles(S),
        prepare=assigned,
        json={"party": "arisa", "method": "site_visit"},
        also={S: ((CHECKS, 1),)},  # the check shown back
    ),
    # --- reading checks: the list, and one check "own" both ways ----------------------------------
    Cell(
        "list the checks (all, or own)",
        CHECKS,
        "GET",
        API + "/checks",
        roles(S, N, U, C),
        prepare=assigned,
        granted={S: 3},  # one grant per company whose link is shown: all three; the others one each
    ),
    Cell("the NGO's own check", CHECKS, "GET", API + "/checks/{ngos}", roles(S, N), prepare=assigned),
    Cell("the union's own check", CHECKS, "GET", API + "/checks/{unions}", roles(S, U), prepare=assigned),
    Cell("the company's own check", CHECKS, "GET", API + "/checks/{own}", roles(S, C), prepare=assigned),
    Cell(
        "a check of another company, with no party",
        CHECKS,
        "GET",
        API + "/checks/{id}",
        roles(S),
        prepare=lambda w: {"id": drawn(w)[1][OTHER][1]},
    ),
    Cell(
        "the NGO's check's evidence",
        CHECKS,
        "GET",
        API + "/checks/{ngos}/attachments/0",
        roles(S, N),
        prepare=with_evidence,
    ),
    # --- the parties: findings --------------------------------------------------------------------
    Cell(
        "findings on the NGO's own check",
        RECORD,
        "POST",
        API + "/checks/{ngos}/findings",
        roles(N),
        prepare=assigned,
        json=FINDINGS,
        also={N: ((CHECKS, 1),)},
    ),
    Cell(
        "findings on the union's own check",
        RECORD,
        "POST",
        API + "/checks/{unions}/findings",
        roles(U),
        prepare=assigned,
        json=FINDINGS,
        also={U: ((CHECKS, 1),)},
    ),
    # --- the company: answering a correction request ------------------------------------------------
    Cell(
        "answer a correction request on the company's own link",
        ANSWER,
        "POST",
        API + "/checks/{id}/answer",
        roles(C),
        prepare=lambda w: correction_requested(w, OWN),
        json={
            "answer": "maintained",
            "explanation": "De groeve levert via onze vaste verwerker; zie de vrachtbrieven.",
        },
        also={C: ((CHECKS, 1),)},
    ),
    Cell(
        "answer a correction request on another company's link",
        ANSWER,
        "POST",
        API + "/checks/{id}/answer",
        roles(),
        prepare=lambda w: correction_requested(w, OTHER),
        json={
            "answer": "maintained",
            "explanation": "De groeve levert via onze vaste verwerker; zie de vrachtbrieven.",
        },
    ),
]


def prepared(world, cell: Cell) -> str:
    return cell.path.format(**(cell.prepare(world) if cell.prepare else {}))


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_walked(client, world, tokens, cell: Cell) -> None:
    """Every role on one prepared world: the refused roles first (a refusal changes nothing), then
    the allowed ones (a cell that changes something allows one role; a cell two roles may take
    only reads). One world per cell, not per role: the world is the walk's costly part."""
    path = prepared(world, cell)
    for role in refused_first(cell):
        before = len(people(world))
        response = client.request(
            cell.method, path, headers={"Authorization": f"Bearer {tokens[role]}"}, json=cell.json
        )
        new = people(world)[before:]
        assert all(entry.actor == f"{role.value}.user" for entry in new), (role, [(e.actor, e.action) for e in new])
        assert all(entry.request_id == response.headers["X-Request-ID"] for entry in new), role
        if role in cell.allowed:
            assert response.status_code in (200, 201), (role, response.text)
            expected = Counter({cell.action: cell.granted.get(role, 1)})
            expected.update(dict(cell.also.get(role, ())))
            assert Counter(str(entry.action) for entry in new) == expected, role
            assert {str(entry.outcome) for entry in new} == {"granted"}, role
        else:
            assert response.status_code == 403, (role, response.text)
            assert [(str(entry.action), str(entry.outcome)) for entry in new] == [(cell.action, "denied")], role


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
def test_anonymous(client, world, cell: Cell) -> None:
    path = prepared(world, cell)
    assert_anonymous_refused(world, lambda: client.request(cell.method, path, json=cell.json))


def test_each_party_and_company_lists_only_its_own_checks(client, world, tokens) -> None:
    """The list's "own", as content: the NGO its check, the union its check, the company its two links."""
    ids = assigned(world)

    def listed(role: Role) -> set[str]:
        response = client.get(f"{API}/checks", headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code == 200, response.text
        return {check["id"] for check in response.json()}

    assert listed(N) == {ids["ngos"]} and listed(U) == {ids["unions"]}
    mine = listed(C)
    assert len(mine) == 2 and ids["own"] in mine and not mine & {ids["ngos"], ids["unions"]}
    assert len(listed(S)) == 6


@pytest.mark.parametrize("role", [None, *Role], ids=["anonymous", *(role.value for role in Role)])
def test_the_public_figures_are_served_to_anyone_and_log_no_one(client, world, tokens, role) -> None:
    round_id, _checks = drawn(world)
    world.verification.publish(person(world, S), round_id)
    before = len(people(world))
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    figures = client.get("/api/v1/public/verification", headers=headers)
    years = client.get("/api/v1/public/verification/years", headers=headers)
    assert figures.status_code == 200 and years.status_code == 200
    assert [(row["year"], row["total"]["sampled"]) for row in figures.json()] == [(2024, 6)]  # three companies
    assert years.json() == [{"year": 2024, "links": 6, "verified": 0}]
    assert len(people(world)) == before
